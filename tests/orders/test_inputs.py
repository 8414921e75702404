"""The one way the desk reads ids, indexes, text and JSON from outside (orders.inputs)."""

import json
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.inputs import (
    MAX_BIGINT,
    JsonRefused,
    box_text,
    clean_text,
    id_from_json,
    id_from_text,
    index_from_text,
    json_strict_loads,
)
from tests.json_strings import json_strings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        ("007", 7),
        (str(MAX_BIGINT), MAX_BIGINT),
        (str(MAX_BIGINT + 1), None),
        ("9" * 25, None),
        ("9" * 5000, None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1_000", None),
        ("²", None),
        ("٣", None),
        ("1\x00", None),
        ("", None),
        (None, None),
        (7, None),
    ],
)
def test_an_id_is_ascii_digits_that_fit_a_bigint(text, expected):
    assert id_from_text(text) == expected


def test_an_id_can_be_bounded_to_fewer_digits():
    assert id_from_text("123456789", max_digits=9) == 123456789
    assert id_from_text("1234567890", max_digits=9) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (41, 41),
        ("41", 41),
        (MAX_BIGINT, MAX_BIGINT),
        (MAX_BIGINT + 1, None),
        (0, None),
        (True, None),
        (41.0, None),
        (float("inf"), None),
        ("²", None),
        ([41], None),
    ],
)
def test_an_id_in_json_is_a_whole_number_or_its_digits(value, expected):
    assert id_from_json(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("199", 199), ("200", None), ("²", None), ("-1", None), ("1" * 30, None)],
)
def test_an_index_is_ascii_digits_below_its_bound(text, expected):
    assert index_from_text(text, below=200) == expected


def test_clean_text_drops_nul_and_replaces_lone_surrogates():
    assert clean_text("a\x00b\x00") == "ab"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("Zoë 😀") == "Zoë 😀"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("NaN", "NaN is not a JSON number"),
        ('{"a": Infinity}', "Infinity is not a JSON number"),
        ("[-Infinity]", "-Infinity is not a JSON number"),
        ("1e400", "too large"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("[" * 33 + "]" * 33, "nested too deeply"),
        ("{", "not JSON"),
        (b"\xff", "not JSON"),
        ("1" * 5000, "not JSON"),
    ],
)
def test_strict_json_refuses_what_rfc_8259_does_not_allow(raw, reason):
    with pytest.raises(JsonRefused, match=reason):
        json_strict_loads(raw)


def test_strict_json_cleans_text_and_keys_and_keeps_big_integers():
    raw = '{"a\\u0000": ["b\\u0000c", "\\ud800"], "n": 100000000000000000000000000000}'

    assert json_strict_loads(raw) == {"a": ["bc", "\ufffd"], "n": 10**29}


def test_strict_json_takes_nesting_up_to_its_bound():
    assert json_strict_loads("[" * 32 + "]" * 32) is not None
    assert json_strict_loads('{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}
    with pytest.raises(JsonRefused):
        json_strict_loads('{"a": {"b": {}}}', max_depth=2)


@given(st.text())
def test_an_id_from_any_text_is_none_or_fits_a_bigint(text):
    number = id_from_text(text)

    assert number is None or 1 <= number <= MAX_BIGINT
    assert number is None or text.strip().isascii()


@given(st.text())
def test_clean_text_of_any_text_can_be_stored(text):
    cleaned = clean_text(text)

    assert "\x00" not in cleaned
    cleaned.encode("utf-8")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(), children),
    max_leaves=10,
)


@given(JSON)
def test_strict_json_of_anything_is_refused_or_storable(value):
    raw = json.dumps(value)
    try:
        parsed = json_strict_loads(raw)
    except JsonRefused:
        return

    # What it returns PostgreSQL can store: finite numbers, text without NUL, valid UTF-8.
    assert not any("\x00" in text for text in json_strings(parsed))
    json.dumps(parsed, allow_nan=False, ensure_ascii=False).encode("utf-8")


# --- Text typed into a box --------------------------------------------------------------------

TURNING = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
SEPARATORS = {"\u2028", "\u2029"}
BOX_CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(categories=["Cc"]),
    st.sampled_from([*sorted(TURNING), *sorted(SEPARATORS), "\u200d", "\u200b", "\ufeff"]),
)


def unseen(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in TURNING or char in SEPARATORS


@pytest.mark.parametrize(
    ("typed", "keep", "kept"),
    [
        ("Harbour Cafe", "", "Harbour Cafe"),
        ("Harbour\tCafe", "", "Harbour Cafe"),
        ("Harbour\r\nCafe\x0b\x0c\x1c\x85", "", "Harbour  Cafe    "),
        ("\x00Ha\x07rb\x1bour\x7f\x9b", "", "Harbour"),
        ("\u202eruobraH\u202c \u2067Cafe\u2069", "", "ruobraH Cafe"),
        ("\U0001f468\u200d\U0001f469 \u0915\u094d\u200d\u0937", "", None),
        ("Ring\x07\r\nLeave\there\x00", "\t\n\r", "Ring\r\nLeave\there"),
        ("4 Kirkstall Road\u2028Burley\u2029Leeds", "", "4 Kirkstall Road Burley Leeds"),
        ("Ring the bell\u2028Leave it\u2029here", "\t\n\r", "Ring the bell\nLeave it\nhere"),
    ],
)
def test_box_text_drops_controls_and_turning_characters_and_keeps_the_rest(typed, keep, kept):
    assert box_text(typed, keep=keep) == (typed if kept is None else kept)


@given(st.text(alphabet=BOX_CHARACTERS, max_size=60))
def test_box_text_keeps_every_character_but_the_unseen_in_place(typed):
    kept = box_text(typed)
    notes = box_text(typed, keep="\t\n\r")

    assert not any(unseen(char) for char in kept)
    assert not any(unseen(char) for char in notes if char not in "\t\n\r")
    # What is seen stays, in its place; a control that parts words leaves a space.
    assert kept == "".join(
        char if not unseen(char) else " " if char.isspace() else "" for char in typed
    )
    assert notes == "".join(
        char
        if char in "\t\n\r" or not unseen(char)
        else "\n"
        if char in SEPARATORS
        else " "
        if char.isspace()
        else ""
        for char in typed
    )
