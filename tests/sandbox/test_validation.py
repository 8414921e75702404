from typing import Any

import pytest

from sandbox import validation
from sandbox.validation import (
    Code,
    content_type_problem,
    goods_out_create_problems,
    parse_json_object,
)
from tests.sandbox.factories import REMOVE, edited, goods_out_document

ATTRS = "data.attributes"
LINE0 = "data.attributes.lines_changes.0"
ADDRESS = "data.relationships.address.data.attributes"


def problems_of(path: str, value: Any) -> list[tuple[int, str | None]]:
    document = edited(goods_out_document(), path, value)
    return [(problem.code, problem.source) for problem in goods_out_create_problems(document)]


def test_valid_document_has_no_problems() -> None:
    assert goods_out_create_problems(goods_out_document()) == []


def test_document_without_address_or_lines_is_valid() -> None:
    document = edited(goods_out_document(), "data.relationships", REMOVE)
    document = edited(document, f"{ATTRS}.lines_changes", REMOVE)

    assert goods_out_create_problems(document) == []


@pytest.mark.parametrize(
    ("path", "value", "code", "source"),
    [
        # Required header attributes: missing, null, or a blank reference.
        (f"{ATTRS}.goods_out_type", REMOVE, Code.REQUIRED, "goods_out_type"),
        (f"{ATTRS}.account_id", REMOVE, Code.REQUIRED, "account_id"),
        (f"{ATTRS}.reference", REMOVE, Code.REQUIRED, "reference"),
        (f"{ATTRS}.expected_date_of_dispatch", REMOVE, Code.REQUIRED, "expected_date_of_dispatch"),
        (f"{ATTRS}.account_id", None, Code.REQUIRED, "account_id"),
        (f"{ATTRS}.reference", "   ", Code.REQUIRED, "reference"),
        # Integers are JSON integers: not strings, bools or floats.
        (f"{ATTRS}.account_id", "1", Code.INVALID_TYPE, "account_id"),
        (f"{ATTRS}.account_id", True, Code.INVALID_TYPE, "account_id"),
        (f"{ATTRS}.account_id", 1.0, Code.INVALID_TYPE, "account_id"),
        (f"{ATTRS}.warehouse_id", "3", Code.INVALID_TYPE, "warehouse_id"),
        (f"{ATTRS}.integer1", [1], Code.INVALID_TYPE, "integer1"),
        (f"{ATTRS}.reference", 1001, Code.INVALID_TYPE, "reference"),
        (f"{ATTRS}.order_notes", {"text": "x"}, Code.INVALID_TYPE, "order_notes"),
        (f"{ATTRS}.boolean1", "true", Code.INVALID_TYPE, "boolean1"),
        (f"{ATTRS}.boolean2", 1, Code.INVALID_TYPE, "boolean2"),
        (
            f"{ATTRS}.expected_date_of_dispatch",
            20260302,
            Code.INVALID_TYPE,
            "expected_date_of_dispatch",
        ),
        # Lengths.
        (f"{ATTRS}.reference", "R" * 51, Code.TOO_LONG, "reference"),
        (f"{ATTRS}.packing_notes", "n" * 256, Code.TOO_LONG, "packing_notes"),
        # Enums.
        (f"{ATTRS}.goods_out_type", "retail", Code.NOT_IN_LIST, "goods_out_type"),
        (f"{ATTRS}.goods_out_type", "", Code.REQUIRED, "goods_out_type"),
        (f"{ATTRS}.dispatch_strategy", "fast", Code.NOT_IN_LIST, "dispatch_strategy"),
        (f"{ATTRS}.pack_strategy", "pack_by_box", Code.NOT_IN_LIST, "pack_strategy"),
        (f"{ATTRS}.pick_type", "batch", Code.NOT_IN_LIST, "pick_type"),
        # Ranges.
        (f"{ATTRS}.priority", 0, Code.OUT_OF_RANGE, "priority"),
        (f"{ATTRS}.priority", 100, Code.OUT_OF_RANGE, "priority"),
        (f"{ATTRS}.drop_sequence", -1, Code.OUT_OF_RANGE, "drop_sequence"),
        # Date-times are RFC 3339 with a time zone.
        (
            f"{ATTRS}.expected_date_of_dispatch",
            "2026-03-02",
            Code.INVALID_FORMAT,
            "expected_date_of_dispatch",
        ),
        (
            f"{ATTRS}.expected_date_of_dispatch",
            "2026-03-02T09:00:00",
            Code.INVALID_FORMAT,
            "expected_date_of_dispatch",
        ),
        (
            f"{ATTRS}.expected_date_of_dispatch",
            "2026-03-02T09:00Z",
            Code.INVALID_FORMAT,
            "expected_date_of_dispatch",
        ),
        (
            f"{ATTRS}.expected_date_of_dispatch",
            "2026-02-30T09:00:00Z",
            Code.INVALID_FORMAT,
            "expected_date_of_dispatch",
        ),
        (
            f"{ATTRS}.expected_date_of_dispatch",
            "02/03/2026 09:00 +00:00",
            Code.INVALID_FORMAT,
            "expected_date_of_dispatch",
        ),
        (
            f"{ATTRS}.actual_date_of_dispatch",
            "soon",
            Code.INVALID_FORMAT,
            "actual_date_of_dispatch",
        ),
        (f"{ATTRS}.datetime1", "2026-03-02T25:00:00Z", Code.INVALID_FORMAT, "datetime1"),
        # Unknown and misplaced attributes.
        (f"{ATTRS}.colour", "red", Code.UNKNOWN_ATTRIBUTE, "colour"),
        (f"{ATTRS}.string6", "x", Code.UNKNOWN_ATTRIBUTE, "string6"),
        (f"{ATTRS}.address_1", "1 High Street", Code.MISPLACED_ADDRESS, "address_1"),
        (f"{ATTRS}.postcode", "LS1 1AA", Code.MISPLACED_ADDRESS, "postcode"),
        (f"{ATTRS}.country_code", "GB", Code.MISPLACED_ADDRESS, "country_code"),
        (f"{ATTRS}.address", {"postcode": "LS1 1AA"}, Code.MISPLACED_ADDRESS, "address"),
        (f"{ATTRS}.lines_changes", {"type": "ADD"}, Code.INVALID_TYPE, "lines_changes"),
        (f"{ATTRS}.lines_changes", None, Code.INVALID_TYPE, "lines_changes"),
    ],
)
def test_header_rule(path: str, value: Any, code: Code, source: str) -> None:
    assert problems_of(path, value) == [(code, source)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{ATTRS}.reference", "R" * 50),
        (f"{ATTRS}.packing_notes", "n" * 255),
        (f"{ATTRS}.priority", 1),
        (f"{ATTRS}.priority", 99),
        (f"{ATTRS}.priority", None),
        (f"{ATTRS}.drop_sequence", 0),
        (f"{ATTRS}.warehouse_id", None),
        (f"{ATTRS}.carrier_id", None),
        (f"{ATTRS}.pick_type", None),
        (f"{ATTRS}.boolean1", False),
        (f"{ATTRS}.goods_out_type", "crossdock"),
        (f"{ATTRS}.dispatch_strategy", "auto_shipment"),
        (f"{ATTRS}.external_system_reference1", "CRM-77"),
        (f"{ATTRS}.expected_date_of_dispatch", "2026-03-02T09:00:00Z"),
        (f"{ATTRS}.expected_date_of_dispatch", "2026-03-02T09:00:00.250+01:00"),
        (f"{ATTRS}.expected_date_of_dispatch", "2026-03-02t09:00:00z"),
        (f"{ATTRS}.expected_date_of_dispatch", "2026-03-02T09:00:00-05:30"),
        (f"{ATTRS}.lines_changes", []),
    ],
)
def test_header_accepts(path: str, value: Any) -> None:
    assert problems_of(path, value) == []


@pytest.mark.parametrize(
    ("path", "value", "code", "source"),
    [
        (f"{ATTRS}.lines_changes.0", "ADD", Code.INVALID_TYPE, "lines_changes[0]"),
        (f"{LINE0}.type", REMOVE, Code.REQUIRED, "lines_changes[0].type"),
        (f"{LINE0}.type", "REMOVE", Code.NOT_IN_LIST, "lines_changes[0].type"),
        (f"{LINE0}.type", "add", Code.NOT_IN_LIST, "lines_changes[0].type"),
        (f"{LINE0}.type", 1, Code.NOT_IN_LIST, "lines_changes[0].type"),
        (f"{LINE0}.type", "UPDATE", Code.NOT_ALLOWED_ON_CREATE, "lines_changes[0].type"),
        (f"{LINE0}.type", "DESTROY", Code.NOT_ALLOWED_ON_CREATE, "lines_changes[0].type"),
        (f"{LINE0}.id", 789, Code.NOT_ALLOWED_ON_CREATE, "lines_changes[0].id"),
        (f"{LINE0}.quantity", 2, Code.UNKNOWN_ATTRIBUTE, "lines_changes[0].quantity"),
        (f"{LINE0}.attributes", REMOVE, Code.REQUIRED, "lines_changes[0].attributes"),
        (f"{LINE0}.attributes", [], Code.INVALID_TYPE, "lines_changes[0].attributes"),
        (f"{LINE0}.attributes.product_id", REMOVE, Code.REQUIRED, "lines_changes[0].product_id"),
        (f"{LINE0}.attributes.product_id", None, Code.REQUIRED, "lines_changes[0].product_id"),
        (f"{LINE0}.attributes.product_id", "123", Code.INVALID_TYPE, "lines_changes[0].product_id"),
        (
            f"{LINE0}.attributes.order_quantity",
            REMOVE,
            Code.REQUIRED,
            "lines_changes[0].order_quantity",
        ),
        (
            f"{LINE0}.attributes.order_quantity",
            0,
            Code.OUT_OF_RANGE,
            "lines_changes[0].order_quantity",
        ),
        (
            f"{LINE0}.attributes.order_quantity",
            -2,
            Code.OUT_OF_RANGE,
            "lines_changes[0].order_quantity",
        ),
        (
            f"{LINE0}.attributes.order_quantity",
            "2",
            Code.INVALID_TYPE,
            "lines_changes[0].order_quantity",
        ),
        (
            f"{LINE0}.attributes.order_quantity",
            True,
            Code.INVALID_TYPE,
            "lines_changes[0].order_quantity",
        ),
        (
            f"{LINE0}.attributes.ordered_configurations_quantity",
            0,
            Code.OUT_OF_RANGE,
            "lines_changes[0].ordered_configurations_quantity",
        ),
        (
            f"{LINE0}.attributes.order_quantity_dimension",
            "mass",
            Code.NOT_IN_LIST,
            "lines_changes[0].order_quantity_dimension",
        ),
        (
            f"{LINE0}.attributes.stock_configuration",
            "pallet",
            Code.NOT_IN_LIST,
            "lines_changes[0].stock_configuration",
        ),
        (
            f"{LINE0}.attributes.dispatch_strategy",
            "fast",
            Code.NOT_IN_LIST,
            "lines_changes[0].dispatch_strategy",
        ),
        (
            f"{LINE0}.attributes.pack_strategy",
            "loose",
            Code.NOT_IN_LIST,
            "lines_changes[0].pack_strategy",
        ),
        (
            f"{LINE0}.attributes.stock_to_pick_id",
            1.5,
            Code.INVALID_TYPE,
            "lines_changes[0].stock_to_pick_id",
        ),
        (
            f"{LINE0}.attributes.alt_product_code",
            99,
            Code.INVALID_TYPE,
            "lines_changes[0].alt_product_code",
        ),
        (
            f"{LINE0}.attributes.datetime1_from",
            "2026-03-02",
            Code.INVALID_FORMAT,
            "lines_changes[0].datetime1_from",
        ),
        (f"{LINE0}.attributes.boolean3", "no", Code.INVALID_TYPE, "lines_changes[0].boolean3"),
        (f"{LINE0}.attributes.sku", "ABC-1", Code.UNKNOWN_ATTRIBUTE, "lines_changes[0].sku"),
        (
            "data.attributes.lines_changes.1.attributes.order_quantity",
            0,
            Code.OUT_OF_RANGE,
            "lines_changes[1].order_quantity",
        ),
    ],
)
def test_line_rule(path: str, value: Any, code: Code, source: str) -> None:
    assert problems_of(path, value) == [(code, source)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{LINE0}.attributes.order_quantity", 0.001),
        (f"{LINE0}.attributes.ordered_configurations_quantity", None),
        (f"{LINE0}.attributes.stock_configuration", "case"),
        (f"{LINE0}.attributes.string1", "BATCH-7"),
        (f"{LINE0}.attributes.datetime2_to", "2026-12-31T23:59:59Z"),
        (f"{LINE0}.attributes.alt_line_number", None),
    ],
)
def test_line_accepts(path: str, value: Any) -> None:
    assert problems_of(path, value) == []


def test_line_index_is_zero_based_in_source_and_one_based_in_details() -> None:
    document = goods_out_document()
    lines = document["data"]["attributes"]["lines_changes"]
    lines.append({"type": "ADD", "attributes": {"product_id": 9, "order_quantity": 0}})

    [problem] = goods_out_create_problems(document)

    assert problem.source == "lines_changes[2].order_quantity"
    assert problem.details.startswith("Line 3: ")


def test_a_line_that_is_not_added_is_refused_once() -> None:
    # DESTROY needs no attributes, so the only problem is the change type itself.
    assert problems_of(f"{ATTRS}.lines_changes", [{"type": "DESTROY", "id": 7}]) == [
        (Code.NOT_ALLOWED_ON_CREATE, "lines_changes[0].type")
    ]


@pytest.mark.parametrize(
    ("path", "value", "code", "source"),
    [
        (f"{ADDRESS}.name", 5, Code.INVALID_TYPE, "address.name"),
        (f"{ADDRESS}.address_1", "a" * 81, Code.TOO_LONG, "address.address_1"),
        (f"{ADDRESS}.address_2", "a" * 81, Code.TOO_LONG, "address.address_2"),
        (f"{ADDRESS}.address_3", "a" * 81, Code.TOO_LONG, "address.address_3"),
        (f"{ADDRESS}.address_4", "a" * 81, Code.TOO_LONG, "address.address_4"),
        (f"{ADDRESS}.address_5", "a" * 81, Code.TOO_LONG, "address.address_5"),
        (f"{ADDRESS}.address_1", ["1 High Street"], Code.INVALID_TYPE, "address.address_1"),
        (f"{ADDRESS}.postcode", "LS1 1AA 999", Code.TOO_LONG, "address.postcode"),
        (f"{ADDRESS}.postcode", 12345, Code.INVALID_TYPE, "address.postcode"),
        (f"{ADDRESS}.country_code", "UK", Code.INVALID_FORMAT, "address.country_code"),
        (f"{ADDRESS}.country_code", "gb", Code.INVALID_FORMAT, "address.country_code"),
        (f"{ADDRESS}.country_code", "GBR", Code.INVALID_FORMAT, "address.country_code"),
        (f"{ADDRESS}.country_code", "G", Code.INVALID_FORMAT, "address.country_code"),
        (f"{ADDRESS}.country_code", "CA-ONTA", Code.TOO_LONG, "address.country_code"),
        (
            f"{ADDRESS}.email_address",
            "jo.example.com",
            Code.INVALID_FORMAT,
            "address.email_address",
        ),
        (f"{ADDRESS}.email_address", "jo@example", Code.INVALID_FORMAT, "address.email_address"),
        (
            f"{ADDRESS}.email_address",
            "j" * 243 + "@example.com",
            Code.TOO_LONG,
            "address.email_address",
        ),
        (f"{ADDRESS}.phone_number", "0" * 51, Code.TOO_LONG, "address.phone_number"),
        (f"{ADDRESS}.code", "HOME", Code.READ_ONLY, "address.code"),
        (f"{ADDRESS}.city", "Leeds", Code.UNKNOWN_ATTRIBUTE, "address.city"),
        (
            "data.relationships.address.data.type",
            "address",
            Code.NOT_IN_LIST,
            "relationships.address.data.type",
        ),
        (
            "data.relationships.address.data.type",
            REMOVE,
            Code.REQUIRED,
            "relationships.address.data.type",
        ),
        (
            "data.relationships.address.data.id",
            4,
            Code.UNKNOWN_ATTRIBUTE,
            "relationships.address.data.id",
        ),
        (
            "data.relationships.address.data.attributes",
            REMOVE,
            Code.REQUIRED,
            "relationships.address.data.attributes",
        ),
        (
            "data.relationships.address.data.attributes",
            "1 High St",
            Code.INVALID_TYPE,
            "relationships.address.data.attributes",
        ),
        ("data.relationships.address.data", None, Code.REQUIRED, "relationships.address.data"),
        ("data.relationships.address.data", [], Code.INVALID_TYPE, "relationships.address.data"),
        (
            "data.relationships.address.links",
            {},
            Code.UNKNOWN_ATTRIBUTE,
            "relationships.address.links",
        ),
        ("data.relationships.address", "LS1 1AA", Code.INVALID_TYPE, "relationships.address"),
        (
            "data.relationships.customer",
            {"data": None},
            Code.UNKNOWN_ATTRIBUTE,
            "relationships.customer",
        ),
        ("data.relationships", [], Code.INVALID_TYPE, "relationships"),
    ],
)
def test_address_rule(path: str, value: Any, code: Code, source: str) -> None:
    assert problems_of(path, value) == [(code, source)]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (f"{ADDRESS}.country_code", "CA-ON"),
        (f"{ADDRESS}.country_code", "US"),
        (f"{ADDRESS}.country_code", None),
        (f"{ADDRESS}.address_1", "a" * 80),
        (f"{ADDRESS}.postcode", "1234567890"),
        (f"{ADDRESS}.email_address", None),
        (f"{ADDRESS}.name", None),
        (f"{ADDRESS}.external_system_reference2", "CRM-ADDR-1"),
        ("data.relationships.address.data.attributes", {}),
        ("data.relationships", {}),
    ],
)
def test_address_accepts(path: str, value: Any) -> None:
    assert problems_of(path, value) == []


@pytest.mark.parametrize(
    ("path", "value", "code", "source"),
    [
        ("data", REMOVE, Code.REQUIRED, "data"),
        ("data", "goods_outs", Code.INVALID_TYPE, "data"),
        ("data.type", REMOVE, Code.REQUIRED, "data.type"),
        ("data.type", "goods_out", Code.NOT_IN_LIST, "data.type"),
        ("data.id", 1, Code.UNKNOWN_ATTRIBUTE, "data.id"),
        ("data.attributes", REMOVE, Code.REQUIRED, "data.attributes"),
        ("data.attributes", [], Code.INVALID_TYPE, "data.attributes"),
    ],
)
def test_envelope_rule(path: str, value: Any, code: Code, source: str) -> None:
    assert problems_of(path, value) == [(code, source)]


def test_a_document_that_is_not_an_object_is_invalid_json() -> None:
    [problem] = goods_out_create_problems([goods_out_document()])

    assert (problem.code, problem.source) == (Code.INVALID_JSON, None)


def test_every_problem_is_reported_at_once() -> None:
    document = goods_out_document()
    attributes = document["data"]["attributes"]
    del attributes["account_id"]
    attributes["reference"] = "R" * 60
    attributes["priority"] = "high"
    attributes["postcode"] = "LS1 1AA"
    attributes["lines_changes"][1]["attributes"]["order_quantity"] = -1
    document["data"]["relationships"]["address"]["data"]["attributes"]["country_code"] = "UK"

    sources = [problem.source for problem in goods_out_create_problems(document)]

    assert len(sources) == 6
    assert set(sources) == {
        "account_id",
        "reference",
        "priority",
        "postcode",
        "lines_changes[1].order_quantity",
        "address.country_code",
    }


def test_problem_json_has_clarus_error_shape() -> None:
    [problem] = goods_out_create_problems(edited(goods_out_document(), f"{ATTRS}.priority", 0))

    assert problem.as_json() == {
        "code": 1005,
        "symbol": "out_of_range",
        "details": "Priority must be between 1 and 99.",
        "source": "priority",
    }


@pytest.mark.parametrize(
    ("path", "value", "details"),
    [
        (f"{ATTRS}.account_id", "1", "Account ID must be a whole number, not text."),
        (f"{ATTRS}.reference", "R" * 51, "Reference must be at most 50 characters (it has 51)."),
        (f"{LINE0}.attributes.order_quantity", 0, "Line 1: Order quantity must be greater than 0."),
        (
            f"{ADDRESS}.postcode",
            "X" * 11,
            "Delivery address: Postcode must be at most 10 characters (it has 11).",
        ),
    ],
)
def test_details_read_as_sentences(path: str, value: Any, details: str) -> None:
    [problem] = goods_out_create_problems(edited(goods_out_document(), path, value))

    assert problem.details == details


def test_codes_are_unique_and_documented() -> None:
    assert len({int(code) for code in Code}) == len(Code)
    assert validation.__doc__ is not None
    for code in Code:
        assert f"{int(code)}  {code.symbol}" in validation.__doc__


@pytest.mark.parametrize(
    "content_type", ["application/json", "APPLICATION/JSON", "Application/Json"]
)
def test_content_type_json_is_accepted(content_type: str) -> None:
    assert content_type_problem(content_type) is None


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/vnd.api+json", ""],
)
def test_other_content_types_are_refused(content_type: str) -> None:
    problem = content_type_problem(content_type)

    assert problem is not None
    assert (problem.code, problem.source) == (Code.UNSUPPORTED_MEDIA_TYPE, "Content-Type")


@pytest.mark.parametrize("body", [b"", b"{", b"[1, 2]", b'"text"', b'{"a": NaN}', b"\xff\xfe{"])
def test_bodies_that_are_not_json_objects_are_refused(body: bytes) -> None:
    problem = parse_json_object(body)

    assert isinstance(problem, validation.Problem)
    assert (problem.code, problem.source) == (Code.INVALID_JSON, None)


def test_json_object_is_parsed() -> None:
    assert parse_json_object('{"data": {"ünï": 1}}'.encode()) == {"data": {"ünï": 1}}
