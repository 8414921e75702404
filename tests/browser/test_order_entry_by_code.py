"""An agent keys an order by names and codes, keyboard only, in real Chromium: account by code,
warehouse and carrier service from Clarus's lists, carrier by name, lines by SKU, scanned barcode
and description words. Clarus ids reach the sandbox; the codes and names seen are kept. The same
again with the page's own scripts loaded in the opposite order: they speak through named events,
never through which of them runs first."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import acme_row, entry_scripts, reverse_entry_scripts, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVED = [
    # Every page's (templates/base.html), then the entry page's own.
    "described_by.js",
    "field_errors.js",
    "lookups.js",
    "order_entry.js",
    "paste_lines.js",
    "keys_help.js",
    "reference_check.js",
    "caller.js",
    "drafts.js",
]


def focused(page, selector):
    expect(page.locator(selector)).to_be_focused()


@pytest.mark.parametrize("scripts", ["as-served", "reversed"])
def test_agent_keys_an_order_by_codes_and_names(page, live_server, catalogue_tenant, scripts):
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).select_related("product")
    products = sorted((link.product for link in owned), key=lambda product: product.pk)
    by_sku, by_barcode = products[0], products[1]
    by_words = next(
        product
        for product in products[2:]
        if sum(p.description == product.description for p in products) == 1
    )
    # The last of ACME's warehouses, so that choosing it takes typing.
    warehouse = (
        sandbox_catalogue.AccountWarehouse.objects.filter(account=acme)
        .select_related("warehouse")
        .order_by("-warehouse__code")[0]
        .warehouse
    )
    dpd = acme_row(sandbox_catalogue.Carrier, code="DPD")
    next_day = acme_row(sandbox_catalogue.CarrierService, code="DPDNEXT")
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_agent(page, live_server, catalogue_tenant)
    assert entry_scripts(page) == SERVED
    if scripts == "reversed":
        reverse_entry_scripts(page, live_server)
        assert entry_scripts(page) == SERVED[::-1]

    # Until a carrier is chosen, its services' list says so, and only that.
    service_help = page.locator("#carrier-service-choice").locator("xpath=..").locator("> .help")
    expect(page.locator("#carrier-service-choice .help")).to_contain_text("Choose the carrier")
    expect(service_help).to_be_hidden()
    page.focus("#id_goods_out_type")
    page.keyboard.press("Enter")
    # Account: typed, suggestions shown, Enter takes the one that matches.
    focused(page, "#id_account")
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
    focused(page, "#id_reference")
    page.keyboard.type("PHONE-0002")
    page.keyboard.press("Enter")
    focused(page, "#id_expected_date_of_dispatch")
    page.keyboard.type("01/12/2026 14:30")
    page.keyboard.press("Enter")
    # Carrier by name, Enter before the suggestions came: it settles when they do.
    focused(page, "#id_carrier")
    page.keyboard.type("DPD")
    page.keyboard.press("Enter")
    expect(page.locator("#id_carrier")).to_have_value("DPD · DPD UK")
    # Only DPD's active services, its default already chosen.
    expect(page.locator("select#id_carrier_service_id")).to_have_value(str(next_day.pk))
    expect(page.locator("select#id_carrier_service_id option[data-code]")).to_have_count(2)
    expect(service_help).to_be_visible()
    focused(page, "#id_carrier_service_id")
    # The optional fields come after the everyday ones, and Enter passes them by: Tab reaches them.
    page.keyboard.press("Tab")
    # Warehouse: only ACME's, a choice list picked by typing its code.
    focused(page, "#id_warehouse_id")
    expected_codes = sorted(
        link.warehouse.code
        for link in sandbox_catalogue.AccountWarehouse.objects.filter(account=acme).select_related(
            "warehouse"
        )
    )
    expect(page.locator("select#id_warehouse_id option[data-code]")).to_have_count(
        len(expected_codes)
    )
    page.keyboard.type(warehouse.code)
    page.keyboard.press("Tab")
    focused(page, "#id_priority")
    page.keyboard.press("Tab")
    # Customer by words of the name.
    focused(page, "#id_customer")
    page.keyboard.type("harbour cafe")
    expect(page.locator("#customer-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")

    # Line 1: an exact SKU and Enter, as fast as a scanner: straight on to the quantity.
    focused(page, "#id_lines-0-product")
    page.keyboard.type(by_sku.code)
    page.keyboard.press("Enter")
    focused(page, "#id_lines-0-quantity")
    page.keyboard.type("2")
    expect(page.locator("#lines-0-info")).to_contain_text(by_sku.description)
    page.keyboard.press("Enter")
    # Line 2: a scanned barcode, which ends with Enter.
    focused(page, "#id_lines-1-product")
    page.keyboard.type(by_barcode.barcode + "\n")
    focused(page, "#id_lines-1-quantity")
    page.keyboard.type("1")
    expect(page.locator("#lines-1-info")).to_contain_text(by_barcode.description)
    expect(page.locator("#id_lines-1-product")).to_have_value(by_barcode.code)
    page.keyboard.press("Enter")
    # Line 3: words of the description, ↓ and Enter on the suggestion.
    focused(page, "#id_lines-2-product")
    page.keyboard.type(by_words.description.lower())
    option = page.locator("#lines-2-results [role=option]", has_text=by_words.code)
    expect(option).to_have_count(1)
    suggestions = page.locator("#lines-2-results [role=option]")
    position = [text.split()[0] for text in suggestions.all_inner_texts()].index(by_words.code)
    for _ in range(position + 1):
        page.keyboard.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    focused(page, "#id_lines-2-quantity")
    expect(page.locator("#lines-2-info")).to_contain_text("available")
    page.keyboard.type("99999")
    # More than the stock: a warning, never a block.
    expect(page.locator("#lines-2-info .line-warning")).to_be_visible()
    page.keyboard.press("Control+Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    attributes = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    assert attributes["reference"] == "PHONE-0002"
    assert attributes["expected_date_of_dispatch"] == "2026-12-01T14:30:00+00:00"
    assert (
        attributes["account_id"],
        attributes["warehouse_id"],
        attributes["carrier_id"],
        attributes["carrier_service_id"],
    ) == (acme.pk, warehouse.pk, dpd.pk, next_day.pk)
    assert (
        attributes["customer_id"]
        == acme_row(sandbox_catalogue.Customer, name="Harbour Cafe Ltd").pk
    )
    assert [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ] == [(by_sku.pk, 2), (by_barcode.pk, 1), (by_words.pk, 99999)]
    order = Order.objects.get()
    assert order.labels["account_id"] == {"code": "ACME", "name": "Acme Homeware Ltd"}
    assert order.labels["warehouse_id"] == {"code": warehouse.code, "name": warehouse.name}
    assert order.labels["carrier_service_id"] == {"code": "DPDNEXT", "name": "Next day"}
    assert [line.product_code for line in order.lines.all()] == [
        by_sku.code,
        by_barcode.code,
        by_words.code,
    ]
    expect(page.locator("body")).to_contain_text("ACME · Acme Homeware Ltd")
    expect(page.locator("body")).to_contain_text(by_words.description)
    assert [text for text in console if "Content Security Policy" in text] == []
