"""What a login's name may be: one form of each name, nothing invisible, one script.

A name is kept in Unicode's NFKC form, so ``agent`` typed in full-width letters (U+FF41 …)
and ``agent`` are the same login, at creation and at sign-in (Django's sign-in form looks the
typed name up in NFKC too). NFKC does not remove what cannot be seen, so a name with a
zero-width space, another format character (Unicode category Cf), a control character or a
space is refused rather than quietly cleaned: ``agent`` followed by a zero-width space would
otherwise look exactly like ``agent``. So is a name whose letters come from more than one
script (a Cyrillic a, U+0430, among Latin letters looks like a Latin one), except the mixes that
one language writes together (Unicode's "highly restrictive" profile, UTS #39 §5.2): Latin with
Han and Japanese kana, with Han and Bopomofo, or with Han and Hangul.

The script of a letter is read from its Unicode name (``CYRILLIC SMALL LETTER A``): the
standard library has no script property, and a name read too cautiously only refuses more.
"""

import unicodedata

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

MAX_LENGTH = 150

# Categories never allowed in a name: format (zero-width and direction marks), control,
# unassigned, private use, surrogates, and every kind of space or line break.
INVISIBLE = frozenset({"Cf", "Cc", "Cn", "Co", "Cs"})
SPACES = frozenset({"Zs", "Zl", "Zp"})

# Scripts that one language writes together (UTS #39 "highly restrictive").
ALLOWED_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# Unicode names whose first word is not the script's own name.
SCRIPT_OF_PREFIX = {
    "CJK": "HAN",
    "IDEOGRAPHIC": "HAN",
    "KATAKANA-HIRAGANA": "KATAKANA",
    "ARABIC-INDIC": "ARABIC",
    "EXTENDED": "ARABIC",
}

_validator = UnicodeUsernameValidator()


def username_script(char: str) -> str | None:
    """Return the script of a letter or digit as an upper-case word, None for common marks."""
    if char.isascii():
        return "LATIN" if char.isalpha() else None
    if not char.isalnum():
        return None
    first = unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]
    return SCRIPT_OF_PREFIX.get(first, first)


def username_scripts(name: str) -> frozenset[str]:
    return frozenset(script for char in name if (script := username_script(char)))


def username_clean(raw: str) -> str:
    """Return the one form of ``raw`` the desk keeps, or raise ValidationError saying why not."""
    if not raw:
        raise ValidationError("Enter a username.", code="required")
    if len(raw) > MAX_LENGTH:
        raise ValidationError(
            f"Usernames are at most {MAX_LENGTH} characters long.", code="max_length"
        )
    name = unicodedata.normalize("NFKC", raw)
    categories = {unicodedata.category(char) for char in raw + name}
    if categories & INVISIBLE:
        raise ValidationError(
            "Usernames cannot contain invisible or control characters "
            "(such as a zero-width space): type the name again by hand.",
            code="invisible",
        )
    if categories & SPACES:
        raise ValidationError("Usernames cannot contain spaces.", code="spaces")
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            f"Usernames are at most {MAX_LENGTH} characters long.", code="max_length"
        )
    _validator(name)
    scripts = username_scripts(name)
    if len(scripts) > 1 and not any(scripts <= mix for mix in ALLOWED_MIXES):
        raise ValidationError(
            "Usernames cannot mix alphabets (for example Latin letters with Cyrillic or "
            "Greek ones that look the same): use letters of one alphabet.",
            code="mixed_scripts",
        )
    return name
