"""What the desk takes from outside, read one way everywhere: ids, indexes, text and JSON.

Request input (form boxes, hidden fields, query parameters, pasted text, webhook bodies) goes
through these before it reaches ``int()``, the database or Clarus:

- an id is ASCII digits only: ``str.isdigit()`` also holds for "²", which ``int()`` refuses,
  and ``int()`` reads Arabic-Indic digits and "1_0" as numbers; and it must fit the 64-bit column
  it is kept in;
- text has no NUL (PostgreSQL cannot store one, in a text column or in JSON) and no lone
  surrogate (not encodable as UTF-8);
- text typed into a box has no control character (a bell or an escape from a scanner, a tab
  pasted from a spreadsheet) and no character that turns text around: a box of one line keeps
  none, a box of notes its line breaks and tabs only;
- a reason a person gives (refusing an order, erasing someone's data) is said in visible
  characters: one made only of spaces, control and invisible characters says nothing, and the
  characters that turn text around (bidi overrides and isolates) are dropped, so the reason reads
  as typed;
- JSON is RFC 8259's: no NaN or Infinity (nor a number too large for a float, which Python reads
  as Infinity), and nesting no deeper than anything the desk is sent.

Nothing here imports the rest of the desk, so every layer may use it.
"""

import json
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

# The largest value a BigIntegerField holds: PostgreSQL's bigint and SQLite's INTEGER are
# signed 64-bit. Every id the desk keeps (Clarus ids, product ids, account ids) is one.
MAX_BIGINT = 2**63 - 1
MAX_BIGINT_DIGITS = len(str(MAX_BIGINT))
# Deeper than any webhook or label the desk is sent; deep enough nesting otherwise overflows
# Python's stack while parsing or storing it.
MAX_JSON_DEPTH = 32


def is_ascii_digits(text: str) -> bool:
    """Return whether ``text`` is one or more of 0-9, and nothing else."""
    return text.isascii() and text.isdigit()


def id_from_text(value: object, *, max_digits: int = MAX_BIGINT_DIGITS) -> int | None:
    """Return the id ``value`` spells in ASCII digits (1 up to ``MAX_BIGINT``), else None.

    ``max_digits`` bounds it further, e.g. to tell a typed Clarus id from a barcode.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > max_digits or not is_ascii_digits(text):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_BIGINT else None


def id_from_json(value: object) -> int | None:
    """Return the id a JSON value holds: a whole number or its ASCII digits; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1 <= value <= MAX_BIGINT else None
    return id_from_text(value)


def index_from_text(value: object, *, below: int) -> int | None:
    """Return the count or index ``value`` spells in ASCII digits if it is under ``below``."""
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > len(str(below)) or not is_ascii_digits(text):
        return None
    number = int(text)
    return number if number < below else None


def clean_text(text: str) -> str:
    """Return ``text`` without NUL characters, and with any lone surrogate made U+FFFD."""
    text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char for char in text)
    return text


# The bidi embeddings, overrides and isolates: they make the text after them read in another
# direction (U+202A-U+202E, U+2066-U+2069).
TURNING = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


# Unicode's own line and paragraph separators (U+2028, U+2029): line breaks by another name,
# which a word processor's copy may hold.
LINE_SEPARATORS = "\u2028\u2029"
# Every control character (C0, DEL and C1), the line separators and the turning characters:
# what no box keeps.
_UNSEEN = re.compile("[\x00-\x1f\x7f-\x9f" + LINE_SEPARATORS + "".join(map(chr, TURNING)) + "]")
# The line breaks and tabs a box of several lines keeps.
NOTES_CONTROLS = "\t\n\r"


def _unseen_out(found: re.Match[str]) -> str:
    # A control that parts words (a tab, a line break pasted with the text) leaves a space.
    char = found[0]
    return " " if char.isspace() else ""


def _unseen_out_but(keep: str) -> Callable[[re.Match[str]], str]:
    # A box that keeps line breaks keeps a line separator as one.
    separator = "\n" if "\n" in keep else " "

    def out(found: re.Match[str]) -> str:
        char = found[0]
        if char in keep:
            return char
        return separator if char in LINE_SEPARATORS else _unseen_out(found)

    return out


def box_text(text: str, *, keep: str = "") -> str:
    """Return typed text without control characters but those in ``keep``, and without the
    characters that turn text around (``TURNING``): a control that parts words (a tab, a line
    break, a vertical tab) becomes a space, any other (NUL, a bell, an escape) is dropped. A
    line separator (``LINE_SEPARATORS``) becomes a space, or a line break where ``keep`` keeps
    line breaks.

    Format characters that belong to the text stay: a zero-width joiner in an emoji or an Indic
    name. Text with nothing to take out is returned as it is, found by one search.
    """
    if _UNSEEN.search(text) is None:
        return text
    if not keep:
        return _UNSEEN.sub(_unseen_out, text)
    return _UNSEEN.sub(_unseen_out_but(keep), text)


def reason_text(text: str) -> str:
    """Return a typed reason on one line without control or turning characters, or "" when no
    visible character is left (only spaces, controls, zero-width or other format characters)."""
    kept = "".join(
        " " if unicodedata.category(char) == "Cc" else char
        for char in clean_text(text).translate(TURNING)
    )
    reason = " ".join(kept.split())
    if all(unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp") for char in reason):
        return ""
    return reason


class JsonRefused(ValueError):
    """The text is not JSON the desk takes; the message says why, for whoever sent it."""


def json_strict_loads(raw: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Return the JSON value in ``raw``, its text cleaned by ``clean_text``; raise JsonRefused.

    Refused: what is not JSON, NaN and Infinity (Python's parser takes them by default), a
    number too large for a float, nesting deeper than ``max_depth``.
    """
    try:
        value = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise JsonRefused("it is nested too deeply") from exc
    except JsonRefused:
        raise
    except ValueError as exc:
        # UnicodeDecodeError too: bytes that are not UTF-8.
        raise JsonRefused("it is not JSON") from exc
    return _cleaned(value, depth=max_depth)


def _refuse_constant(name: str) -> None:
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise JsonRefused(f"the number {text[:20]}… is too large")
    return number


def _cleaned(value: Any, *, depth: int) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict | list) and depth <= 0:
        raise JsonRefused("it is nested too deeply")
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item, depth=depth - 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_cleaned(item, depth=depth - 1) for item in value]
    return value
