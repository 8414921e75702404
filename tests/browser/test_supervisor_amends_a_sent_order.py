"""A supervisor finds a sent order, amends a quantity and removes a line from the keyboard,
reviews what Clarus will receive, sends it, and sees the order's two versions: real Chromium
against the sandbox over real HTTP."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.domain import LineInput
from orders.models import AttemptOutcome, Membership, OrderStatus, Role
from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import order_sent, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_amends_a_quantity_and_removes_a_line_from_the_keyboard(
    page, live_server, catalogue_tenant
):
    acme = sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).order_by("product_id")
    mug, towel = (link.product for link in owned.select_related("product")[:2])
    agent = User.objects.create_user("agent")
    supervisor = User.objects.create_user("supervisor", password="super-pass-123")
    Membership.objects.create(user=agent, tenant=catalogue_tenant, role=Role.AGENT)
    Membership.objects.create(user=supervisor, tenant=catalogue_tenant, role=Role.SUPERVISOR)
    order = order_sent(
        catalogue_tenant,
        agent,
        acme,
        "PHONE-5120",
        [
            LineInput(mug.pk, Decimal(4), product_code=mug.code),
            LineInput(towel.pk, Decimal(1), product_code=towel.code),
        ],
    )
    assert order.status == OrderStatus.SENT
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    sign_in(
        page, f"{live_server.url}/orders/", "supervisor", "super-pass-123", ready="#history-table"
    )
    page.fill("#id_search", "PHONE-5120")
    expect(page.locator("#history-table tbody tr")).to_have_count(1)
    page.click("text=PHONE-5120")

    page.focus("#amend-order")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Amend order PHONE-5120")
    expect(page.locator("#id_lines-0-quantity")).to_have_value("4")
    # The quantity of the first line: 4 becomes 6.
    page.focus("#id_lines-0-quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type("6")
    # Tab on to the line's Remove box, then the second line's: Space ticks it.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#id_lines-1-DELETE")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#id_lines-1-DELETE")).to_be_checked()
    page.focus("#id_lines-0-quantity")
    page.keyboard.press("Enter")

    changes = page.locator("#amend-changes li")
    expect(changes).to_have_count(2)
    expect(changes.nth(0)).to_have_text(f"{mug.code}: quantity 4 → 6")
    expect(changes.nth(1)).to_have_text(f"− {towel.code}")
    assert SandboxGoodsOut.objects.get(pk=order.clarus_id or 0).amendments == []
    expect(page.locator("#send-amendment")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#order-status")).to_contain_text("Sent")
    expect(page.locator("#version-1")).to_contain_text("as first sent")
    expect(page.locator("#version-2")).to_contain_text(f"{mug.code}: quantity 4 → 6")
    expect(page.locator("#version-2")).to_contain_text(f"− {towel.code}")
    goods_out = SandboxGoodsOut.objects.get(pk=order.clarus_id or 0)
    assert [(line.product_id, line.order_quantity) for line in goods_out.lines.all()] == [
        (mug.pk, 6.0)
    ]
    assert SandboxGoodsOut.objects.filter(reference="PHONE-5120").count() == 1
    order.refresh_from_db()
    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(mug.pk, 6)]
    assert order.attempts.all()[0].outcome == AttemptOutcome.AMENDED
    assert not [text for text in console if "Content Security Policy" in text]


def test_a_refused_review_opens_on_the_box_to_fix(page, live_server, catalogue_tenant):
    acme = sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).order_by("product_id")
    mug, towel = (link.product for link in owned.select_related("product")[:2])
    supervisor = User.objects.create_user("supervisor", password="super-pass-123")
    Membership.objects.create(user=supervisor, tenant=catalogue_tenant, role=Role.SUPERVISOR)
    order = order_sent(
        catalogue_tenant,
        supervisor,
        acme,
        "PHONE-5121",
        [LineInput(mug.pk, Decimal(4)), LineInput(towel.pk, Decimal(1))],
    )
    amend_url = f"{live_server.url}/orders/{order.pk}/amend/"
    sign_in(page, amend_url, "supervisor", "super-pass-123", ready="#amend-form")

    page.focus("#id_lines-1-quantity")
    page.keyboard.press("Control+A")
    page.keyboard.type("lots")
    page.keyboard.press("Enter")

    expect(page.locator("#amend-problem")).to_be_visible()
    quantity = page.locator("#id_lines-1-quantity")
    expect(quantity).to_be_focused()
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_value("lots")
