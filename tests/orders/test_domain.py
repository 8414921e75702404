"""The desk's own dataclasses (``orders/domain.py``)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.domain import GoodsOutStatus

# A status name as Clarus writes them: words of letters, separated by single spaces (its codes
# are ASCII capitals).
WORDS = st.lists(
    st.text(st.characters(categories=["Lu", "Ll"], codec="ascii"), min_size=1), min_size=1
)


@given(WORDS, st.sampled_from(["_", " ", "-"]))
def test_a_code_that_spells_the_name_adds_nothing(words, separator):
    name = " ".join(words)

    status = GoodsOutStatus(goods_out_id=1, code=separator.join(words).upper(), name=name)

    assert not status.code_adds


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("BACKORDER", "Awaiting stock"),
        ("ON_HOLD", "Held"),
        ("PENDING", "Pending review"),
        ("AWAITING_PICK", "Awaiting picking"),
    ],
)
def test_a_code_that_says_more_than_the_name_is_shown(code, name):
    assert GoodsOutStatus(goods_out_id=1, code=code, name=name).code_adds


def test_no_code_is_never_shown():
    assert not GoodsOutStatus(goods_out_id=1, code="", name="Pending").code_adds
