"""An order held by an approval rule, in real Chromium against the sandbox over real HTTP: the
agent keys it and reads why it waits; a supervisor opens the queue from the top bar's count and
approves it from the keyboard, and it is sent; or refuses it with a reason, which the agent
reads before correcting it and sending it again."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import ApprovalRuleKind, Membership, Order, OrderStatus, Role
from orders.services.approvals import RuleTerms, approval_rule_save
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ruled(sandbox_tenant):
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=sandbox_tenant, role=Role.TENANT_ADMIN)
    supervisor = User.objects.create_user("supervisor", password="super-pass-123")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    approval_rule_save(
        tenant=sandbox_tenant,
        user=admin,
        terms=RuleTerms(kind=ApprovalRuleKind.QUANTITY_OVER, number=10),
    )
    return sandbox_tenant


def key_order(page, reference, quantity):
    page.fill("#id_account", "7")
    page.fill("#id_reference", reference)
    page.fill("#id_expected_date_of_dispatch", "2026-12-01T14:30")
    page.focus("#id_lines-0-product")
    page.keyboard.type("501")
    page.keyboard.press("Enter")
    page.keyboard.type(quantity)
    page.fill("#id_delivery_name", "Jo Bloggs Ltd")
    page.fill("#id_delivery_address_1", "1 High Street")
    page.fill("#id_delivery_town", "Leeds")
    page.fill("#id_delivery_postcode", "ls1 4ap")
    page.focus("#id_delivery_postcode")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))


def sign_in(page, live_server, username, password, path="/orders/drafts/"):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def test_a_held_order_is_approved_from_the_keyboard_and_sent(page, live_server, ruled):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_agent(page, live_server, ruled)

    key_order(page, "BIG-1", "12")

    expect(page.locator("#order-status")).to_have_text("Awaiting approval")
    expect(page.locator("#status-note")).to_have_text(
        "Held for a supervisor: line 1 is for 12 items, more than this tenant's 10."
    )
    assert SandboxGoodsOut.objects.count() == 0

    sign_in(page, live_server, "supervisor", "super-pass-123")
    expect(page.locator("#approvals-waiting")).to_have_text("1")
    page.focus("#approvals-link")
    page.keyboard.press("Enter")
    page.wait_for_selector("#approval-queue")
    page.wait_for_load_state("load")
    row = page.locator("tr.queue-row").first
    expect(row).to_be_focused()
    expect(row).to_contain_text("line 1 is for 12 items")
    # "?" lists the keys; Escape closes the list and the keys work again.
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    page.keyboard.press("Escape")
    row.focus()
    page.keyboard.press("a")

    expect(page.locator(".messages")).to_contain_text("BIG-1 approved. Sent to Clarus as goods-out")
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#approvals-waiting")).to_have_text("0")
    order = Order.objects.get(reference="BIG-1")
    [goods_out] = SandboxGoodsOut.objects.all()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == goods_out.pk
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    expect(page.locator("#transitions")).to_contain_text("Approved by supervisor.")
    expect(page.locator("#holds")).to_contain_text("Orders with a line of more than 10 items")
    assert [text for text in console if "Content Security Policy" in text] == []


def test_a_refusal_with_a_reason_reaches_the_keyer_who_corrects_it(page, live_server, ruled):
    sign_in_agent(page, live_server, ruled)
    key_order(page, "BIG-2", "40")
    order_url = page.url

    sign_in(page, live_server, "supervisor", "super-pass-123", path="/orders/approvals/")
    page.wait_for_selector("#approval-queue")
    expect(page.locator("tr.queue-row").first).to_be_focused()
    page.keyboard.press("r")
    reason = page.locator("#refuse-reason")
    expect(reason).to_be_focused()
    # Enter with no reason: refused, and told why beside the box.
    page.keyboard.press("Enter")
    expect(page.locator("#refuse-reason-error")).to_have_text("Say why the order is not approved.")
    page.locator("#refuse-reason").fill("Forty is too many: the caller means four")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Not approved: Forty is too many")
    assert Order.objects.get(reference="BIG-2").status == OrderStatus.DECLINED

    sign_in(page, live_server, "agent", "agent-pass-123", path=order_url.split(live_server.url)[1])
    expect(page.locator("#order-status")).to_have_text("Not approved")
    expect(page.locator("#status-note")).to_have_text(
        "Not approved by supervisor: Forty is too many: the caller means four"
    )
    page.click("#correct-order")
    page.wait_for_load_state("load")
    page.fill("#id_lines-0-quantity", "4")
    page.focus("#id_lines-0-quantity")
    page.keyboard.press("Control+Enter")

    expect(page.locator("#order-status")).to_contain_text("Sent")
    order = Order.objects.get(reference="BIG-2")
    assert order.status == OrderStatus.SENT
    assert SandboxGoodsOut.objects.count() == 1
