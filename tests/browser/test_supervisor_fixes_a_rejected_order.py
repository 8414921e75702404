"""A supervisor finds an agent's refused order by its postcode, reads what Clarus said, corrects
it and sends it again, in real Chromium against the sandbox over real HTTP."""

import re
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.domain import LineInput
from orders.models import AttemptOutcome, Membership, Order, OrderStatus, Role
from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import HALIFAX, order_sent, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_finds_a_rejected_order_by_postcode_fixes_it_and_resends_it(
    page, live_server, catalogue_tenant
):
    acme = sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).order_by("product_id")
    mug, teapot = (link.product for link in owned.select_related("product")[:2])
    missing = mug.pk + 100_000
    agent = User.objects.create_user("agent")
    supervisor = User.objects.create_user("supervisor", password="super-pass-123")
    Membership.objects.create(user=agent, tenant=catalogue_tenant, role=Role.AGENT)
    Membership.objects.create(user=supervisor, tenant=catalogue_tenant, role=Role.SUPERVISOR)
    for n, postcode in enumerate(["LS1 4AP", "HX1 2BB", "YO1 7HH"]):
        order_sent(
            catalogue_tenant,
            agent,
            acme,
            f"OTHER-{n}",
            [LineInput(mug.pk, Decimal(1))],
            address=replace(HALIFAX, postcode=postcode),
        )
    # The agent typed a Clarus id by hand for the second line: Clarus has no such product.
    refused = order_sent(
        catalogue_tenant,
        agent,
        acme,
        "PHONE-4411",
        [LineInput(mug.pk, Decimal(2), product_code=mug.code), LineInput(missing, Decimal(3))],
    )
    assert refused.status == OrderStatus.REJECTED
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    sign_in(
        page, f"{live_server.url}/orders/", "supervisor", "super-pass-123", ready="#history-table"
    )
    page.fill("#id_search", "hx1 1aa")
    results = page.locator("#history-table tbody tr")
    expect(results).to_have_count(1)
    # The address to share names the search alone, not every filter left empty.
    expect(page).to_have_url(re.compile(r"/orders/\?search=hx1(\+|%20)1aa&tenant=\d+$"))
    page.click("text=PHONE-4411")

    reasons = page.locator("#clarus-reasons")
    expect(reasons).to_contain_text("Line 2, product")
    expect(reasons).to_contain_text(f"there is no product with id {missing}")
    page.click("#correct-order")

    expect(page.locator("h1")).to_have_text("Correct order PHONE-4411 and send it again")
    page.wait_for_load_state("load")
    second_line = page.locator("#lines-1-row")
    expect(second_line).to_contain_text(f"there is no product with id {missing}")
    expect(page.locator("#id_lines-1-quantity")).to_have_value("3")
    page.fill("#id_lines-1-product", teapot.code)
    page.keyboard.press("Enter")
    expect(page.locator("#id_lines-1-quantity")).to_be_focused()
    expect(page.locator("#id_lines-1-product_id")).to_have_value(str(teapot.pk))
    page.keyboard.press("Control+Enter")

    expect(page.locator("#order-status")).to_contain_text("Sent")
    order = Order.objects.get(pk=refused.pk)
    assert order.status == OrderStatus.SENT
    assert [a.outcome for a in order.attempts.all()] == [
        AttemptOutcome.SENT,
        AttemptOutcome.REJECTED,
    ]
    [goods_out] = SandboxGoodsOut.objects.filter(reference="PHONE-4411")
    assert goods_out.pk == order.clarus_id
    sent_lines = goods_out.attributes["lines_changes"]
    assert [line["attributes"] for line in sent_lines] == [
        {"product_id": mug.pk, "order_quantity": 2},
        {"product_id": teapot.pk, "order_quantity": 3},
    ]
    expect(page.locator("#transitions")).to_contain_text("Corrected by supervisor.")
    assert not [text for text in console if "Content Security Policy" in text]
