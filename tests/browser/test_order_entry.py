"""An agent keys a whole order with the keyboard in real Chromium and it reaches the sandbox."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.browser.desk import sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_keys_a_three_line_order_from_the_keyboard(page, live_server, sandbox_tenant):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_agent(page, live_server, sandbox_tenant)

    # Clarus ids typed by hand still work (the way round a Clarus that cannot be searched).
    page.fill("#id_account", "7")
    page.fill("#id_reference", "PHONE-0001")
    page.fill("#id_expected_date_of_dispatch", "2026-12-01T14:30")
    page.focus("#id_lines-0-product")
    for index, (product, quantity) in enumerate([("501", "2"), ("502", "1"), ("503", "12")]):
        product_field = page.locator(f"#id_lines-{index}-product")
        # Each new row arrives from the server focused, ready for the next scan.
        product_field.wait_for()
        assert product_field.evaluate("el => el === document.activeElement")
        page.keyboard.type(product)
        page.keyboard.press("Enter")
        page.keyboard.type(quantity)
        if index < 2:
            page.keyboard.press("Enter")
    page.fill("#id_delivery_name", "Jo Bloggs Ltd")
    page.fill("#id_delivery_address_1", "1 High Street")
    page.fill("#id_delivery_town", "Leeds")
    page.fill("#id_delivery_postcode", "ls1 4ap")
    page.focus("#id_delivery_postcode")
    # A slow Clarus, so the sending state can be seen.
    SandboxSubdomain.objects.filter(slug="acme").update(latency_ms=1000)
    page.keyboard.press("Control+Enter")

    expect(page.locator("#send-order")).to_be_disabled()
    expect(page.locator("#sending")).to_be_visible()

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    clarus_id = int(page.inner_text("#clarus-id"))
    received = SandboxGoodsOut.objects.get()
    attributes = received.document["data"]["attributes"]
    address = received.document["data"]["relationships"]["address"]["data"]["attributes"]
    assert clarus_id == received.pk
    assert attributes["reference"] == "PHONE-0001"
    assert attributes["expected_date_of_dispatch"] == "2026-12-01T14:30:00+00:00"
    assert [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ] == [(501, 2), (502, 1), (503, 12)]
    assert address["address_3"] == "Leeds"
    assert address["postcode"] == "LS1 4AP"
    assert "Sent to Clarus as goods-out" in page.inner_text(".messages")
    # htmx and the entry script did all that under the strict content security policy.
    assert [text for text in console if "Content Security Policy" in text] == []
