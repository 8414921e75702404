"""Clarus catalogue reads for order entry, against the sandbox over real HTTP."""

from typing import Any

import pytest

from orders import clarus
from orders.clarus import catalogue as clarus_catalogue
from orders.selectors import catalogue
from sandbox import catalogue as sandbox_catalogue

ACME = {"subdomain__slug": "acme"}


def sandbox(model: type[Any], **lookups: Any) -> Any:
    return model._default_manager.filter(**ACME, **lookups)


@pytest.fixture
def tenant(catalogue_tenant):
    return catalogue_tenant


@pytest.fixture
def queries(monkeypatch):
    """Record the variables of every GraphQL query the catalogue sends."""
    sent: list[dict[str, Any]] = []
    real_query = clarus.query

    def spy(tenant, text, variables=None, **kwargs):
        sent.append(variables or {})
        return real_query(tenant, text, variables, **kwargs)

    monkeypatch.setattr(clarus_catalogue, "query", spy)
    return sent


def account(code: str) -> Any:
    return sandbox(sandbox_catalogue.Account, code=code).get()


# --- Accounts, customers, carriers: ilike on code (prefix) and name (words) ---


def test_accounts_by_code_prefix_any_case(tenant):
    found = catalogue.account_search(tenant=tenant, text="ac")

    assert [(choice.code, choice.name) for choice in found] == [("ACME", "Acme Homeware Ltd")]
    assert found[0].id == account("ACME").pk
    assert found[0].label == "ACME · Acme Homeware Ltd"


def test_accounts_by_words_of_the_name(tenant):
    found = catalogue.account_search(tenant=tenant, text="kite gifts")

    assert [choice.code for choice in found] == ["KITE"]


def test_an_exact_code_comes_first(tenant):
    sandbox(sandbox_catalogue.Account).create(
        subdomain=account("ACME").subdomain, code="ZED", name="Zed for Acme"
    )

    found = catalogue.account_search(tenant=tenant, text="acme")

    assert [choice.code for choice in found] == ["ACME", "ZED"]


def test_customers_by_code_or_name(tenant):
    by_name = catalogue.customer_search(tenant=tenant, text="harbour")
    by_code = catalogue.customer_search(tenant=tenant, text="cust-0001")

    assert [choice.name for choice in by_name] == [
        "Harbour Cafe Ltd",
        "Harbour Stores Ltd",
        "Harbour Interiors Ltd",
        "Harbour Gifts Ltd",
    ]
    assert [choice.code for choice in by_code] == ["CUST-0001"]


def test_only_active_carriers_are_suggested(tenant):
    assert [choice.code for choice in catalogue.carrier_search(tenant=tenant, text="dpd")] == [
        "DPD"
    ]
    sandbox(sandbox_catalogue.Carrier, code="DPD").update(active=False)

    assert catalogue.carrier_search(tenant=tenant, text="dpd", refresh=True) == []


def test_suggestions_are_limited(tenant):
    found = catalogue.customer_search(tenant=tenant, text="ltd")

    assert len(found) == catalogue.SUGGESTIONS


def test_what_agents_type_is_never_a_wildcard():
    # Clarus patterns: % is the only wildcard (docs/sandbox-graphql.md); _ is an ordinary one.
    assert catalogue.code_pattern(" mug-%blu ") == "mug- blu%"
    assert catalogue.words_pattern("blue  %  mug") == "%blue%mug%"
    assert catalogue.code_pattern("SKU_1") == "SKU_1%"


def test_a_lone_percent_sign_finds_nothing(tenant, queries):
    assert catalogue.account_search(tenant=tenant, text="%") == []
    assert queries == []


def test_blank_text_asks_nothing(tenant, queries):
    assert catalogue.account_search(tenant=tenant, text="  ") == []
    assert catalogue.product_search(tenant=tenant, text="").options == []
    assert queries == []


# --- Lists: warehouses, an account's warehouses, services, order types, every page ---


def test_all_warehouses_before_an_account_is_chosen(tenant):
    found = catalogue.warehouse_list(tenant=tenant)

    assert [(choice.code, choice.name) for choice in found] == [
        ("WH1", "Manchester DC"),
        ("WH2", "Leeds Fulfilment"),
        ("WH3", "Daventry Hub"),
    ]


def test_an_accounts_warehouses(tenant):
    for code in ("ACME", "NORTHWIND", "BLUEBIRD", "KITE"):
        chosen = account(code)
        expected = sorted(
            link.warehouse.code
            for link in sandbox(sandbox_catalogue.AccountWarehouse, account=chosen)
        )

        found = catalogue.warehouse_list(tenant=tenant, account_id=chosen.pk)

        assert [choice.code for choice in found] == expected


def test_a_carriers_active_services_default_first(tenant):
    dpd = sandbox(sandbox_catalogue.Carrier, code="DPD").get()

    found = catalogue.carrier_service_list(tenant=tenant, carrier_id=dpd.pk)

    assert [(choice.code, choice.is_default) for choice in found] == [
        ("DPDNEXT", True),
        ("DPD48", False),
    ]
    assert found[0].label == "DPDNEXT · Next day"


def test_order_types(tenant):
    found = catalogue.order_type_list(tenant=tenant)

    assert sorted(choice.code for choice in found) == ["B2B", "EXP", "HO-1", "WHS"]


def test_lists_are_read_past_the_first_page(tenant, queries, monkeypatch):
    monkeypatch.setattr(clarus_catalogue, "PAGE_SIZE", 3)
    royal_mail = sandbox(sandbox_catalogue.Carrier, code="ROYALMAIL").get()

    order_types = catalogue.order_type_list(tenant=tenant)
    services = catalogue.carrier_service_list(tenant=tenant, carrier_id=royal_mail.pk)

    assert len(order_types) == 4
    assert len(services) == 4
    # Two pages each: the second one asked after the first one's end cursor.
    assert [bool(sent.get("after")) for sent in queries] == [False, True, False, True]


# --- Products: exact codes (all_codes eq), SKU prefix and words (ilike), id, stock ---


def product(code: str) -> Any:
    return sandbox(sandbox_catalogue.Product, code=code).get()


@pytest.fixture
def mug():
    """The first mug of the seeded catalogue (MUG-BLK-0010), with its owner."""
    row = sandbox(sandbox_catalogue.Product, code__startswith="MUG-").order_by("pk").first()
    owner = sandbox(sandbox_catalogue.AccountProduct, product=row).first().account
    return row, owner


@pytest.mark.parametrize("typed", ["code", "lower code", "barcode", "case_barcode"])
def test_an_exact_code_or_barcode_names_the_product(tenant, mug, typed):
    row, _owner = mug
    text = {
        "code": row.code,
        "lower code": row.code.lower(),
        "barcode": row.barcode,
        "case_barcode": row.case_barcode,
    }[typed]

    found = catalogue.product_search(tenant=tenant, text=text)

    assert found.exact is not None
    assert (found.exact.id, found.exact.code, found.exact.description) == (
        row.pk,
        row.code,
        row.description,
    )
    assert found.options[0] == found.exact
    assert found.typed_id is None


def test_sku_prefix_suggests_in_code_order(tenant):
    found = catalogue.product_search(tenant=tenant, text="mug-")
    many = catalogue.product_search(tenant=tenant, text="c")

    expected = [row.code for row in sandbox(sandbox_catalogue.Product, code__startswith="MUG-")]
    assert [option.code for option in found.options] == expected
    assert found.exact is None
    assert len(many.options) == catalogue.SUGGESTIONS


def test_words_of_the_description_in_order(tenant):
    found = catalogue.product_search(tenant=tenant, text="black mug")

    assert [option.description for option in found.options] == [
        "Black stoneware mug 250ml",
        "Black enamel mug 350ml",
    ]
    assert catalogue.product_search(tenant=tenant, text="mug black").options == []


def test_an_account_sees_only_its_products(tenant, mug):
    row, owner = mug
    other = sandbox(sandbox_catalogue.Account).exclude(pk=owner.pk).first()
    owned_by_other = sandbox(sandbox_catalogue.AccountProduct, account=other, product=row).exists()

    mine = catalogue.product_search(tenant=tenant, text=row.code, account_id=owner.pk)
    theirs = catalogue.product_search(tenant=tenant, text=row.code, account_id=other.pk)

    assert mine.exact is not None
    assert (theirs.exact is not None) == owned_by_other
    owned = {link.product_id for link in sandbox(sandbox_catalogue.AccountProduct, account=owner)}
    words = catalogue.product_search(tenant=tenant, text="mug", account_id=owner.pk)
    assert {option.id for option in words.options} <= owned


def test_stock_is_what_is_available_in_the_chosen_warehouse(tenant, mug):
    row, owner = mug
    balances = sandbox(sandbox_catalogue.StockBalance, product=row, account=owner)
    balance = balances.first()

    in_one = catalogue.product_search(
        tenant=tenant, text=row.code, account_id=owner.pk, warehouse_id=balance.warehouse_id
    )
    in_all = catalogue.product_search(tenant=tenant, text=row.code, account_id=owner.pk)

    assert in_one.exact is not None
    assert in_all.exact is not None
    assert in_one.exact.available == balance.available
    assert in_all.exact.available == sum(each.available for each in balances)


def test_no_balance_in_the_warehouse_is_none_available(tenant, mug):
    row, _owner = mug
    used = set(
        sandbox(sandbox_catalogue.StockBalance, product=row).values_list("warehouse_id", flat=True)
    )
    unused = sandbox(sandbox_catalogue.Warehouse).exclude(pk__in=used).first()
    if unused is None:
        pytest.skip("The product is stocked in every warehouse of this seed.")

    found = catalogue.product_search(tenant=tenant, text=row.code, warehouse_id=unused.pk)

    assert found.exact is not None
    assert found.exact.available == 0


def test_a_typed_clarus_id_finds_its_product(tenant, mug):
    row, owner = mug

    found = catalogue.product_search(tenant=tenant, text=str(row.pk), account_id=owner.pk)

    assert found.exact is not None
    assert found.exact.code == row.code
    assert found.typed_id is None


def test_digits_that_name_nothing_are_offered_as_an_id(tenant):
    found = catalogue.product_search(tenant=tenant, text="99999")

    assert found.options == []
    assert found.typed_id == 99999


def test_a_query_clarus_cannot_answer_is_no_outage(tenant, monkeypatch):
    monkeypatch.setattr(
        clarus_catalogue, "ORDER_TYPES", "query { order_types { all { nonsense } } }"
    )

    with pytest.raises(catalogue.LookupUnavailable) as raised:
        catalogue.order_type_list(tenant=tenant)

    assert not raised.value.down
    assert "could not answer" in raised.value.message
