"""The desk's JSON log lines, as production writes them, after what goes wrong with an order:
Clarus refusing it (422), the desk failing (500), a token refreshed mid-request. Every line is
one JSON object with the request's id, tenant, user, order, status and duration, and none holds
a secret, a token, or the caller's name, address, postcode, email or phone."""

import io
import json
import logging
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clarus_admin.log_format import JsonFormatter
from clarus_admin.log_redaction import WebhookSecretFilter
from orders.forms.entry import OrderForm
from orders.models import Membership, Order, Role, Tenant
from orders.services import submission
from tests.conftest import SANDBOX_CLIENT_SECRET
from tests.orders.factories import order_post_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

CREATE = "/orders/new/"
# What the caller told the agent (tests/orders/factories.py), as typed and as the desk keeps it.
PERSONAL = [
    "jo bloggs",
    "high street",
    "leeds",
    "ls1 4ap",
    "ls14ap",
    "jo@example.com",
    "0113 496 0000",
    "01134960000",
]
REQUEST_FIELDS = {"request_id", "method", "path", "status", "duration_ms", "tenant", "user_id"}
EXCHANGE_FIELDS = {"request_id", "tenant", "user_id", "order_id", "endpoint", "outcome"}


@pytest.fixture
def log_lines():
    """Return a function giving every line logged since, as the production formatter writes."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(WebhookSecretFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def agent_on_sandbox(sandbox_tenant, agent):
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    return agent


def post_order(client, tenant, **fields):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), delivery_phone="0113 496 0000", **fields)
    return client.post(CREATE, data, headers={"X-Request-ID": f"lb-{uuid.uuid4().hex}"})


def parsed(lines, secrets):
    """Return the lines as JSON objects, after checking that none holds a secret or personal
    data."""
    assert lines
    entries = []
    for line in lines:
        lowered = line.lower()
        for secret in secrets:
            assert secret.lower() not in lowered, line
        for personal in PERSONAL:
            assert personal not in lowered, line
        assert "bearer" not in lowered, line
        assert "authorization" not in lowered, line
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= set(entry), line
        entries.append(entry)
    return entries


def secrets_of(tenant_pk, *more):
    tenant = Tenant.objects.get(pk=tenant_pk)
    found = [SANDBOX_CLIENT_SECRET, tenant.webhook_secret, *more]
    found += [value for value in (tenant.access_token, tenant.refresh_token) if value]
    return found


def request_line(entries, request_id):
    [line] = [e for e in entries if e.get("event") == "request" and e["request_id"] == request_id]
    return line


def test_a_clarus_refusal_logs_the_request_and_its_exchange(
    client, agent, agent_on_sandbox, sandbox_tenant, log_lines, monkeypatch
):
    # The desk checks what Clarus checks; loosen its own priority rule to let Clarus refuse it.
    monkeypatch.setattr(OrderForm.base_fields["priority"], "validators", [])
    client.force_login(agent)

    response = post_order(client, sandbox_tenant, priority="0")

    assert response.status_code == 200
    order = Order.objects.get()
    entries = parsed(log_lines(), secrets_of(sandbox_tenant.pk))
    request_id = response["X-Request-ID"]
    line = request_line(entries, request_id)
    assert REQUEST_FIELDS | {"order_id"} <= set(line)
    assert line["method"] == "POST"
    assert line["path"] == CREATE
    assert line["status"] == 200
    assert line["tenant"] == "acme"
    assert line["user_id"] == agent.pk
    assert line["order_id"] == order.pk
    assert line["level"] == "INFO"
    [exchange] = [e for e in entries if e.get("endpoint") == "goods_out_create"]
    assert set(exchange) >= EXCHANGE_FIELDS
    assert exchange["request_id"] == request_id
    assert exchange["order_id"] == order.pk
    assert exchange["outcome"] == "rejected"
    assert exchange["status"] == 422
    assert exchange["duration_ms"] >= 0


def test_a_server_error_logs_without_personal_data(
    agent, agent_on_sandbox, sandbox_tenant, log_lines, monkeypatch
):
    def fails(**kwargs):
        raise RuntimeError("The desk failed while saving the order.")

    monkeypatch.setattr(submission, "order_submit", fails)
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    response = post_order(client, sandbox_tenant)

    assert response.status_code == 500
    entries = parsed(log_lines(), secrets_of(sandbox_tenant.pk))
    request_id = response["X-Request-ID"]
    line = request_line(entries, request_id)
    assert set(line) >= REQUEST_FIELDS
    assert line["status"] == 500
    [error] = [e for e in entries if e["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["request_id"] == request_id
    assert "RuntimeError: The desk failed" in error["exception"]


def test_a_token_refreshed_mid_request_is_logged_without_the_token(
    client, agent, agent_on_sandbox, sandbox_tenant, log_lines
):
    # A token Clarus no longer accepts: the desk is refused (401), gets a new one, sends again.
    stale = "stale-token-0123456789abcdef"
    sandbox_tenant.access_token = stale
    sandbox_tenant.access_token_expires_at = timezone.now() + timedelta(hours=1)
    sandbox_tenant.save()
    client.force_login(agent)

    response = post_order(client, sandbox_tenant)

    assert response.status_code == 302
    order = Order.objects.get()
    assert order.clarus_id is not None
    new_token = Tenant.objects.get(pk=sandbox_tenant.pk).access_token
    assert new_token
    assert new_token != stale
    entries = parsed(log_lines(), secrets_of(sandbox_tenant.pk, stale, new_token))
    request_id = response["X-Request-ID"]
    assert request_line(entries, request_id)["order_id"] == order.pk
    exchanges = [
        (e["endpoint"], e["outcome"])
        for e in entries
        if e.get("event") == "clarus_exchange" and e["request_id"] == request_id
    ]
    assert exchanges == [
        ("goods_out_create", "unauthorized"),
        ("token", "ok"),
        ("goods_out_create", "ok"),
    ]
