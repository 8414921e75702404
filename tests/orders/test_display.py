"""Labels and formats shared by the pages: stored orders and Clarus's reasons in the entry
form's words, durations and shares."""

import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders import display
from orders.clarus.errors import source_target
from orders.domain import DeliveryAddress, FieldRef, Refusal


def test_stored_order_is_labelled_in_the_agents_words():
    header = {"goods_out_type": "work_order", "reference": "SO-1", "pick_type": "tote"}
    address = DeliveryAddress(town="Leeds", country="GB")

    assert display.header_rows(header) == [
        ("Order type", "Work order"),
        ("Order reference", "SO-1"),
        ("Picking", "Tote"),
    ]
    assert display.address_rows(address) == [("Town or city", "Leeds"), ("Country", "GB")]


def test_the_dispatch_date_reads_as_people_say_it_in_the_desks_time_zone():
    # Stored as Clarus takes it (ISO 8601 with an offset); shown as the keyed-at times are.
    winter = {"expected_date_of_dispatch": "2026-12-10T14:30:00+00:00"}
    summer = {"expected_date_of_dispatch": "2026-07-01T13:30:00+00:00"}

    assert display.header_rows(winter) == [("Dispatch by", "10 Dec 2026 14:30")]
    assert display.header_rows(summer) == [("Dispatch by", "1 Jul 2026 14:30")]


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_a_dispatch_date_that_is_not_an_iso_time_is_shown_as_it_is(text):
    try:
        datetime.fromisoformat(text)
    except ValueError:
        iso = False
    else:
        iso = True
    rows = display.header_rows({"expected_date_of_dispatch": text})

    assert len(rows) == 1
    if not iso:
        assert rows == [("Dispatch by", text)]


def test_a_picked_id_is_shown_with_its_code_and_name():
    header = {"account_id": 7, "warehouse_id": 3, "reference": "SO-1"}
    labels = {"account_id": {"code": "ACME", "name": "Acme Homeware Ltd"}}

    assert display.header_rows(header, labels) == [
        ("Account id", "7 (ACME · Acme Homeware Ltd)"),
        ("Warehouse id", "3"),
        ("Order reference", "SO-1"),
    ]


@pytest.mark.parametrize(
    ("source", "label"),
    [
        ("reference", "Order reference"),
        ("account_id", "Account"),
        ("address.postcode", "Postcode"),
        ("lines_changes[1].product_id", "Line 2, product"),
        ("lines_changes[0].order_quantity", "Line 1, quantity"),
        ("lines_changes[n].product_id", "Product, on a line"),
        ("data.relationships", "data.relationships"),
        (None, ""),
    ],
)
def test_clarus_sources_read_in_the_forms_words(source, label):
    assert display.field_label(source_target(source), source or "") == label


def test_clarus_s_reasons_are_listed_by_field_saying_the_line_once():
    rows = display.refusal_rows(
        [
            Refusal(
                "Line 2: no such product", source="x", target=FieldRef("line", "product_id", 1)
            ),
            Refusal("Taken", source="reference", target=FieldRef("header", "reference")),
            Refusal("Odd", source="data.type"),
        ]
    )

    assert rows == [
        {"field": "Line 2, product", "details": "no such product"},
        {"field": "Order reference", "details": "Taken"},
        {"field": "data.type", "details": "Odd"},
    ]


def test_durations_and_shares_read_as_people_say_them():
    assert display.as_minutes_and_seconds(timedelta(seconds=245)) == "4 min 05 s"
    assert display.as_minutes_and_seconds(timedelta(seconds=42)) == "42 s"
    assert display.as_minutes_and_seconds(None) == "—"
    assert display.share(0.0485) == "4.9%"
    assert display.share(None) == "—"
    assert display.percent(0.25) == "25%"
    assert display.count(12345) == "12,345"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_pretty_json_writes_what_json_dumps_writes_indented(value):
    text = json.dumps(value)

    assert display.pretty_json(text) == json.dumps(json.loads(text), indent=2, ensure_ascii=False)


@pytest.mark.parametrize("text", ["", "not json", "{'a': 1}", "[1,", "  "])
def test_pretty_json_leaves_what_is_not_json_as_it_is(text):
    assert display.pretty_json(text) == text
