"""UK postcodes checked and written as Royal Mail writes them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.forms.postcodes import UK_POSTCODE, uk_postcode_normalise


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ls14ap", "LS1 4AP"),
        ("LS1 4AP", "LS1 4AP"),
        ("  ls1   4ap ", "LS1 4AP"),
        ("sw1a1aa", "SW1A 1AA"),
        ("m171aa", "M17 1AA"),
        ("w1a 0ax", "W1A 0AX"),
        ("ec1a1bb", "EC1A 1BB"),
        ("b338th", "B33 8TH"),
        ("cr26xh", "CR2 6XH"),
        ("dn551pt", "DN55 1PT"),
        ("gir0aa", "GIR 0AA"),
        # Full-width letters and digits, as some keyboards type them.
        ("ＬＳ１４ＡＰ", "LS1 4AP"),
    ],
)
def test_uk_postcodes_are_written_one_way(typed, written):
    assert uk_postcode_normalise(typed) == written


@pytest.mark.parametrize(
    "typed", ["", "LS1", "LS1 4A", "LS1 4AK", "1LS 4AP", "QS1 4AP", "LS1-4AP", "75008", "K1A 0B1"]
)
def test_what_is_not_a_uk_postcode_is_refused(typed):
    assert uk_postcode_normalise(typed) is None


AREA = st.sampled_from(["L", "LS", "M", "SW", "EC", "B", "DN", "W", "CR"])
DISTRICT = st.one_of(
    st.integers(0, 99).map(str),
    st.tuples(st.integers(1, 9), st.sampled_from("ABEHMNPRVWXY")).map(lambda p: f"{p[0]}{p[1]}"),
)
INWARD = st.tuples(
    st.integers(0, 9), st.text(alphabet="ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2)
).map(lambda p: f"{p[0]}{p[1]}")


@settings(max_examples=300, deadline=None)
@given(
    AREA,
    DISTRICT,
    INWARD,
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.text(" ", max_size=3),
)
def test_any_spacing_and_case_give_the_one_written_form(area, district, inward, lower, gap):
    written = f"{area}{district} {inward}"
    typed = "".join(
        char.lower() if down else char
        for char, down in zip(written.replace(" ", gap), lower * 2, strict=False)
    )

    assert uk_postcode_normalise(typed) == written


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=50))
def test_any_text_is_a_postcode_in_its_written_form_or_none(text):
    written = uk_postcode_normalise(text)

    if written is not None:
        assert UK_POSTCODE.fullmatch(written.replace(" ", ""))
        assert written == written.upper().strip()
        assert written[-4] == " "
        assert uk_postcode_normalise(written) == written
