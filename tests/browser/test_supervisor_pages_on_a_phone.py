"""The supervisor's and tenant admin's pages on a 390 px phone, for someone on two tenants' staff
with orders waiting and rules set: nothing scrolls the page sideways (the tenant switcher narrows
to the bar; the queue's, a held order's, the rules' and the staff's tables scroll in their own
box)."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from orders.models import ApprovalRuleKind, Membership, Order, OrderStatus, Role
from orders.services.approvals import RuleTerms, approval_rule_save
from orders.services.staff import staff_invite
from tests.browser.desk import wider_than_screen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Northwind Logistics and Fulfilment Services (North West)"


@pytest.fixture
def busy(make_tenant: Any) -> tuple[int, int]:
    tenant = make_tenant(name=LONG_NAME)
    other = make_tenant(name="Demo 3PL", subdomain="demo")
    boss = User.objects.create_user("boss", password="boss-pass-123")
    agent = User.objects.create_user("agent")
    for each in (tenant, other):
        Membership.objects.create(user=boss, tenant=each, role=Role.SUPERVISOR)
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    admin = User.objects.create_user("admin", password="admin-pass-123")
    for each in (tenant, other):
        Membership.objects.create(user=admin, tenant=each, role=Role.TENANT_ADMIN)
    held = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="HELD-PHONE-0000001",
        account_id=7,
        status=OrderStatus.HELD,
        status_note="Held for a supervisor: line 1 is for 30 items, more than this tenant's 10.",
    )
    rule = approval_rule_save(
        tenant=tenant,
        user=admin,
        terms=RuleTerms(kind=ApprovalRuleKind.DISPATCH_WITHIN, number=12),
    )
    staff_invite(
        tenant=tenant, username="someone.with.a.long.name", role=Role.SUPERVISOR, invited_by=admin
    )
    return rule.pk, held.pk


def wide_pages(page: Any, url: str, username: str, password: str, paths: list[str]) -> dict:
    page.context.clear_cookies()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda each: "/login/" not in each)
    wide = {}
    for path in paths:
        page.goto(f"{url}{path}")
        page.wait_for_load_state("load")
        if sizes := wider_than_screen(page):
            wide[path] = sizes
    return wide


def test_no_supervisor_or_admin_page_scrolls_sideways_on_a_390_px_phone(
    page: Any, live_server: Any, busy: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    rule, held = busy

    wide = wide_pages(
        page,
        live_server.url,
        "boss",
        "boss-pass-123",
        [
            "/orders/",
            "/orders/approvals/",
            f"/orders/{held}/decide/?refuse=1",
            "/orders/personal-data/?phone=0113+496+0777",
        ],
    ) | wide_pages(
        page,
        live_server.url,
        "admin",
        "admin-pass-123",
        ["/tenant/", "/tenant/approvals/", f"/tenant/approvals/{rule}/", "/tenant/staff/"],
    )

    assert wide == {}, f"wider than the screen (scrollWidth, innerWidth): {wide}"
