"""/metrics: refused to anyone the settings do not name, and right about the desk's orders."""

import ipaddress
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from orders.access import metrics_caller_allowed
from orders.models import Order, OrderStatus, WorkerHeartbeat

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TOKEN = "metrics-token-0123456789abcdef"


def samples(response):
    """Return {(name, sorted labels): value} of a scrape."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_refused_when_nobody_is_configured(client, settings):
    settings.DESK_METRICS_TOKEN = ""
    settings.DESK_METRICS_ALLOWED_ADDRESSES = []

    response = client.get("/metrics", headers={"Authorization": "Bearer "})

    assert response.status_code == 403
    assert b"desk_" not in response.content


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", TOKEN],
)
def test_refused_without_the_token(client, settings, authorization):
    settings.DESK_METRICS_TOKEN = TOKEN
    settings.DESK_METRICS_ALLOWED_ADDRESSES = []
    headers = {} if authorization is None else {"Authorization": authorization}

    response = client.get("/metrics", headers=headers)

    assert response.status_code == 403
    assert b"desk_" not in response.content


def test_open_with_the_token(client, settings):
    settings.DESK_METRICS_TOKEN = TOKEN

    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert ("desk_tenants_needing_reconnect", ()) in samples(response)


@pytest.mark.parametrize(
    ("remote_addr", "allowed"),
    [
        ("10.1.2.3", True),
        ("::ffff:10.1.2.3", True),
        ("192.0.2.7", True),
        ("192.0.2.8", False),
        ("11.0.0.1", False),
        ("fd00::1", False),
        ("not an address", False),
    ],
)
def test_open_from_the_allowed_addresses_only(client, settings, remote_addr, allowed):
    settings.DESK_METRICS_TOKEN = ""
    settings.DESK_METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8", "192.0.2.7/32"]

    response = client.get("/metrics", REMOTE_ADDR=remote_addr)

    assert response.status_code == (200 if allowed else 403)


def test_a_forwarded_address_proves_nothing(client, settings):
    settings.DESK_METRICS_TOKEN = ""
    settings.DESK_METRICS_ALLOWED_ADDRESSES = ["10.0.0.0/8"]

    response = client.get(
        "/metrics",
        REMOTE_ADDR="192.0.2.8",
        headers={"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "10.1.2.3"},
    )

    assert response.status_code == 403


def test_the_figures_of_two_tenants(client, settings, make_tenant, django_assert_max_num_queries):
    settings.DESK_METRICS_TOKEN = TOKEN
    settings.DESK_SWEEP_INTERVAL_SECONDS = 30
    acme = make_tenant(subdomain="acme")
    globex = make_tenant(subdomain="globex", name="Globex", needs_reconnect=True)
    make_tenant(subdomain="quiet", name="Quiet")
    user = User.objects.create_user("agent")
    now = timezone.now()

    def order(tenant, status, *, age_minutes=0, lease_until=None):
        made = Order.objects.create(
            tenant=tenant,
            created_by=user,
            reference=f"R-{Order.objects.count()}",
            account_id=1,
            status=status,
            lease_until=lease_until,
        )
        Order.objects.filter(pk=made.pk).update(created_at=now - timedelta(minutes=age_minutes))

    order(acme, OrderStatus.SENT, age_minutes=500)
    order(acme, OrderStatus.SENT)
    order(acme, OrderStatus.FAILED, age_minutes=10)
    order(acme, OrderStatus.UNKNOWN, age_minutes=30)
    order(acme, OrderStatus.SENDING, lease_until=now - timedelta(minutes=1))
    order(acme, OrderStatus.SENDING, lease_until=now + timedelta(minutes=1))
    order(globex, OrderStatus.REJECTED, age_minutes=60)
    order(globex, OrderStatus.FAILED, age_minutes=90)
    WorkerHeartbeat.objects.create(worker="a:1", seen_at=now - timedelta(seconds=5))
    WorkerHeartbeat.objects.create(worker="b:2", seen_at=now - timedelta(seconds=20))
    WorkerHeartbeat.objects.create(worker="c:3", seen_at=now - timedelta(minutes=5))

    with django_assert_max_num_queries(4):
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    found = samples(response)

    def orders(tenant, status):
        return found["desk_orders", (("status", status), ("tenant", tenant))]

    assert orders("acme", "sent") == 2
    assert orders("acme", "failed") == 1
    assert orders("acme", "unknown") == 1
    assert orders("acme", "sending") == 2
    assert orders("acme", "rejected") == 0
    assert orders("globex", "rejected") == 1
    assert orders("globex", "failed") == 1
    assert orders("quiet", "draft") == 0
    assert sum(v for (name, _), v in found.items() if name == "desk_orders") == 8
    oldest = found["desk_oldest_waiting_order_age_seconds", (("tenant", "acme"),)]
    assert 30 * 60 <= oldest < 31 * 60
    oldest = found["desk_oldest_waiting_order_age_seconds", (("tenant", "globex"),)]
    assert 90 * 60 <= oldest < 91 * 60
    assert found["desk_oldest_waiting_order_age_seconds", (("tenant", "quiet"),)] == 0
    assert found["desk_orders_sending_lapsed", (("tenant", "acme"),)] == 1
    assert found["desk_orders_sending_lapsed", (("tenant", "globex"),)] == 0
    assert found["desk_tenants_needing_reconnect", ()] == 1
    assert found["desk_delivery_workers_seen", ()] == 2
    assert 5 <= found["desk_delivery_worker_last_seen_age_seconds", ()] < 60
    # Labels are subdomains, never the tenants' names.
    assert "Globex" not in response.content.decode()


def test_the_cost_does_not_grow_with_the_orders(client, settings, make_tenant):
    settings.DESK_METRICS_TOKEN = TOKEN
    tenant = make_tenant()
    user = User.objects.create_user("agent")
    Order.objects.bulk_create(
        Order(tenant=tenant, created_by=user, reference=f"R-{n}", account_id=1, status=status)
        for n, status in enumerate([OrderStatus.SENT, OrderStatus.FAILED] * 50)
    )
    headers = {"Authorization": f"Bearer {TOKEN}"}

    with CaptureQueriesContext(connection) as queries:
        found = samples(client.get("/metrics", headers=headers))

    assert len(queries) == 4
    assert found["desk_orders", (("status", "failed"), ("tenant", "acme"))] == 50


def test_webhook_deliveries_are_counted(client, settings, make_tenant):
    settings.DESK_METRICS_TOKEN = TOKEN
    tenant = make_tenant()
    headers = {"Authorization": f"Bearer {TOKEN}"}
    key = ("desk_webhook_deliveries_total", (("outcome", "unknown_address"),))
    before = samples(client.get("/metrics", headers=headers)).get(key, 0)

    response = client.post(f"/webhooks/clarus/{tenant.subdomain}/not-the-secret/", data={})

    assert response.status_code == 404
    assert samples(client.get("/metrics", headers=headers))[key] == before + 1


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    authorization=st.one_of(
        st.text(max_size=80),
        st.builds(lambda rest: f"Bearer {rest}", st.text(max_size=60)),
        st.sampled_from([TOKEN.upper(), f"bearer {TOKEN} x", f"Bearer\t{TOKEN}x"]),
    ),
    remote_addr=st.one_of(st.ip_addresses().map(str), st.text(max_size=40)),
)
def test_only_the_token_or_an_allowed_address_opens_it(authorization, remote_addr):
    request = RequestFactory().get(
        "/metrics", headers={"Authorization": authorization}, REMOTE_ADDR=remote_addr
    )
    with override_settings(DESK_METRICS_TOKEN=TOKEN, DESK_METRICS_ALLOWED_ADDRESSES=["10.0.0.0/8"]):
        allowed = metrics_caller_allowed(request)

    scheme, _, given_token = authorization.partition(" ")
    by_token = scheme.lower() == "bearer" and given_token.strip() == TOKEN
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        by_address = False
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        by_address = address in ipaddress.ip_network("10.0.0.0/8")
    assert allowed == (by_token or by_address)
