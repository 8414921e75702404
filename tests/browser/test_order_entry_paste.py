"""An agent pastes lines copied from a spreadsheet into the entry page, in real Chromium: two
real products and an unknown code. The known ones arrive with their descriptions, the unknown one
says so and takes the focus; the agent picks a product for it and sends."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import PASTE, acme_row, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_pastes_lines_and_fixes_the_unknown_one(page, live_server, catalogue_tenant):
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).select_related("product")
    products = sorted((link.product for link in owned), key=lambda product: product.pk)
    by_sku, by_barcode, chosen = products[0], products[1], products[2]
    sign_in_agent(page, live_server, catalogue_tenant)

    page.focus("#id_account")
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
    page.fill("#id_reference", "PASTE-0001")
    page.fill("#id_expected_date_of_dispatch", "2026-12-01T14:30")

    text = f"SKU\tQty\r\n{by_sku.code}\t3\r\n{by_barcode.barcode}\t2\r\nNOT-A-SKU-999\t5\r\n"
    page.evaluate(PASTE, ["#id_lines-0-product", text])

    # Three rows: the first took the blank line pasted into, then a blank line for the next.
    expect(page.locator("#paste-status")).to_have_text("3 lines pasted; 1 needs a product.")
    expect(page.locator(".line-row:not([hidden])")).to_have_count(4)
    expect(page.locator("#id_lines-0-product")).to_have_value(by_sku.code)
    expect(page.locator("#lines-0-info")).to_contain_text(by_sku.description)
    expect(page.locator("#id_lines-0-quantity")).to_have_value("3")
    expect(page.locator("#lines-1-info")).to_contain_text(by_barcode.description)
    expect(page.locator("#id_lines-1-quantity")).to_have_value("2")
    expect(page.locator("#lines-2-lookup")).to_contain_text(
        "Not found in Clarus: choose the product."
    )
    expect(page.locator("#id_lines-TOTAL_FORMS")).to_have_value("4")
    # The focus is on the line that needs the agent: they type over the unknown code.
    expect(page.locator("#id_lines-2-product")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type(chosen.code)
    expect(page.locator("#lines-2-results [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lines-2-quantity")).to_be_focused()
    expect(page.locator("#lines-2-info")).to_contain_text(chosen.description)
    # Chosen: the "not found" goes with the problem, and no longer describes the box.
    expect(page.locator("#lines-2-lookup .line-problem")).to_be_hidden()
    expect(page.locator("#lines-2-row")).not_to_have_class(re.compile("has-error"))
    box = page.locator("#id_lines-2-product")
    expect(box).not_to_have_attribute("aria-invalid", "true")
    assert "id_lines-2-product-error" not in (box.get_attribute("aria-describedby") or "")
    page.keyboard.press("Control+Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    attributes = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    assert attributes["reference"] == "PASTE-0001"
    assert [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ] == [(by_sku.pk, 3), (by_barcode.pk, 2), (chosen.pk, 5)]


def test_a_single_value_pastes_into_the_box_as_ever(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)

    # A cell copied from a spreadsheet ends with a line break: still one value.
    page.evaluate(PASTE, ["#id_lines-0-product", "MUG\r\n"])

    expect(page.locator(".line-row")).to_have_count(1)
    expect(page.locator("#paste-status")).to_have_text("")


def test_a_late_paste_answer_leaves_the_focus_where_the_agent_went_on_typing(
    page, live_server, catalogue_tenant
):
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).select_related("product")
    products = sorted((link.product for link in owned), key=lambda product: product.pk)
    sign_in_agent(page, live_server, catalogue_tenant)

    # The desk's answer to the paste comes back 300 ms late, as over a slow network.
    def slow(route: Any) -> None:
        response = route.fetch()
        page.wait_for_timeout(300)
        route.fulfill(response=response)

    page.route(re.compile(r"/orders/new/paste-lines/"), slow)
    text = f"{products[0].code}\t3\r\nNOT-A-SKU-999\t5\r\n"
    page.evaluate(PASTE, ["#id_lines-0-product", text])
    # Straight on to the reference, typing with no pause.
    page.focus("#id_reference")
    page.keyboard.type("PASTE-0002")
    expect(page.locator("#paste-status")).to_have_text("2 lines pasted; 1 needs a product.")
    # The rows are in (the unknown one would want the focus); type on.
    page.wait_for_timeout(200)
    page.keyboard.type("-B")

    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#id_reference")).to_have_value("PASTE-0002-B")
    expect(page.locator("#id_lines-1-product")).to_have_value("NOT-A-SKU-999")
