"""Clarus Automations webhooks: checked, kept once, shown on the order (CONTRACT.md §5)."""

import io
import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from orders.models import Membership, Order, Role, WebhookDelivery
from tests.orders.factories import order_post_data

HEADERS = {
    "X-ClarusWMS-Subdomain": "acme",
    "X-ClarusWMS-Automation-ID": "7",
    "X-ClarusWMS-Domain": "https://acme.claruswms.example",
}


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def address(tenant, secret=None):
    return reverse(
        "clarus_webhook",
        kwargs={"subdomain": tenant.subdomain, "secret": secret or tenant.webhook_secret},
    )


def deliver(client, url, body, headers=HEADERS):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


BODY = {"resource_name": "goods_out", "event": "completed", "data": {"id": 41, "reference": "R"}}


def test_a_delivery_is_kept_once_however_often_it_comes(client, tenant):
    first = deliver(client, address(tenant), BODY)
    again = deliver(client, address(tenant), BODY)

    delivery = WebhookDelivery.objects.get()
    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json()["repeat"] is True
    assert delivery.goods_out_id == 41
    assert delivery.event == "completed"
    assert delivery.repeats == 1
    assert delivery.headers["X-ClarusWMS-Automation-ID"] == "7"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({**HEADERS, "X-ClarusWMS-Subdomain": "other"}, 403),
        ({"X-ClarusWMS-Subdomain": "acme"}, 403),
    ],
)
def test_deliveries_must_name_the_tenant_and_automation(client, tenant, headers, status):
    assert deliver(client, address(tenant), BODY, headers).status_code == status
    assert not WebhookDelivery.objects.exists()


def test_a_wrong_secret_or_tenant_is_not_found(client, tenant):
    assert deliver(client, address(tenant, secret="guess"), BODY).status_code == 404
    assert (
        client.post("/webhooks/clarus/nobody/x/", "{}", content_type="application/json").status_code
        == 404
    )


def test_a_body_that_is_not_json_is_refused(client, tenant):
    response = client.post(
        address(tenant), "not json", content_type="application/json", headers=HEADERS
    )

    assert response.status_code == 400


def test_each_tenant_has_its_own_secret(make_tenant):
    first, second = make_tenant(), make_tenant(subdomain="other")

    assert first.webhook_secret != second.webhook_secret
    assert len(first.webhook_secret) >= 40


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_sends_webhooks_the_order_page_shows(client, live_server, sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    client.post(reverse("orders:create"), order_post_data(sandbox_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    url = f"{live_server.url}{address(sandbox_tenant)}"

    call_command(
        "sandbox_webhook",
        goods_out=order.clarus_id,
        url=url,
        event="completed",
        status=6,
        stdout=io.StringIO(),
    )

    page = client.get(order.get_absolute_url()).content.decode()
    assert WebhookDelivery.objects.get().goods_out_id == order.clarus_id
    assert 'id="webhooks"' in page
    assert "<td>completed</td><td>COMPLETED</td>" in page


def test_tenant_admins_see_the_webhook_address(client, tenant):
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)

    page = client.get(reverse("tenants:settings")).content.decode()

    assert f"/webhooks/clarus/acme/{tenant.webhook_secret}/" in page
