"""Accessibility of the desk's pages, in real Chromium: axe-core finds no WCAG 2.x A/AA
violation; errors are tied to their fields; a refused send takes the focus to its first problem;
the stored request and Clarus's answer scroll from the keyboard; borders and the focus ring stand
out 3:1; and nothing scrolls sideways on a 390 px wide phone."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from orders.domain import DeliveryAddress, KeyedOrder, LineInput, OrderHeader
from orders.models import Draft, Membership, Order, OrderStatus, Role, Tenant
from orders.services import submission as services
from sandbox import catalogue as sandbox_catalogue
from tests.browser.axe import assert_no_violations, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def keyed(tenant: Tenant, agent: User, account: Any, reference: str, lines: list) -> Order:
    """Key an order as the entry page would, and send it to the sandbox."""
    return services.order_submit(
        form_token=uuid.uuid4(),
        keyed=KeyedOrder(
            tenant=tenant,
            header=OrderHeader(
                goods_out_type="sales_order",
                account_id=account.pk,
                reference=reference,
                expected_date_of_dispatch=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
            ),
            lines=lines,
            address=DeliveryAddress(
                name="Halifax Tiles",
                address_1="1 Mill Street",
                town="Halifax",
                postcode="HX1 1AA",
                country="GB",
            ),
        ),
        user=agent,
    ).order


class Desk:
    """A supervisor signed in, a sent and a refused order, a draft: every page has something."""

    def __init__(self, page: Any, live_server: Any, tenant: Tenant) -> None:
        self.page = page
        self.url = live_server.url
        acme = sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code="ACME")
        owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).order_by(
            "product_id"
        )
        mug = owned.select_related("product")[0].product
        self.supervisor = User.objects.create_user("supervisor", password="super-pass-123")
        Membership.objects.create(user=self.supervisor, tenant=tenant, role=Role.SUPERVISOR)
        self.sent = keyed(
            tenant, self.supervisor, acme, "PHONE-1001", [LineInput(mug.pk, Decimal(2))]
        )
        assert self.sent.status == OrderStatus.SENT
        self.refused = keyed(
            tenant,
            self.supervisor,
            acme,
            "PHONE-1002",
            [
                LineInput(mug.pk, Decimal(2), product_code=mug.code),
                LineInput(mug.pk + 100_000, Decimal(3)),
            ],
        )
        assert self.refused.status == OrderStatus.REJECTED
        Draft.objects.create(
            tenant=tenant,
            created_by=self.supervisor,
            form_token=uuid.uuid4(),
            form_data={"reference": ["PHONE-1003"]},
            reference="PHONE-1003",
            summary="Half keyed",
            updated_at=timezone.now(),
        )

    def sign_in(self) -> None:
        self.page.goto(f"{self.url}/login/")
        self.page.fill("#id_username", "supervisor")
        self.page.fill("#id_password", "super-pass-123")
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def open(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")

    def refused_send(self, *, key: bool = True) -> None:
        """Open the entry page and send it empty: the form comes back with its problems."""
        self.open("/orders/new/")
        if key:
            self.page.focus("#id_reference")
            self.page.keyboard.press("Control+Enter")
        else:
            self.page.click("#send-order")
        expect(self.page.locator("#order-problem")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def pages(self) -> dict[str, Any]:
        """Each page to check, by name: how to get there."""
        return {
            "entry": lambda: self.open("/orders/new/"),
            "entry, refused send": self.refused_send,
            "sent order": lambda: self.open(f"/orders/{self.sent.pk}/"),
            "refused order": lambda: self.open(f"/orders/{self.refused.pk}/"),
            "correcting the refused order": lambda: self.open(
                f"/orders/{self.refused.pk}/correct/"
            ),
            "history": lambda: self.open("/orders/"),
            "dashboard": lambda: self.open("/orders/dashboard/"),
            "amend": lambda: self.open(f"/orders/{self.sent.pk}/amend/"),
            "drafts": lambda: self.open("/orders/drafts/"),
        }


@pytest.fixture
def desk(page: Any, live_server: Any, catalogue_tenant: Tenant) -> Desk:
    return Desk(page, live_server, catalogue_tenant)


def test_axe_survey(desk: Desk, page: Any) -> None:
    page.goto(f"{desk.url}/login/")
    found = {"sign-in": axe_violations(page)}
    desk.sign_in()
    for name, go in desk.pages().items():
        go()
        found[name] = axe_violations(page, tags=["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    for name, violations in found.items():
        print("AXE", name, sum(len(v.targets) for v in violations), {v.rule: len(v.targets) for v in violations})
        for v in violations:
            print(v)
