"""``manage.py sandbox_seed``: deterministic, idempotent, valid barcodes, quick."""

import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sandbox.catalogue import (
    Account,
    AccountProduct,
    AccountWarehouse,
    Carrier,
    CarrierService,
    Customer,
    OrderType,
    Product,
    StockBalance,
    Warehouse,
)
from sandbox.models import SandboxSubdomain
from sandbox.seed import catalogue_seed, ean13, ean13_check_digit
from tests.sandbox.factories import goods_out_document

SKU = re.compile(r"[A-Z]{3}-[A-Z]{3}-\d{4}")


class Terminal(StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def seed(*, stderr: StringIO | None = None, **options: Any) -> str:
    out = StringIO()
    call_command(
        "sandbox_seed",
        stdout=out,
        stderr=stderr or StringIO(),
        **{"subdomain": "acme", "products": 200} | options,
    )
    return out.getvalue()


def counts(subdomain: str = "acme") -> dict[str, int]:
    models = (Account, Warehouse, AccountWarehouse, Carrier, CarrierService, Customer, OrderType,
              Product, AccountProduct, StockBalance)  # fmt: skip
    return {
        model.__name__: model._default_manager.filter(subdomain__slug=subdomain).count()
        for model in models
    }


def is_valid_ean13(code: str) -> bool:
    """Check an EAN-13 the way a scanner does: the weighted sum of all 13 digits ends in 0."""
    return (
        len(code) == 13
        and code.isdigit()
        and sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code)) % 10 == 0
    )


def test_creates_the_subdomain_and_a_full_catalogue(db: Any) -> None:
    output = seed()

    assert SandboxSubdomain.objects.filter(slug="acme").exists()
    made = counts()
    assert made["Account"] == 4
    assert made["Warehouse"] == 3
    assert 4 <= made["AccountWarehouse"] <= 12
    assert made["Product"] == 200
    assert made["AccountProduct"] >= 200
    assert made["StockBalance"] >= made["AccountProduct"]
    assert made["Carrier"] == 3
    assert made["CarrierService"] == 9
    assert made["Customer"] == 24
    assert made["OrderType"] == 4
    assert "Seeded subdomain acme" in output
    assert "200 products" in output
    assert f"({sum(made.values())} rows added)" in output


def test_running_again_adds_nothing(db: Any) -> None:
    seed()
    before = counts()
    codes = list(Product.objects.order_by("pk").values_list("pk", "code"))

    output = seed()

    assert counts() == before
    assert list(Product.objects.order_by("pk").values_list("pk", "code")) == codes
    assert "(0 rows added)" in output


def test_more_products_later_keeps_the_first_ones(db: Any) -> None:
    seed(products=50)
    first = list(Product.objects.order_by("pk").values_list("code", "description", "barcode"))

    seed(products=80)

    again = list(Product.objects.order_by("pk").values_list("code", "description", "barcode"))
    assert again[:50] == first
    assert len(again) == 80


def test_same_seed_same_data_other_seed_other_data(db: Any) -> None:
    catalogue_seed(subdomain="one", products=100, seed=7)
    catalogue_seed(subdomain="two", products=100, seed=7)
    catalogue_seed(subdomain="three", products=100, seed=8)

    def products(subdomain: str) -> list[tuple[str, str]]:
        rows = Product.objects.filter(subdomain__slug=subdomain).order_by("pk")
        return list(rows.values_list("code", "description"))

    def stock(subdomain: str) -> list[tuple[str, str, float]]:
        rows = StockBalance.objects.filter(subdomain__slug=subdomain).order_by("pk")
        return list(rows.values_list("product__code", "warehouse__code", "available"))

    assert products("one") == products("two")
    assert stock("one") == stock("two")
    assert products("one") != products("three")


def test_reset_rebuilds_the_catalogue_only(db: Any, post_goods_out: Any) -> None:
    seed()
    old_ids = set(Product.objects.values_list("pk", flat=True))
    first, second, *_ = sorted(old_ids)
    post_goods_out(goods_out_document(product_ids=(first, second)))

    seed(reset=True, products=30)

    assert counts()["Product"] == 30
    assert not old_ids & set(Product.objects.values_list("pk", flat=True))
    assert SandboxSubdomain.objects.get(slug="acme").goods_outs.count() == 1


def test_products_have_skus_valid_eans_and_readable_descriptions(db: Any) -> None:
    seed(products=500)

    products = list(Product.objects.all())
    codes = [product.code for product in products]
    barcodes = [
        code
        for product in products
        for code in (
            product.barcode,
            product.case_barcode,
            product.inner_barcode,
            product.outer_barcode,
        )
        if code
    ]
    assert all(SKU.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len(set(barcodes)) == len(barcodes)
    assert all(is_valid_ean13(code) for code in barcodes)
    assert sum(bool(product.inner_barcode) for product in products) > 50
    assert all(re.fullmatch(r"[A-Z][a-z]+ [a-z ]+ .+", product.description) for product in products)
    assert any(
        product.description.startswith("Blue ") and " mug " in product.description
        for product in products
    )
    assert {product.product_type for product in products} == {"standard", "kit"}
    assert any(product.shelf_life_min for product in products)


def test_stock_follows_ownership_and_has_empty_lines(db: Any) -> None:
    seed(products=300)

    reach = set(AccountWarehouse.objects.values_list("account_id", "warehouse_id"))
    owned = set(AccountProduct.objects.values_list("account_id", "product_id"))
    balances = list(StockBalance.objects.all())
    assert {(row.account_id, row.warehouse_id) for row in balances} <= reach
    assert {(row.account_id, row.product_id) for row in balances} == owned
    assert any(row.available == 0 for row in balances)
    assert sum(row.available == 0 for row in balances) < len(balances) / 4
    assert all(row.received == row.available + row.allocated + row.picked for row in balances)
    per_account: dict[int, int] = {}
    for account_id, _warehouse_id in reach:
        per_account[account_id] = per_account.get(account_id, 0) + 1
    assert all(1 <= count <= 3 for count in per_account.values())
    assert set(Product.objects.values_list("pk", flat=True)) == {pk for _a, pk in owned}


def test_carriers_have_services_one_of_them_inactive(db: Any) -> None:
    seed(products=10)

    services = CarrierService.objects.select_related("carrier")
    assert {service.carrier.code for service in services} == {"DPD", "ROYALMAIL", "UPS"}
    assert [service.code for service in services if not service.active] == ["DPDSAT"]
    assert sorted(service.carrier.code for service in services if service.is_default) == [
        "DPD",
        "ROYALMAIL",
        "UPS",
    ]


def test_each_tenant_has_its_own_catalogue(db: Any) -> None:
    seed(products=20)
    seed(subdomain="other", products=10)

    assert counts("acme")["Product"] == 20
    assert counts("other")["Product"] == 10
    first = Product.objects.filter(subdomain__slug="acme").first()
    assert first is not None
    assert Product.objects.filter(code=first.code).count() == 2


def test_progress_bar_only_on_a_terminal(db: Any) -> None:
    terminal, pipe = Terminal(), StringIO()

    seed(stderr=terminal, products=30)
    seed(stderr=pipe, subdomain="other", products=30)

    assert "\r" in terminal.getvalue()
    assert "Seeding [" in terminal.getvalue()
    assert "100%" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")
    assert pipe.getvalue() == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"subdomain": "not a slug"}, "--subdomain"),
        ({"products": 0}, "products"),
        ({"products": 100_000}, "products"),
    ],
)
def test_bad_options_are_refused(db: Any, options: dict[str, Any], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(
            "sandbox_seed", *[f"--{k}={v}" for k, v in ({"subdomain": "acme"} | options).items()]
        )


def test_5000_products_seed(db: Any) -> None:
    seed(products=5000)

    assert counts()["Product"] == 5000


def test_ean13_check_digits() -> None:
    assert ean13("400638133393") == "4006381333931"
    assert ean13("501234567890") == "5012345678900"
    assert ean13_check_digit("978030640615") == 7
    assert is_valid_ean13(ean13("501234000001"))
    with pytest.raises(ValueError, match="twelve digits"):
        ean13("12345")
