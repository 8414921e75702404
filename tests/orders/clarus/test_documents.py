from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.clarus.documents import (
    HEADER_ATTRIBUTES,
    address_attributes,
    goods_out_document,
    header_attributes,
    stored_header,
)
from orders.domain import DeliveryAddress, LineInput, OrderHeader
from tests.clarus_spec import request_schema
from tests.orders.factories import address_of, cleaned_order, header_of, lines


def document_for(cleaned: dict, line_count: int = 1) -> dict:
    return goods_out_document(
        header=header_of(cleaned), lines=lines(line_count), address=address_of(cleaned)
    )


def test_header_leaves_out_empty_optional_fields():
    attributes = header_attributes(header_of(cleaned_order(order_notes="  ", carrier_id=None)))

    assert attributes == {
        "goods_out_type": "sales_order",
        "account_id": 7,
        "reference": "SO-1001",
        "expected_date_of_dispatch": "2026-12-01T14:30:00+00:00",
    }


def test_dispatch_time_is_sent_with_the_desk_offset():
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=cleaned_order()["expected_date_of_dispatch"].tzinfo)

    attributes = header_attributes(header_of(cleaned_order(expected_date_of_dispatch=summer)))

    assert attributes["expected_date_of_dispatch"] == "2026-07-01T09:00:00+01:00"


def test_naive_dispatch_time_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        header_attributes(
            header_of(cleaned_order(expected_date_of_dispatch=datetime(2026, 7, 1, 9, 0)))
        )


def test_text_is_trimmed():
    attributes = header_attributes(
        header_of(cleaned_order(reference="  SO-9  ", pick_notes=" fragile "))
    )

    assert attributes["reference"] == "SO-9"
    assert attributes["pick_notes"] == "fragile"


@pytest.mark.parametrize(
    ("field", "value", "attribute"),
    [
        ("delivery_name", "Acme Ltd", "name"),
        ("delivery_address_1", "Unit 4", "address_1"),
        ("delivery_address_2", "Mill Lane", "address_2"),
        ("delivery_town", "Leeds", "address_3"),
        ("delivery_county", "West Yorkshire", "address_4"),
        ("delivery_address_5", "Rear entrance", "address_5"),
        ("delivery_postcode", "LS1 4AP", "postcode"),
        ("delivery_country", "IE", "country_code"),
        ("delivery_email", "a@b.example", "email_address"),
        ("delivery_phone", "+44 113 496 0000", "phone_number"),
    ],
)
def test_address_fields_map_to_clarus_attributes(field, value, attribute):
    cleaned = {name: "" for name in cleaned_order() if name.startswith("delivery_")}
    cleaned["delivery_name"] = "Someone"
    cleaned[field] = value

    assert address_attributes(address_of(cleaned))[attribute] == value


def test_a_country_alone_is_no_address():
    cleaned = {name: "" for name in cleaned_order() if name.startswith("delivery_")}
    cleaned["delivery_country"] = "GB"

    assert address_attributes(address_of(cleaned)) == {}


def test_document_puts_address_under_relationships():
    document = document_for(cleaned_order())

    assert "postcode" not in document["data"]["attributes"]
    assert document["data"]["relationships"]["address"]["data"] == {
        "type": "addresses",
        "attributes": {
            "name": "Jo Bloggs Ltd",
            "address_1": "1 High Street",
            "address_3": "Leeds",
            "address_4": "West Yorkshire",
            "postcode": "LS1 4AP",
            "country_code": "GB",
            "email_address": "jo@example.com",
        },
    }


def test_document_without_address_has_no_relationships():
    cleaned = {k: v for k, v in cleaned_order().items() if not k.startswith("delivery_")}

    assert "relationships" not in document_for(cleaned)["data"]


def test_lines_become_add_changes_in_keyed_order():
    document = goods_out_document(
        header=OrderHeader(
            goods_out_type="sales_order",
            account_id=1,
            reference="R",
            expected_date_of_dispatch=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        lines=[
            LineInput(product_id=5, quantity=Decimal("3")),
            LineInput(product_id=9, quantity=Decimal("1.250")),
        ],
        address=DeliveryAddress(),
    )

    assert document["data"]["attributes"]["lines_changes"] == [
        {"type": "ADD", "attributes": {"product_id": 5, "order_quantity": 3}},
        {"type": "ADD", "attributes": {"product_id": 9, "order_quantity": 1.25}},
    ]


def test_whole_quantities_are_json_integers():
    document = document_for(cleaned_order(), line_count=1)

    quantity = document["data"]["attributes"]["lines_changes"][0]["attributes"]["order_quantity"]
    assert quantity == 1
    assert isinstance(quantity, int)


EVERY_HEADER_FIELD = cleaned_order(
    warehouse_id=3,
    priority=1,
    customer_id=11,
    carrier_id=4,
    carrier_service_id=8,
    order_type_id=2,
    dispatch_strategy="auto_shipment",
    pack_strategy="pack_by_unit",
    pick_type="tote",
    delivery_notes="Leave with reception",
    order_notes="Repeat customer",
    pick_notes="Check dates",
    packing_notes="x" * 255,
    load_reference="LOAD-1",
    pick_reference="PICK-1",
    external_system_reference1="EXT-1",
    external_system_reference2="EXT-2",
    external_system_reference3="EXT-3",
    reference="R" * 50,
    delivery_address_2="Mill Lane",
    delivery_address_5="Rear entrance",
    delivery_phone="+44 113 496 0000",
)
ONLY_REQUIRED = {
    "goods_out_type": "work_order",
    "account_id": 1,
    "reference": "SO-1",
    "expected_date_of_dispatch": datetime(2026, 1, 1, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("cleaned", "line_count"),
    [
        pytest.param(EVERY_HEADER_FIELD, 3, id="every-header-field"),
        pytest.param(ONLY_REQUIRED, 0, id="only-required"),
        pytest.param(cleaned_order(), 1, id="one-line"),
        pytest.param(cleaned_order(goods_out_type="crossdock"), 200, id="200-lines"),
    ],
)
def test_document_validates_against_the_clarus_spec(cleaned, line_count):
    document = document_for(cleaned, line_count)

    errors = list(request_schema("/api/goods_outs", "post").iter_errors(document))

    assert errors == []


def test_every_header_field_is_sent_when_filled():
    assert set(header_attributes(header_of(EVERY_HEADER_FIELD))) == set(HEADER_ATTRIBUTES)


def test_spec_check_catches_a_broken_document():
    document = document_for(cleaned_order())
    document["data"]["attributes"]["goods_out_type"] = "sales"

    assert list(request_schema("/api/goods_outs", "post").iter_errors(document))


def test_a_stored_header_reads_back_as_it_was_sent():
    sent = header_attributes(header_of(EVERY_HEADER_FIELD))

    assert header_attributes(stored_header(sent)) == sent
    assert list(header_attributes(stored_header(dict(reversed(sent.items()))))) == list(sent)


def test_a_stored_header_missing_fields_or_odd_dates_reads_back_all_the_same():
    assert stored_header({}) == OrderHeader()
    odd = {"reference": "R-1", "expected_date_of_dispatch": "2026-12-01T14:30"}
    assert header_attributes(stored_header(odd)) == odd
