"""A supervisor finds a caller by phone and erases them, keyboard only, in real Chromium: refused
while an order of theirs waits for Clarus, done once it is settled."""

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import Membership, Order, OrderStatus, Role
from tests.orders.people import ANN, footprint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, element_id, *, most=40):
    """Press Tab until the element has the focus, as someone on the keyboard would."""
    for _ in range(most):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never had the focus")


def test_a_supervisor_erases_a_caller_from_the_keyboard(page, live_server, make_tenant):
    tenant = make_tenant()
    agent = User.objects.create_user("agent")
    supervisor = User.objects.create_user("supervisor", password="super-pass-123")
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    Membership.objects.create(user=supervisor, tenant=tenant, role=Role.SUPERVISOR)
    footprint(tenant, agent, ANN, reference="ANN-1")
    waiting = footprint(
        tenant, agent, ANN, reference="ANN-2", status=OrderStatus.UNKNOWN, with_draft=False
    )

    page.goto(f"{live_server.url}/orders/personal-data/")
    page.keyboard.type("supervisor")
    page.keyboard.press("Tab")
    page.keyboard.type("super-pass-123")
    page.keyboard.press("Enter")
    page.wait_for_selector("#person-search")
    tab_to(page, "id_phone")
    page.keyboard.type("+44 113 496 0777")
    page.keyboard.press("Enter")

    expect(page.locator("#person-results")).to_contain_text("2 orders, 1 draft")
    expect(page.locator("#person-results")).to_contain_text("ANN-1")
    tab_to(page, "id_reason")
    page.keyboard.type("Asked on the phone")
    page.keyboard.press("Enter")

    refusal = page.locator("#person-erase [role=alert]")
    expect(refusal).to_contain_text("Not erased")
    expect(refusal).to_contain_text("ANN-2")
    assert not Order.objects.filter(personal_data_removed_at__isnull=False).exists()

    Order.objects.filter(pk=waiting.pk).update(status=OrderStatus.SENT)
    tab_to(page, "id_reason")
    expect(page.locator("#id_reason")).to_have_value("Asked on the phone")
    page.keyboard.press("Enter")

    expect(page.locator(".messages, [role=status]").first).to_contain_text(
        "Erased: personal data removed from 2 orders"
    )
    expect(page.locator("#person-results")).to_contain_text("0 orders, 0 drafts")
    assert Order.objects.filter(personal_data_removed_at__isnull=False).count() == 2
    assert not Order.objects.filter(contact_email=ANN.email).exists()
