"""Small things an agent meets on the entry page, in real Chromium: what the page says while the
desk works in the background, what happens to text longer than its box takes, and the top bar on
a phone for someone on two tenants' staff."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import Membership, Order, Role, Tenant
from sandbox import catalogue as sandbox_catalogue
from tests.browser.desk import acme_row, sign_in, sign_in_agent, wider_than_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Record every time the send button is disabled or "Sending to Clarus…" is shown.
WATCH_SENDING = """() => {
  window.sendingSeen = [];
  const sending = document.getElementById("sending");
  const button = document.getElementById("send-order");
  new MutationObserver(() => {
    if (sending.classList.contains("htmx-request")) window.sendingSeen.push("sending shown");
  }).observe(sending, {attributes: true});
  new MutationObserver(() => {
    if (button.disabled) window.sendingSeen.push("send button disabled");
  }).observe(button, {attributes: true});
}"""


def test_saving_a_draft_neither_says_sending_nor_disables_the_send_button(
    page: Any, live_server: Any, sandbox_tenant: Tenant
) -> None:
    sign_in_agent(page, live_server, sandbox_tenant)
    page.evaluate(WATCH_SENDING)
    page.focus("#id_reference")
    page.keyboard.type("CALL-77")
    # The autosave goes about a second after the last key; the order itself is not being sent.
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    assert page.evaluate("window.sendingSeen") == []
    expect(page.locator("#sending")).to_be_hidden()
    expect(page.locator("#send-order")).to_be_enabled()


def test_a_reference_longer_than_its_box_takes_is_kept_whole_and_refused_beside_it(
    page: Any, live_server: Any, sandbox_tenant: Tenant
) -> None:
    sign_in_agent(page, live_server, sandbox_tenant)
    # Pasted from an e-mail: 60 characters, where Clarus takes 50.
    reference = "PO-2026-" + "7" * 52
    page.fill("#id_reference", reference)
    expect(page.locator("#id_reference")).to_have_value(reference)
    page.focus("#id_reference")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#id_reference-error")).to_contain_text(
        "Up to 50 characters: this has 60. Shorten it to send."
    )
    expect(page.locator("#id_reference")).to_have_value(reference)
    assert not Order.objects.exists()


def sign_in_on_two_tenants(
    page: Any, live_server: Any, tenant: Tenant, other: Tenant, *, other_role: Role
) -> None:
    """Sign in on the entry page as an agent of ``tenant`` who is on ``other``'s staff too."""
    agent = User.objects.create_user("agent", password="agent-pass-123")
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    Membership.objects.create(user=agent, tenant=other, role=other_role)
    sign_in(page, f"{live_server.url}/orders/new/", "agent", "agent-pass-123", ready="#order-form")


def test_the_top_bar_of_someone_on_two_tenants_fits_a_390_px_phone(
    page: Any, live_server: Any, sandbox_tenant: Tenant, make_tenant: Any
) -> None:
    other = make_tenant(name="Northwind Logistics Group Limited", subdomain="northwind")
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_on_two_tenants(page, live_server, sandbox_tenant, other, other_role=Role.SUPERVISOR)
    sizes = wider_than_screen(page)
    assert sizes is None, f"wider than the screen (scrollWidth, innerWidth): {sizes}"
    switch = page.locator(".tenant-switch button")
    box = switch.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390


def test_a_send_that_cannot_reach_the_desk_says_so_beside_the_button(
    page: Any, live_server: Any, sandbox_tenant: Tenant
) -> None:
    sign_in_agent(page, live_server, sandbox_tenant)
    page.fill("#id_reference", "NET-1")

    # The connection drops as the order is sent: the request never gets an answer.
    def dropped(route: Any) -> None:
        if route.request.method == "POST":
            route.abort()
        else:
            route.fallback()

    page.route(f"{live_server.url}/orders/new/", dropped)
    page.focus("#id_reference")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#send-status")).to_have_text(
        "The desk did not answer: check the connection and send again (an order is never sent "
        "twice)."
    )
    # What was typed stays, and the agent is where they were.
    expect(page.locator("#id_reference")).to_have_value("NET-1")
    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#send-order")).to_be_enabled()


@pytest.mark.parametrize("typed", ["{sku} x2", "{barcode}"])
def test_ctrl_enter_straight_after_typing_an_exact_code_sends_it(
    page: Any, live_server: Any, catalogue_tenant: Tenant, typed: str
) -> None:
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    product = (
        sandbox_catalogue.AccountProduct.objects.filter(account=acme)
        .select_related("product")
        .order_by("product_id")[0]
        .product
    )
    sign_in_agent(page, live_server, catalogue_tenant)
    page.keyboard.type(str(acme.pk))
    page.keyboard.press("Enter")
    page.keyboard.type("FAST-1")
    page.keyboard.press("Enter")
    page.keyboard.type("tomorrow")
    page.focus("#id_lines-0-product")
    # A scanner or a quick agent: the code, then at once Ctrl+Enter, before any suggestion.
    page.keyboard.type(typed.format(sku=product.code, barcode=product.barcode))
    page.keyboard.press("Control+Enter")
    expect(page.locator("h1")).to_have_text("Order FAST-1")
    line = Order.objects.get(reference="FAST-1").lines.get()
    assert line.product_id == product.pk
    assert line.quantity == (2 if "x2" in typed else 1)


def test_a_lines_suggestions_stay_on_a_390_px_phone(
    page: Any, live_server: Any, catalogue_tenant: Tenant
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_agent(page, live_server, catalogue_tenant)
    page.focus("#id_lines-0-product")
    page.keyboard.type("mug")
    options = page.locator("#lines-0-results [role=option]")
    expect(options.first).to_be_visible()
    box = page.locator("#lines-0-results").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    # Every suggestion shows its Clarus id on the screen.
    for each in page.locator("#lines-0-results .option-id").all():
        right = each.bounding_box()
        assert right is not None
        assert right["x"] + right["width"] <= 390


def test_the_top_bar_links_sit_in_one_row_on_a_desk_screen(
    page: Any, live_server: Any, sandbox_tenant: Tenant, make_tenant: Any
) -> None:
    other = make_tenant(name="Northwind Logistics", subdomain="northwind")
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_on_two_tenants(page, live_server, sandbox_tenant, other, other_role=Role.AGENT)
    tops = page.eval_on_selector_all(
        ".topbar nav a", "links => links.map(link => Math.round(link.getBoundingClientRect().top))"
    )
    assert len(tops) == 3
    assert len(set(tops)) == 1, f"the links are stacked: {tops}"


def test_a_priority_typed_wrong_is_refused_beside_it_not_dropped(
    page: Any, live_server: Any, sandbox_tenant: Tenant
) -> None:
    sign_in_agent(page, live_server, sandbox_tenant)
    page.fill("#id_reference", "PRIO-1")
    page.focus("#id_priority")
    # A slip of the finger: a number box would hold nothing for this, and send no priority.
    page.keyboard.type("1e")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_priority")).to_have_value("1e")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#id_priority-error")).to_have_text(
        "Enter the priority as a whole number, 1 (most urgent) to 99."
    )
    expect(page.locator("#id_priority")).to_have_value("1e")
