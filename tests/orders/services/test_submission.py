"""The submit service against the sandbox over real loopback HTTP."""

import json
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import clarus
from orders.domain import KeyedOrder
from orders.models import AttemptOutcome, Order, OrderStatus, SubmissionAttempt
from orders.services.submission import order_resend, order_submit
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.orders.factories import LONDON, address_of, cleaned_order, header_of, lines

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def user(transactional_db):
    return User.objects.create_user("agent", password="agent-pass-123")


def keyed(tenant, line_count=2, **overrides):
    cleaned = cleaned_order(**overrides)
    return KeyedOrder(
        tenant=tenant,
        header=header_of(cleaned),
        lines=lines(line_count),
        address=address_of(cleaned),
    )


def submit(tenant, user, **overrides):
    return order_submit(form_token=uuid.uuid4(), keyed=keyed(tenant, **overrides), user=user)


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def set_fault(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def test_success_stores_the_clarus_id_and_the_exchange(sandbox_tenant, user):
    result = submit(sandbox_tenant, user, reference="SO-OK-1")

    order = Order.objects.get()
    received = SandboxGoodsOut.objects.get()
    attempt = SubmissionAttempt.objects.get()
    assert result.sent
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == received.pk
    assert received.reference == "SO-OK-1"
    assert json.loads(attempt.request_body) == received.document
    assert attempt.response_status == 200
    assert json.loads(attempt.response_body)["data"]["id"] == received.pk
    assert attempt.request_headers["Authorization"] == "[redacted]"
    assert attempt.request_headers["X-Clarus-Subdomain"] == "acme"
    assert attempt.user == user
    assert attempt.tenant == sandbox_tenant
    assert attempt.outcome == AttemptOutcome.SENT


@pytest.mark.postgres_only
def test_order_is_saved_before_clarus_is_called(sandbox_tenant, user):
    seen = {}
    set_fault(latency_ms=400)

    def look():
        # While the sandbox sleeps on the request, the order is already in the desk's database.
        threading.Event().wait(0.2)
        seen["status"] = list(Order.objects.values_list("status", flat=True))
        connection.close()

    watcher = threading.Thread(target=look)
    watcher.start()
    submit(sandbox_tenant, user)
    watcher.join()

    assert seen["status"] == [OrderStatus.SENDING]


def test_rejection_maps_each_error_to_its_source(sandbox_tenant, user, settings):
    result = submit(sandbox_tenant, user, priority=0, delivery_country="GBR")

    sources = {error.source for error in result.refusals}
    assert result.outcome == AttemptOutcome.REJECTED
    assert Order.objects.get().status == OrderStatus.REJECTED
    assert {"priority", "address.country_code"} <= sources
    assert SandboxGoodsOut.objects.count() == 0


def test_a_stale_token_is_refreshed_once_and_the_order_goes_through(sandbox_tenant, user):
    sandbox_tenant.access_token = "forged-token"
    sandbox_tenant.access_token_expires_at = timezone.now() + timedelta(hours=1)
    sandbox_tenant.save()

    result = submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert result.sent
    assert [a.response_status for a in order.attempts.order_by("id")] == [401, 200]
    assert SandboxGoodsOut.objects.count() == 1


def test_refused_credentials_leave_the_order_waiting_for_a_reconnect(sandbox_tenant, user):
    sandbox_tenant.client_secret = "not-the-secret"
    sandbox_tenant.save()

    result = submit(sandbox_tenant, user)

    order = Order.objects.get()
    sandbox_tenant.refresh_from_db()
    assert result.outcome == AttemptOutcome.UNAUTHORIZED
    assert "invalid_client" in result.message
    assert "until a tenant admin reconnects" in result.message
    assert order.status == OrderStatus.FAILED
    assert order.next_attempt_at is not None
    assert sandbox_tenant.needs_reconnect
    assert SandboxGoodsOut.objects.count() == 0


def test_clarus_down_keeps_the_order_to_send_again(sandbox_tenant, user):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    live_base = sandbox_tenant.api_base_url
    sandbox_tenant.api_base_url = f"http://127.0.0.1:{closed_port}/sandbox"
    sandbox_tenant.save()

    result = submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert result.outcome == AttemptOutcome.UNREACHABLE
    assert order.status == OrderStatus.FAILED
    assert "Could not connect" in result.message
    assert order.lines.count() == 2

    sandbox_tenant.api_base_url = live_base
    sandbox_tenant.save()
    order.tenant.refresh_from_db()
    assert order_resend(order=order, user=user).sent
    assert SandboxGoodsOut.objects.count() == 1
    assert order.attempts.count() == 2


def test_server_error_is_not_sent(sandbox_tenant, user):
    set_fault(forced_status=503)

    result = submit(sandbox_tenant, user)

    assert result.outcome == AttemptOutcome.SERVER_ERROR
    assert "HTTP 503" in result.message
    assert Order.objects.get().status == OrderStatus.FAILED


def test_timeout_marks_the_outcome_unknown(sandbox_tenant, user, settings):
    # The token first, so the short read timeout below applies to the order alone.
    clarus.access_token(sandbox_tenant)
    settings.CLARUS_READ_TIMEOUT = 0.3
    set_fault(latency_ms=1500)

    result = submit(sandbox_tenant, user)

    attempt = SubmissionAttempt.objects.get()
    assert result.outcome == AttemptOutcome.NO_ANSWER
    assert Order.objects.get().status == OrderStatus.UNKNOWN
    assert "may have received" in result.message
    assert attempt.response_status is None
    assert attempt.duration_ms >= 300
    # The sandbox goes on and stores the order after the desk gave up: why "unknown" is right.
    assert wait_until(lambda: SandboxGoodsOut.objects.count() == 1)


@pytest.mark.postgres_only
def test_double_submit_of_one_form_sends_one_goods_out(sandbox_tenant, user):
    token = uuid.uuid4()
    set_fault(latency_ms=300)
    results = []

    def post():
        results.append(order_submit(form_token=token, keyed=keyed(sandbox_tenant), user=user))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.append(order_submit(form_token=token, keyed=keyed(sandbox_tenant), user=user))

    assert SandboxGoodsOut.objects.count() == 1
    assert Order.objects.count() == 1
    assert SubmissionAttempt.objects.count() == 1
    assert sum(result.outcome is not None for result in results) == 1
    assert "already sent" in results[-1].message


def test_rejected_order_fixed_and_resubmitted_is_the_same_order(sandbox_tenant, user):
    token = uuid.uuid4()
    first = order_submit(form_token=token, keyed=keyed(sandbox_tenant, priority=0), user=user)
    second = order_submit(form_token=token, keyed=keyed(sandbox_tenant, priority=5), user=user)

    assert first.outcome == AttemptOutcome.REJECTED
    assert second.sent
    assert Order.objects.count() == 1
    assert Order.objects.get().attempts.count() == 2
    assert SandboxGoodsOut.objects.get().document["data"]["attributes"]["priority"] == 5


def test_attempts_are_append_only(sandbox_tenant, user):
    submit(sandbox_tenant, user)
    attempt = SubmissionAttempt.objects.get()

    attempt.response_body = "changed"
    with pytest.raises(Exception, match="append-only"):
        attempt.save()
    with pytest.raises(Exception, match="append-only"):
        attempt.delete()


def test_no_token_reaches_the_audit_trail(sandbox_tenant, user):
    submit(sandbox_tenant, user)
    sandbox_tenant.refresh_from_db()
    token = sandbox_tenant.access_token

    attempt = SubmissionAttempt.objects.values().get()

    assert token
    assert token not in json.dumps(attempt, default=str)
    assert sandbox_tenant.client_secret not in json.dumps(attempt, default=str)


def test_dispatch_time_reaches_clarus_with_its_offset(sandbox_tenant, user):

    submit(
        sandbox_tenant, user, expected_date_of_dispatch=datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)
    )

    sent = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    assert sent["expected_date_of_dispatch"] == "2026-07-01T09:00:00+01:00"


def test_a_submit_costs_the_same_queries_whatever_its_line_count(sandbox_tenant, user):
    """The order written claimed, with both moves of its trail in one insert and its lines in
    another, never read back; their Clarus ids kept in one update; whether the form has an order
    and the tenant an approval rule, in one read; the form's draft deleted in the same
    transaction. Counted on this thread:
    the sandbox answers on another."""
    submit(sandbox_tenant, user, reference="SO-WARM")  # the token is fetched once
    counts = {}
    for line_count in (1, 2, 8):
        with CaptureQueriesContext(connection) as queries:
            result = submit(
                sandbox_tenant, user, reference=f"SO-Q-{line_count}", line_count=line_count
            )
        assert result.sent
        counts[line_count] = len(queries)

    assert counts[1] == counts[2] == counts[8]
    assert counts[8] == 13
    assert Order.objects.get(reference="SO-Q-8").lines.exclude(clarus_line_id=None).count() == 8
