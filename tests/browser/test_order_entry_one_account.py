"""An agent who keys for one client account only, in real Chromium: the order opens with that
account picked and the focus in the reference, and is sent to it without a key for the account;
the account box suggests no other."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import Membership, Role, Tenant
from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import acme_products, acme_row, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_of_one_account_keys_no_account(
    page: Any, live_server: Any, catalogue_tenant: Tenant
) -> None:
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    agent = User.objects.create_user("kim", password="kim-pass-phrase-1")
    Membership.objects.create(
        user=agent,
        tenant=catalogue_tenant,
        role=Role.AGENT,
        accounts=[{"id": acme.pk, "code": "ACME", "name": acme.name}],
    )
    product = acme_products()[0]
    sign_in(page, f"{live_server.url}/orders/new/", "kim", "kim-pass-phrase-1", ready="#order-form")

    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#id_account")).to_have_value(f"ACME · {acme.name}")
    page.keyboard.type(
        f"ONE-ACCOUNT-1\ntomorrow 2pm\nDPD\n\n{product.code}\n3\n\n"
        "Harbour Cafe Ltd\n4 Kirkstall Road\n\nLeeds\n\nLS3 1AB",
        delay=0,
    )
    expect(page.locator("#id_delivery_postcode")).to_be_focused()
    page.keyboard.press("Control+Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    sent = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    assert sent["reference"] == "ONE-ACCOUNT-1"
    assert sent["account_id"] == acme.pk

    # Another account's name typed in the account box: nothing is suggested.
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("#id_account", "")
    page.locator("#id_account").press_sequentially("Kite")
    expect(page.locator("#account-results")).to_contain_text("No")
    expect(page.locator("#account-results [role=option]")).to_have_count(0)
