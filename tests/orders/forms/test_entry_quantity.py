"""A line's quantity box reads figures as an agent writes them: "12", "2.5", "00012", never
"1e2" (100 to Python's Decimal), "1_000" or another script's digits, and says in words what is
wrong when a quantity is too large."""

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.forms.entry import OrderLineForm

PLAIN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def quantity_read(typed: str) -> tuple[Decimal | None, list[str]]:
    """Return the quantity a line with a Clarus-id product reads from ``typed``, and its errors."""
    form = OrderLineForm({"product": "101", "quantity": typed})
    form.is_valid()
    return form.cleaned_data.get("quantity"), [
        str(each) for each in form.errors.get("quantity", [])
    ]


@pytest.mark.parametrize("typed", ["1e2", "1E2", "2e0", "1_000", "١٢", "１２", "0x10", "12e-1"])
def test_a_quantity_not_in_plain_figures_is_refused_not_read_as_a_number(typed):
    quantity, errors = quantity_read(typed)

    assert quantity is None
    assert errors == ["Enter a quantity in figures, e.g. 2 or 2.5."]


@pytest.mark.parametrize(
    ("typed", "read"),
    [("12", 12), ("00012", 12), (" 3 ", 3), ("2.5", Decimal("2.5")), (".5", Decimal("0.5"))],
)
def test_a_quantity_in_figures_is_read(typed, read):
    assert quantity_read(typed) == (read, [])


@pytest.mark.parametrize("typed", ["1000000000", "1e9", "123456789012", "1.2345"])
def test_a_quantity_too_large_or_too_fine_says_what_the_box_takes(typed):
    quantity, errors = quantity_read(typed)

    assert quantity is None
    assert len(errors) == 1
    assert "Ensure" not in errors[0]
    if "e" not in typed:
        assert errors == ["Up to 9 figures before the point and 3 after it: check the quantity."]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=12),
        st.text(alphabet="0123456789.eE_+- ", max_size=12),
        st.from_regex(r"\A[0-9]{1,9}(\.[0-9]{1,3})?\Z"),
    )
)
def test_a_quantity_is_taken_only_as_the_figures_typed(typed):
    quantity, errors = quantity_read(typed)

    if quantity is not None and typed.strip():
        assert PLAIN.fullmatch(typed.strip()), typed
        assert quantity == Decimal(typed.strip())
    if typed.strip() and not re.fullmatch(r"-?" + PLAIN.pattern, typed.strip(), re.ASCII):
        assert errors
