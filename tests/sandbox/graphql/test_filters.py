"""Every filter operator, checked against the same question asked of the rows in Python."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox import catalogue
from tests.sandbox.graphql.conftest import Ask, Catalogue, fetch_all, ids

Products = list[catalogue.Product]

# like and ilike are SQL of their own per database: check them on PostgreSQL too.
pytestmark = pytest.mark.postgres


def product_ids(ask: Ask, row_filter: dict[str, Any]) -> list[str]:
    return ids(fetch_all(ask, "products", "id", row_filter))


def expected(rows: Products, keep: Any) -> list[str]:
    return [str(row.pk) for row in rows if keep(row)]


def acme(model: type[Any]) -> Any:
    return model._default_manager.filter(subdomain__slug="acme").order_by("pk")


# String operators ----------------------------------------------------------------------------


def test_string_eq_is_exact(ask: Ask, seeded: Catalogue) -> None:
    row = seeded.products[5]

    assert product_ids(ask, {"code": {"eq": row.code}}) == [str(row.pk)]
    assert product_ids(ask, {"code": {"eq": row.code.lower()}}) == []
    assert product_ids(ask, {"code": {"eq": row.code[:-1]}}) == []


def test_string_in(ask: Ask, seeded: Catalogue) -> None:
    rows = seeded.products[3:6]

    found = product_ids(ask, {"code": {"in": [row.code for row in rows] + ["NOPE"]}})

    assert found == [str(row.pk) for row in rows]


def test_string_between_is_inclusive(ask: Ask, seeded: Catalogue) -> None:
    low, high = "MUG-BLU-0000", "MUG-RED-9999"

    found = product_ids(ask, {"code": {"between": [low, high]}})

    assert found == expected(seeded.products, lambda row: low <= row.code <= high)
    assert found


def test_ilike_without_wildcard_matches_anywhere_ignoring_case(ask: Ask, seeded: Catalogue) -> None:
    found = product_ids(ask, {"description": {"ilike": "BLUE"}})

    assert found == expected(seeded.products, lambda row: "blue" in row.description.lower())
    assert found


def test_ilike_percent_makes_the_pattern_whole(ask: Ask, seeded: Catalogue) -> None:
    found = product_ids(ask, {"description": {"ilike": "%blue%mug%"}})

    pattern = re.compile(".*blue.*mug.*", re.IGNORECASE)
    assert found == expected(seeded.products, lambda row: pattern.fullmatch(row.description))
    assert found
    assert product_ids(ask, {"description": {"ilike": "blue%mug"}}) == expected(
        seeded.products,
        lambda row: re.fullmatch("blue.*mug", row.description, re.IGNORECASE),
    )


def test_like_is_case_sensitive(ask: Ask, seeded: Catalogue) -> None:
    capital = product_ids(ask, {"description": {"like": "Blue"}})

    assert capital == expected(seeded.products, lambda row: "Blue" in row.description)
    assert capital
    # Colours are capitalised only at the start of a description.
    assert product_ids(ask, {"description": {"like": "blue"}}) == []


def test_like_prefix_and_suffix(ask: Ask, seeded: Catalogue) -> None:
    assert product_ids(ask, {"code": {"like": "MUG-%"}}) == expected(
        seeded.products, lambda row: row.code.startswith("MUG-")
    )
    assert product_ids(ask, {"code": {"ilike": "%-0007"}}) == expected(
        seeded.products, lambda row: row.code.endswith("-0007")
    )
    assert product_ids(ask, {"code": {"like": "mug-%"}}) == []


def test_underscore_and_glob_characters_are_literal(ask: Ask) -> None:
    assert product_ids(ask, {"code": {"ilike": "MUG_BLU"}}) == []
    assert product_ids(ask, {"code": {"like": "MUG?BLU"}}) == []
    assert product_ids(ask, {"code": {"like": "*"}}) == []
    assert product_ids(ask, {"code": {"like": "[M]UG"}}) == []


def test_between_needs_two_values(ask: Ask) -> None:
    result = ask(
        "query($f: ProductsFilterType) { products { all(filter: $f) { edges { cursor } } } }",
        {"f": {"code": {"between": ["A"]}}},
    )

    assert "between takes two values" in result["errors"][0]["message"]


# all_codes -----------------------------------------------------------------------------------


def test_all_codes_finds_a_product_by_any_of_its_codes(ask: Ask, seeded: Catalogue) -> None:
    row = next(row for row in seeded.products if row.inner_barcode and row.outer_barcode)

    for value in (row.code, row.barcode, row.case_barcode, row.inner_barcode, row.outer_barcode):
        assert product_ids(ask, {"all_codes": {"eq": value}}) == [str(row.pk)], value


def test_all_codes_in(ask: Ask, seeded: Catalogue) -> None:
    first, second = seeded.products[1], seeded.products[2]

    found = product_ids(ask, {"all_codes": {"in": [first.barcode, second.case_barcode]}})

    assert found == [str(first.pk), str(second.pk)]


def test_the_single_barcode_filters(ask: Ask, seeded: Catalogue) -> None:
    row = next(row for row in seeded.products if row.outer_barcode)

    assert product_ids(ask, {"barcode": {"eq": row.barcode}}) == [str(row.pk)]
    assert product_ids(ask, {"case_barcode": {"eq": row.case_barcode}}) == [str(row.pk)]
    assert product_ids(ask, {"outer_barcode": {"eq": row.outer_barcode}}) == [str(row.pk)]
    assert product_ids(ask, {"barcode": {"eq": row.case_barcode}}) == []


# Integer, decimal and boolean operators ------------------------------------------------------


@pytest.mark.parametrize(
    ("operators", "keep"),
    [
        ({"eq": 30}, lambda value: value == 30),
        ({"gt": 30}, lambda value: value > 30),
        ({"gteq": 60}, lambda value: value >= 60),
        ({"lt": 90}, lambda value: value < 90),
        ({"lteq": 60}, lambda value: value <= 60),
        ({"between": [30, 60]}, lambda value: 30 <= value <= 60),
        ({"gt": 30, "lt": 90}, lambda value: 30 < value < 90),
    ],
)
def test_integer_operators(ask: Ask, operators: dict[str, Any], keep: Any) -> None:
    found = ids(fetch_all(ask, "customers", "id", {"shelf_life_min": operators}))

    rows = acme(catalogue.Customer)
    wanted = [
        str(row.pk) for row in rows if row.shelf_life_min is not None and keep(row.shelf_life_min)
    ]
    assert found == wanted
    assert wanted


@pytest.mark.parametrize(
    ("field", "operators", "keep"),
    [
        ("available", {"eq": 0}, lambda value: value == 0),
        ("available", {"gt": 1500}, lambda value: value > 1500),
        ("available", {"gteq": 1900.0}, lambda value: value >= 1900),
        ("allocated", {"lt": 1}, lambda value: value < 1),
        ("picked", {"lteq": 2}, lambda value: value <= 2),
        ("available", {"between": [10, 20.5]}, lambda value: 10 <= value <= 20.5),
    ],
)
def test_decimal_operators(ask: Ask, field: str, operators: dict[str, Any], keep: Any) -> None:
    found = ids(fetch_all(ask, "stock_balances", "id", {field: operators}))

    wanted = [str(row.pk) for row in acme(catalogue.StockBalance) if keep(getattr(row, field))]
    assert found == wanted
    assert wanted


def test_boolean_eq(ask: Ask) -> None:
    short = fetch_all(ask, "accounts", "code", {"is_short_pickable": {"eq": True}})
    inactive = fetch_all(ask, "carrier_services", "code", {"active": {"eq": False}})
    external = fetch_all(ask, "carriers", "code", {"carrier_externally_registered": {"eq": True}})
    duty = fetch_all(ask, "order_types", "code", {"duty_payable": {"eq": True}})

    assert [node["code"] for node in short] == ["ACME", "KITE"]
    assert [node["code"] for node in inactive] == ["DPDSAT"]
    assert [node["code"] for node in external] == ["DPD"]
    assert [node["code"] for node in duty] == ["EXP"]


# Id operators ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lookup", ["eq", "gt", "gteq", "lt", "lteq"])
def test_id_comparisons(ask: Ask, seeded: Catalogue, lookup: str) -> None:
    pivot = seeded.products[10].pk
    compare = {
        "eq": lambda pk: pk == pivot,
        "gt": lambda pk: pk > pivot,
        "gteq": lambda pk: pk >= pivot,
        "lt": lambda pk: pk < pivot,
        "lteq": lambda pk: pk <= pivot,
    }[lookup]

    found = ids(fetch_all(ask, "stock_balances", "id", {"product_id": {lookup: str(pivot)}}))

    wanted = [str(row.pk) for row in acme(catalogue.StockBalance) if compare(row.product_id)]
    assert found == wanted
    assert wanted


def test_id_in_takes_strings_or_numbers(ask: Ask) -> None:
    warehouses = list(acme(catalogue.Warehouse).values_list("pk", flat=True))

    found = ids(
        fetch_all(
            ask,
            "stock_balances",
            "id",
            {"warehouse_id": {"in": [warehouses[0], str(warehouses[2])]}},
        )
    )

    wanted = [
        str(row.pk)
        for row in acme(catalogue.StockBalance)
        if row.warehouse_id in (warehouses[0], warehouses[2])
    ]
    assert found == wanted


def test_id_filled(ask: Ask) -> None:
    customers = list(acme(catalogue.Customer))
    catalogue.Customer.objects.filter(pk=customers[3].pk).update(pick_label_id=7)

    filled = ids(fetch_all(ask, "customers", "id", {"pick_label_id": {"filled": True}}))
    empty = ids(fetch_all(ask, "customers", "id", {"pick_label_id": {"filled": False}}))
    labelled = ids(fetch_all(ask, "customers", "id", {"pick_label_id": {"eq": "7"}}))

    assert filled == labelled == [str(customers[3].pk)]
    assert empty == [str(row.pk) for row in customers if row is not customers[3]]


def test_a_non_numeric_id_is_an_error(ask: Ask) -> None:
    result = ask(
        "query($f: ProductsFilterType) { products { all(filter: $f) { edges { cursor } } } }",
        {"f": {"account_id": {"eq": "ACME"}}},
    )

    assert "'ACME' is not an id" in result["errors"][0]["message"]


def test_products_of_an_account(ask: Ask, seeded: Catalogue) -> None:
    account = acme(catalogue.Account).get(code="KITE")
    owned = set(
        catalogue.AccountProduct.objects.filter(account=account).values_list(
            "product_id", flat=True
        )
    )

    found = product_ids(ask, {"account_id": {"eq": str(account.pk)}})

    assert found == expected(seeded.products, lambda row: row.pk in owned)
    assert found


def test_accounts_using_a_warehouse_and_accounts_with_none(ask: Ask) -> None:
    warehouse = acme(catalogue.Warehouse).get(code="WH2")
    users = set(
        catalogue.AccountWarehouse.objects.filter(warehouse=warehouse).values_list(
            "account_id", flat=True
        )
    )
    lonely = catalogue.Account.objects.create(
        subdomain=warehouse.subdomain, code="LONELY", name="No warehouse yet"
    )

    using = ids(fetch_all(ask, "accounts", "id", {"warehouse_id": {"eq": str(warehouse.pk)}}))
    without = ids(fetch_all(ask, "accounts", "id", {"warehouse_id": {"filled": False}}))
    with_any = ids(fetch_all(ask, "accounts", "id", {"warehouse_id": {"filled": True}}))

    assert using == sorted(str(pk) for pk in users)
    assert without == [str(lonely.pk)]
    assert str(lonely.pk) not in with_any
    assert len(with_any) == 4


def test_another_tenants_ids_match_nothing(ask: Ask) -> None:
    other_account = catalogue.Account.objects.filter(subdomain__slug="other").first()
    assert other_account is not None

    assert product_ids(ask, {"account_id": {"eq": str(other_account.pk)}}) == []


# Datetime operators --------------------------------------------------------------------------


@pytest.fixture
def dated_order_types() -> dict[str, str]:
    """Give acme's order types known creation times; return {code: id}."""
    times = {
        "HO-1": datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        "B2B": datetime(2026, 2, 1, 0, 0, tzinfo=UTC),
        # 23:30 UTC is still 1 February in London in winter.
        "EXP": datetime(2026, 2, 1, 23, 30, tzinfo=UTC),
        "WHS": datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
    }
    for code, moment in times.items():
        acme(catalogue.OrderType).filter(code=code).update(created_at=moment)
    return {row.code: str(row.pk) for row in acme(catalogue.OrderType)}


@pytest.mark.parametrize(
    ("operators", "codes"),
    [
        ({"eq": "2026-02-01"}, ["B2B", "EXP"]),
        ({"eq": "2026-02-01T00:00:00Z"}, ["B2B"]),
        ({"eq": "2026-02-01T00:00:00+00:00"}, ["B2B"]),
        ({"from": "2026-02-01"}, ["B2B", "EXP", "WHS"]),
        ({"from": "2026-02-01T00:00:01Z"}, ["EXP", "WHS"]),
        ({"to": "2026-02-01"}, ["HO-1", "B2B", "EXP"]),
        ({"to": "2026-02-01T00:00:00Z"}, ["HO-1", "B2B"]),
        ({"between": ["2026-01-10T09:00:00Z", "2026-02-01T00:00:00Z"]}, ["HO-1", "B2B"]),
        ({"between": ["2026-01-11", "2026-03-05"]}, ["B2B", "EXP", "WHS"]),
        ({"from": "2026-01-01", "to": "2026-01-31"}, ["HO-1"]),
    ],
)
def test_datetime_operators(
    ask: Ask, dated_order_types: dict[str, str], operators: dict[str, Any], codes: list[str]
) -> None:
    found = fetch_all(ask, "order_types", "code", {"created_at": operators})

    assert [node["code"] for node in found] == codes


def test_a_bad_date_is_an_error(ask: Ask) -> None:
    result = ask(
        "query($f: OrderTypeFilterType) { order_types { all(filter: $f) { edges { cursor } } } }",
        {"f": {"created_at": {"from": "yesterday"}}},
    )

    assert "data" not in result
    assert "not an ISO 8601 date" in result["errors"][0]["message"]


# Filters together ------------------------------------------------------------------------------


def test_several_filters_are_anded(ask: Ask, seeded: Catalogue) -> None:
    account = acme(catalogue.Account).get(code="ACME")
    owned = set(
        catalogue.AccountProduct.objects.filter(account=account).values_list(
            "product_id", flat=True
        )
    )
    row_filter = {
        "description": {"ilike": "blue"},
        "account_id": {"eq": str(account.pk)},
        "product_type": {"eq": "standard"},
    }

    found = product_ids(ask, row_filter)

    wanted = expected(
        seeded.products,
        lambda row: (
            "blue" in row.description.lower() and row.pk in owned and row.product_type == "standard"
        ),
    )
    assert found == wanted
    assert 0 < len(wanted) < len(product_ids(ask, {"description": {"ilike": "blue"}}))


def test_several_operators_in_one_field_are_anded(ask: Ask, seeded: Catalogue) -> None:
    mug = next(row for row in seeded.products if row.code.startswith("MUG-"))
    other = next(row for row in seeded.products if not row.code.startswith("MUG-"))

    found = product_ids(ask, {"code": {"like": "MUG-%", "in": [mug.code, other.code]}})

    assert found == [str(mug.pk)]


def test_joined_string_filters(ask: Ask, seeded: Catalogue) -> None:
    row = seeded.products[0]

    balances = fetch_all(
        ask,
        "stock_balances",
        "product { code } warehouse { code }",
        {"product_code": {"eq": row.code}},
    )
    services = fetch_all(ask, "carrier_services", "code", {"carrier_code": {"eq": "UPS"}})

    assert balances
    assert {node["product"]["code"] for node in balances} == {row.code}
    assert [node["code"] for node in services] == ["UPSSTD", "UPSEXP"]


def test_the_remaining_documented_filters(ask: Ask) -> None:
    warehouse = acme(catalogue.Warehouse).get(code="WH3")
    account = acme(catalogue.Account).get(code="NORTHWIND")
    carrier = acme(catalogue.Carrier).get(code="DPD")

    by_site = fetch_all(
        ask, "warehouses", "code", {"site_id": {"eq": "2"}, "name": {"ilike": "hub"}}
    )
    links = fetch_all(
        ask, "account_warehouses", "account_id", {"account_id": {"eq": str(account.pk)}}
    )
    services = fetch_all(
        ask,
        "carrier_services",
        "code",
        {"carrier_id": {"eq": str(carrier.pk)}, "external_preset_id": {"filled": False}},
    )
    carriers = fetch_all(
        ask,
        "carriers",
        "code",
        {
            "carrier_type": {"in": ["ups", "royal_mail"]},
            "external_system_reference1": {"ilike": "carrier-"},
        },
    )
    customers = fetch_all(
        ask, "customers", "code", {"external_system_reference1": {"eq": "CRM-1002"}}
    )
    owned = fetch_all(ask, "account_products", "id", {"account_id": {"eq": str(account.pk)}})

    assert [node["code"] for node in by_site] == [warehouse.code]
    assert {node["account_id"] for node in links} == {account.pk}
    assert [node["code"] for node in services] == ["DPDNEXT", "DPD48", "DPDSAT"]
    assert [node["code"] for node in carriers] == ["ROYALMAIL", "UPS"]
    assert [node["code"] for node in customers] == ["CUST-0002"]
    assert len(owned) == catalogue.AccountProduct.objects.filter(account=account).count()
