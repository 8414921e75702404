"""A call drops mid-order: the agent's half-keyed order was saved as a draft while they typed.
In real Chromium: key half an order, close the page, open "My drafts", resume it exactly,
finish and send: one goods-out in the sandbox, and the draft is gone. A reload mid-order brings
the order back as it was, the keys typed just before it too."""

import re
import time

import pytest
from playwright.sync_api import expect

from orders.models import Draft, Order
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_half_keyed_order_survives_a_closed_page_and_is_sent_once(
    page, live_server, sandbox_tenant
):
    sign_in_agent(page, live_server, sandbox_tenant)
    # The call: keyed in a page of its own, which is then closed mid-order.
    call = page.context.new_page()
    call.goto(f"{live_server.url}/orders/new/")
    call.wait_for_selector("#order-form")
    call.wait_for_load_state("load")
    call.focus("#caller-search")
    call.keyboard.type("Amelia")
    call.focus("#id_account")
    call.keyboard.type("7")
    call.focus("#id_reference")
    call.keyboard.type("DROPPED-1")
    call.focus("#id_lines-0-product")
    call.keyboard.type("501")
    call.keyboard.press("Enter")
    call.keyboard.type("4")
    call.keyboard.press("Enter")
    expect(call.locator("#id_lines-1-product")).to_be_focused()
    call.keyboard.type("502")
    call.focus("#id_delivery_name")
    call.keyboard.type("Amelia Smith")
    call.focus("#id_delivery_postcode")
    call.keyboard.type("LS6 2AB")
    # Saved by itself within a second or so of the last key; nothing was pressed to save it.
    expect(call.locator("#draft-status")).to_contain_text("Draft saved at")
    call.close()
    draft = Draft.objects.get()
    assert draft.reference == "DROPPED-1"
    assert draft.form_data["delivery_postcode"] == ["LS6 2AB"]

    # Later: My drafts, open it (Enter on the first), carry on where it was left.
    page.goto(f"{live_server.url}/orders/drafts/")
    expect(page.locator("#drafts")).to_contain_text("DROPPED-1")
    expect(page.locator("#drafts")).to_contain_text("2 lines")
    page.keyboard.press("Enter")
    page.wait_for_selector("#order-form")
    page.wait_for_load_state("load")
    expect(page.locator("#id_reference")).to_have_value("DROPPED-1")
    expect(page.locator("#id_account")).to_have_value("7")
    expect(page.locator("#caller-search")).to_have_value("Amelia")
    expect(page.locator("#id_lines-0-product")).to_have_value("501")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("4")
    expect(page.locator("#id_lines-1-product")).to_have_value("502")
    expect(page.locator("#id_delivery_name")).to_have_value("Amelia Smith")
    expect(page.locator("#id_delivery_postcode")).to_have_value("LS6 2AB")
    expect(page.locator(".draft-note")).to_contain_text("Resumed draft DROPPED-1")
    page.focus("#id_lines-1-quantity")
    page.keyboard.type("1")
    page.fill("#id_expected_date_of_dispatch", "2026-12-01T14:30")
    page.focus("#id_delivery_address_1")
    page.keyboard.type("12 Park Road")
    page.keyboard.press("Control+Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    goods_out = SandboxGoodsOut.objects.get()
    attributes = goods_out.document["data"]["attributes"]
    assert attributes["reference"] == "DROPPED-1"
    assert [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ] == [(501, 4), (502, 1)]
    assert goods_out.address is not None
    assert goods_out.address["address_1"] == "12 Park Road"
    assert str(Order.objects.get().form_token) == str(draft.form_token)
    assert not Draft.objects.exists()
    # Its page is gone with it: Back (or its old address) opens a new order, saying so, and the
    # draft cannot be sent a second time.
    page.goto(f"{live_server.url}/orders/drafts/{draft.pk}/")
    expect(page).to_have_url(f"{live_server.url}/orders/new/")
    expect(page.locator(".messages")).to_contain_text("That draft is no longer kept")
    expect(page.locator("#id_reference")).to_have_value("")
    assert SandboxGoodsOut.objects.count() == 1
    assert Order.objects.count() == 1


def test_a_reload_mid_order_brings_it_back_with_the_last_keys_typed(
    page, live_server, sandbox_tenant
):
    sign_in_agent(page, live_server, sandbox_tenant)
    page.goto(f"{live_server.url}/orders/new/")
    page.wait_for_selector("#order-form")
    page.wait_for_load_state("load")
    page.focus("#id_reference")
    page.keyboard.type("RELOAD-1")
    page.focus("#id_lines-0-product")
    page.keyboard.type("501")
    page.keyboard.press("Enter")
    page.keyboard.type("4")
    # Saved by itself: from then on the page's address is the draft's.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    draft = Draft.objects.get()
    expect(page).to_have_url(f"{live_server.url}{draft.get_absolute_url()}")

    # Typed, and the page reloaded at once: no autosave has carried these keys.
    page.focus("#id_delivery_name")
    page.keyboard.type("Amelia Smith")
    asked = []

    def leave(dialog):
        # The browser asks before leaving a half-keyed order, and the agent takes a moment to say
        # yes: the last save, sent as the question came up, is in by then (waited for here
        # rather than for a fixed time, which a busy machine could outrun).
        asked.append(dialog.type)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _kept(draft, "delivery_name") != ["Amelia Smith"]:
            time.sleep(0.05)
        dialog.accept()

    page.on("dialog", leave)
    page.reload()
    page.wait_for_selector("#order-form")
    page.wait_for_load_state("load")

    assert asked == ["beforeunload"]
    expect(page).to_have_url(f"{live_server.url}{draft.get_absolute_url()}")
    expect(page.locator("#id_reference")).to_have_value("RELOAD-1")
    expect(page.locator("#id_lines-0-product")).to_have_value("501")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("4")
    expect(page.locator("#id_delivery_name")).to_have_value("Amelia Smith")
    # Still the one draft: the reload carried on with it, not a second one.
    assert Draft.objects.count() == 1
    assert _kept(draft, "delivery_name") == ["Amelia Smith"]


def _kept(draft, field):
    """What the desk holds of one field of the draft now."""
    return Draft.objects.get(pk=draft.pk).form_data.get(field)
