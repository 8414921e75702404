"""Each resource's query shape, its nodes' values, and that a tenant sees only its own rows."""

import pytest

from sandbox import catalogue
from tests.sandbox.graphql.conftest import Ask, Catalogue, fetch_all, ids

# Every node field of each catalogue resource, nested objects included.
FIELDS = {
    "accounts": (
        "id code name is_short_pickable dispatch_strategy pack_strategy"
        " external_system_reference1 vat_number"
    ),
    "account_warehouses": (
        "id account_id warehouse_id account { id code name } warehouse { id code name }"
    ),
    "warehouses": (
        "id code name consolidate_pick_enabled loading_validation_setting opening_times_enabled"
        " address { address_1 address_2 address_3 address_4 postcode country_code }"
    ),
    "products": (
        "id code barcode case_barcode inner_barcode outer_barcode description long_description"
        " product_type units_per_case shelf_life_min shelf_life_max commodity_code"
        " country_of_manufacture"
    ),
    "account_products": "id account { id code } product { id code }",
    "stock_balances": (
        "id available allocated ordered received picked product { id code } account { id code }"
        " warehouse { id code }"
    ),
    "carriers": (
        "id code name description active carrier_type carrier_externally_registered"
        " external_system_reference1"
    ),
    "carrier_services": "id code name active is_default carrier { id code }",
    "customers": "id code name shelf_life_min shelf_life_max external_system_reference1",
    "order_types": "id code name duty_payable",
}
MODELS = {
    "accounts": catalogue.Account,
    "account_warehouses": catalogue.AccountWarehouse,
    "warehouses": catalogue.Warehouse,
    "products": catalogue.Product,
    "account_products": catalogue.AccountProduct,
    "stock_balances": catalogue.StockBalance,
    "carriers": catalogue.Carrier,
    "carrier_services": catalogue.CarrierService,
    "customers": catalogue.Customer,
    "order_types": catalogue.OrderType,
}


@pytest.mark.parametrize("resource", sorted(FIELDS))
def test_lists_every_row_of_the_tenant_in_id_order(ask: Ask, resource: str) -> None:
    nodes = fetch_all(ask, resource, FIELDS[resource])

    rows = MODELS[resource]._default_manager.filter(subdomain__slug="acme").order_by("pk")
    assert ids(nodes) == [str(pk) for pk in rows.values_list("pk", flat=True)]
    assert all(isinstance(node["id"], str) for node in nodes)


@pytest.mark.parametrize("resource", sorted(FIELDS))
def test_never_shows_another_tenants_rows(ask: Ask, resource: str) -> None:
    acme = set(ids(fetch_all(ask, resource)))
    other = set(ids(fetch_all(ask, resource, subdomain="other")))

    model = MODELS[resource]._default_manager
    assert other == {
        str(pk) for pk in model.filter(subdomain__slug="other").values_list("pk", flat=True)
    }
    assert other
    assert acme
    assert not acme & other


def test_product_node(ask: Ask, seeded: Catalogue) -> None:
    row = seeded.products[0]

    [node] = fetch_all(ask, "products", FIELDS["products"], {"code": {"eq": row.code}})

    assert node == {
        "id": str(row.pk),
        "code": row.code,
        "barcode": row.barcode,
        "case_barcode": row.case_barcode,
        "inner_barcode": row.inner_barcode or None,
        "outer_barcode": row.outer_barcode or None,
        "description": row.description,
        "long_description": row.long_description,
        "product_type": row.product_type,
        "units_per_case": row.units_per_case,
        "shelf_life_min": row.shelf_life_min,
        "shelf_life_max": row.shelf_life_max,
        "commodity_code": row.commodity_code,
        "country_of_manufacture": row.country_of_manufacture,
    }


def test_warehouse_node_has_clarus_address_lines(ask: Ask) -> None:
    [node] = fetch_all(ask, "warehouses", FIELDS["warehouses"], {"code": {"eq": "WH1"}})

    assert node["name"] == "Manchester DC"
    assert node["loading_validation_setting"] == "none"
    assert node["address"] == {
        "address_1": "Unit 4 Trafford Park",
        "address_2": None,
        "address_3": "Manchester",
        "address_4": "Greater Manchester",
        "postcode": "M17 1AA",
        "country_code": "GB",
    }


def test_account_warehouse_ids_are_integers_and_nested_objects_strings(ask: Ask) -> None:
    row = catalogue.AccountWarehouse.objects.filter(subdomain__slug="acme").select_related(
        "account", "warehouse"
    )[0]

    node = fetch_all(ask, "account_warehouses", FIELDS["account_warehouses"])[0]

    assert node == {
        "id": str(row.pk),
        "account_id": row.account_id,
        "warehouse_id": row.warehouse_id,
        "account": {"id": str(row.account_id), "code": row.account.code, "name": row.account.name},
        "warehouse": {
            "id": str(row.warehouse_id),
            "code": row.warehouse.code,
            "name": row.warehouse.name,
        },
    }


def test_stock_balance_node(ask: Ask) -> None:
    row = catalogue.StockBalance.objects.filter(subdomain__slug="acme").select_related(
        "account", "warehouse", "product"
    )[0]

    node = fetch_all(ask, "stock_balances", FIELDS["stock_balances"], page_size=1)[0]

    assert node == {
        "id": str(row.pk),
        "available": row.available,
        "allocated": row.allocated,
        "ordered": row.ordered,
        "received": row.received,
        "picked": row.picked,
        "product": {"id": str(row.product_id), "code": row.product.code},
        "account": {"id": str(row.account_id), "code": row.account.code},
        "warehouse": {"id": str(row.warehouse_id), "code": row.warehouse.code},
    }
    assert isinstance(node["available"], float)


def test_carrier_services_with_their_carrier(ask: Ask) -> None:
    nodes = fetch_all(ask, "carrier_services", FIELDS["carrier_services"])

    by_code = {node["code"]: node for node in nodes}
    assert by_code["RM1CLS"]["carrier"]["code"] == "ROYALMAIL"
    assert by_code["RM1CLS"]["is_default"] is True
    assert by_code["DPDSAT"]["active"] is False


def test_order_types_and_customers(ask: Ask) -> None:
    order_types = fetch_all(ask, "order_types", FIELDS["order_types"])
    customers = fetch_all(ask, "customers", FIELDS["customers"])

    assert {node["code"]: node["duty_payable"] for node in order_types} == {
        "HO-1": False,
        "B2B": False,
        "EXP": True,
        "WHS": False,
    }
    assert customers[0]["code"] == "CUST-0001"
    assert customers[0]["external_system_reference1"] == "CRM-1001"
