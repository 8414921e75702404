"""The amendment document: every operation valid against Clarus's PATCH request schema, and
applying the diff of two orders to the first gives the second (Hypothesis)."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.clarus.amendments import (
    LINE_REMOVE,
    amendment_document,
    document_applied,
    standing_essence,
    standing_matches,
)
from orders.domain import (
    DeliveryAddress,
    OrderHeader,
    StandingLine,
    StandingOrder,
    amendment_between,
    standing_from_json,
    standing_json,
)
from tests.clarus_spec import request_schema

LONDON = ZoneInfo("Europe/London")
PATCH = ("/api/goods_outs/{id}", "patch")


def header(**changes):
    values = {
        "goods_out_type": "sales_order",
        "account_id": 7,
        "reference": "SO-1001",
        "expected_date_of_dispatch": datetime(2026, 12, 1, 14, 30, tzinfo=LONDON),
        **changes,
    }
    return OrderHeader(**values)


BEFORE = StandingOrder(
    header=header(order_notes="Leave at the door"),
    address=DeliveryAddress(name="Jo Bloggs", address_1="1 High Street", postcode="LS1 4AP"),
    lines=(
        StandingLine(11, 101, Decimal(4), "MUG-BLU-0001"),
        StandingLine(12, 102, Decimal(1), "TWL-TEA-0555"),
    ),
)


def document_for(after):
    return amendment_document(amendment=amendment_between(BEFORE, after), after=after)


def test_every_line_operation_is_valid_against_the_patch_schema():
    after = StandingOrder(
        header=BEFORE.header,
        address=BEFORE.address,
        lines=(
            StandingLine(11, 101, Decimal(6)),
            StandingLine(None, 303, Decimal("2.5"), "MUG-NVY-0060"),
        ),
    )

    document = document_for(after)

    request_schema(*PATCH).validate(document)
    changes = document["data"]["attributes"]["lines_changes"]
    assert changes == [
        {"type": "UPDATE", "id": 11, "attributes": {"order_quantity": 6}},
        {"type": LINE_REMOVE, "id": 12},
        {"type": "ADD", "attributes": {"product_id": 303, "order_quantity": 2.5}},
    ]
    assert LINE_REMOVE == "DESTROY"


def test_a_header_and_address_change_is_valid_and_carries_the_required_attributes():
    after = StandingOrder(
        header=header(order_notes="", priority=3),
        address=DeliveryAddress(name="Jo Bloggs", address_1="2 Low Street", postcode="LS1 4AP"),
        lines=BEFORE.lines,
    )

    document = document_for(after)

    request_schema(*PATCH).validate(document)
    attributes = document["data"]["attributes"]
    # An emptied field is sent as null; an unchanged optional one not at all.
    assert attributes == {
        "goods_out_type": "sales_order",
        "account_id": 7,
        "reference": "SO-1001",
        "expected_date_of_dispatch": "2026-12-01T14:30:00+00:00",
        "priority": 3,
        "order_notes": None,
    }
    address = document["data"]["relationships"]["address"]["data"]
    assert address == {
        "type": "addresses",
        "attributes": {"name": "Jo Bloggs", "address_1": "2 Low Street", "postcode": "LS1 4AP"},
    }


def test_a_product_change_on_a_kept_line_updates_its_product():
    after = StandingOrder(
        BEFORE.header, BEFORE.address, (StandingLine(11, 109, Decimal(4)), BEFORE.lines[1])
    )

    changes = document_for(after)["data"]["attributes"]["lines_changes"]

    assert changes == [{"type": "UPDATE", "id": 11, "attributes": {"product_id": 109}}]


def test_no_change_is_an_empty_amendment():
    assert amendment_between(BEFORE, BEFORE).empty


def test_a_standing_order_survives_its_json():
    assert standing_from_json(standing_json(BEFORE)) == BEFORE


@pytest.mark.parametrize("broken", [{}, {"header": {}}, {"header": {"nope": 1}, "address": {}}])
def test_a_damaged_standing_order_is_refused(broken):
    with pytest.raises(ValueError, match="standing order"):
        standing_from_json(broken)


quantities = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(9999), places=3)
texts = st.sampled_from(["", "Ring first", "Fragile", "Leave with a neighbour"])
postcodes = st.sampled_from(["LS1 4AP", "M1 1AE", ""])


@st.composite
def standing_orders(draw, *, ids=True, start=1):
    count = draw(st.integers(min_value=1, max_value=6))
    lines = tuple(
        StandingLine(
            start + n if ids else None,
            draw(st.integers(min_value=1, max_value=50)),
            draw(quantities),
        )
        for n in range(count)
    )
    return StandingOrder(
        header=header(
            order_notes=draw(texts),
            pick_notes=draw(texts),
            priority=draw(st.one_of(st.none(), st.integers(min_value=1, max_value=99))),
            expected_date_of_dispatch=datetime(
                2026, 12, draw(st.integers(min_value=1, max_value=28)), 14, 30, tzinfo=LONDON
            ),
        ),
        address=DeliveryAddress(name="Jo", address_1=draw(texts), postcode=draw(postcodes)),
        lines=lines,
    )


@st.composite
def before_and_after(draw):
    before = draw(standing_orders())
    kept = []
    for line in before.lines:
        action = draw(st.sampled_from(["keep", "quantity", "product", "remove"]))
        if action == "keep":
            kept.append(line)
        elif action == "quantity":
            kept.append(StandingLine(line.line_id, line.product_id, draw(quantities)))
        elif action == "product":
            kept.append(StandingLine(line.line_id, draw(st.integers(1, 50)), line.quantity))
    added = draw(standing_orders(ids=False))
    lines = tuple(kept) + added.lines[: draw(st.integers(0, len(added.lines)))]
    if not lines:
        lines = added.lines[:1]
    return before, StandingOrder(added.header, added.address, lines)


@settings(max_examples=150, deadline=None)
@given(before_and_after())
def test_applying_the_diff_of_two_orders_to_the_first_gives_the_second(pair):
    before, after = pair

    document = document_for_pair(before, after)
    applied = document_applied(before, document)

    assert standing_essence(applied) == standing_essence(after)
    assert standing_matches(applied, after)
    assert request_schema(*PATCH).is_valid(document)


@settings(max_examples=50, deadline=None)
@given(before_and_after())
def test_an_order_changed_otherwise_does_not_match_the_amendment(pair):
    before, after = pair
    applied = document_applied(before, document_for_pair(before, after))
    other = StandingOrder(
        applied.header,
        applied.address,
        (*applied.lines, StandingLine(999, 51, Decimal(1))),
    )

    assert not standing_matches(other, after)


def document_for_pair(before, after):
    return amendment_document(amendment=amendment_between(before, after), after=after)
