"""Exactly one goods-out per keyed order: retries, reconciliation and background delivery,
against the sandbox over real HTTP."""

import time
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.audit import Actor
from orders.clarus.goods_outs import goods_out_create
from orders.domain import KeyedOrder
from orders.models import AttemptOutcome, Order, OrderLine, OrderStatus
from orders.services import submission
from orders.services.delivery import _keep_line_ids, backoff, deliver, order_document
from orders.services.submission import DuplicateReference, order_submit
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.orders.factories import address_of, cleaned_order, header_of, lines

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def user(transactional_db):
    return User.objects.create_user("agent")


def keyed(tenant, **overrides):
    cleaned = cleaned_order(**overrides)
    return KeyedOrder(
        tenant=tenant,
        header=header_of(cleaned),
        lines=lines(2),
        address=address_of(cleaned),
    )


def submit(tenant, user, reference="SO-1", **overrides):
    return order_submit(
        form_token=uuid.uuid4(), keyed=keyed(tenant, reference=reference, **overrides), user=user
    )


def with_token(tenant):
    """Fetch the tenant's token first, so a short read timeout applies to the order alone."""
    from orders import clarus

    clarus.access_token(tenant)
    return tenant


def faults(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def make_due(*orders):
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def run_worker():
    call_command("desk_worker", batch=True, interval=0.01)


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_every_status_change_is_recorded_with_who_and_why(sandbox_tenant, user):
    result = submit(sandbox_tenant, user)

    changes = list(result.order.transitions.values_list("from_status", "to_status", "actor"))
    assert result.sent
    assert changes == [
        ("draft", "draft", "agent"),
        ("draft", "sending", "agent"),
        ("sending", "sent", "agent"),
    ]
    assert all(t.reason for t in result.order.transitions.all())


def died_before_sending(order, lines, **kwargs):
    raise SystemExit("the desk process died before its request left")


def sent_then_died(order, lines, **kwargs):
    # The request had left: Clarus stored it, and no answer came back to the dead process.
    goods_out_create(tenant=order.tenant, document=order_document(order, lines))
    raise SystemExit("the desk process died before it kept Clarus's answer")


@pytest.mark.parametrize("arrived", [False, True])
def test_an_order_whose_sender_died_after_storing_it_goes_once_after_its_lease(
    sandbox_tenant, user, settings, monkeypatch, arrived
):
    """A new order is written claimed (``sending``, with a lease): if its process dies before
    Clarus answers, nobody sends it until the lease runs out, then the worker asks Clarus first
    and sends it (or adopts what arrived) once."""
    settings.DESK_SEND_LEASE_SECONDS = 0.5
    dead = sent_then_died if arrived else died_before_sending
    monkeypatch.setattr(submission, "deliver_claimed", dead)

    with pytest.raises(SystemExit):
        submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert order.status == OrderStatus.SENDING
    assert order.lease_until is not None
    assert list(order.transitions.values_list("from_status", "to_status")) == [
        ("draft", "draft"),
        ("draft", "sending"),
    ]
    assert order.lines.count() == 2
    assert deliver(order.pk).outcome is None  # still held by its lease
    time.sleep(0.6)
    monkeypatch.undo()

    assert deliver(order.pk).sent

    order.refresh_from_db()
    assert SandboxGoodsOut.objects.count() == 1
    assert order.clarus_id == SandboxGoodsOut.objects.get().pk
    assert order.attempts.count() == (0 if arrived else 1)


def test_server_errors_are_retried_in_the_background(sandbox_tenant, user, settings):
    faults(forced_status=503)

    result = submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert result.outcome == AttemptOutcome.SERVER_ERROR
    assert order.status == OrderStatus.FAILED
    assert order.next_attempt_at is not None
    assert order.next_attempt_at > timezone.now()
    assert "try again by itself" in result.message
    assert DBTaskResult.objects.filter(task_path="orders.tasks.delivery_sweep").exists()

    faults(forced_status=None)
    make_due(order)
    run_worker()

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert SandboxGoodsOut.objects.count() == 1
    last = order.transitions.last()
    assert last is not None
    assert last.actor == "delivery worker"


def test_429_waits_at_least_as_long_as_clarus_asks(sandbox_tenant, user):
    faults(forced_status=429, retry_after_seconds=120)

    submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert order.status == OrderStatus.FAILED
    assert order.next_attempt_at is not None
    assert order.next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_a_rejection_is_never_retried_automatically(sandbox_tenant, user):
    result = submit(sandbox_tenant, user, priority=0)
    Order.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))

    run_worker()

    order = Order.objects.get()
    assert result.outcome == AttemptOutcome.REJECTED
    assert order.status == OrderStatus.REJECTED
    assert order.attempts.count() == 1


def test_retries_stop_after_the_limit(sandbox_tenant, user, settings):
    settings.DESK_DELIVERY_MAX_ATTEMPTS = 2
    faults(forced_status=500)
    submit(sandbox_tenant, user)
    order = Order.objects.get()
    make_due(order)

    run_worker()

    order.refresh_from_db()
    assert order.send_count == 2
    assert order.status == OrderStatus.FAILED
    assert order.next_attempt_at is None
    assert "gave up after 2 tries" in order.status_note


def test_a_timed_out_order_is_found_in_clarus_not_sent_twice(sandbox_tenant, user, settings):
    with_token(sandbox_tenant)
    settings.CLARUS_READ_TIMEOUT = 0.3
    settings.DESK_SEND_LEASE_SECONDS = 1.5
    faults(latency_ms=1000)

    result = submit(sandbox_tenant, user)

    order = Order.objects.get()
    assert result.outcome == AttemptOutcome.NO_ANSWER
    assert order.status == OrderStatus.UNKNOWN
    assert order.next_attempt_at is not None
    assert wait_until(lambda: SandboxGoodsOut.objects.count() == 1)
    faults(latency_ms=0)
    assert wait_until(lambda: timezone.now() > order.next_attempt_at, seconds=3)

    again = deliver(order.pk)

    order.refresh_from_db()
    assert again.sent
    assert order.clarus_id == SandboxGoodsOut.objects.get().pk
    assert SandboxGoodsOut.objects.count() == 1
    assert order.attempts.count() == 1
    last = order.transitions.last()
    assert last is not None
    assert "Found in Clarus" in last.reason


def test_send_again_too_soon_waits_for_clarus_to_finish(sandbox_tenant, user, settings):
    # Clarus stores the first try late: asking at once would find nothing and send it twice.
    with_token(sandbox_tenant)
    settings.CLARUS_READ_TIMEOUT = 0.3
    settings.DESK_SEND_LEASE_SECONDS = 3
    faults(latency_ms=2000)
    submit(sandbox_tenant, user)
    order = Order.objects.get()

    early = deliver(order.pk, by=Actor.of(user))

    order.refresh_from_db()
    assert early.outcome == AttemptOutcome.NO_ANSWER
    assert "may still be reaching Clarus" in early.message
    assert order.status == OrderStatus.UNKNOWN
    assert order.attempts.count() == 1
    assert wait_until(lambda: SandboxGoodsOut.objects.count() == 1)
    faults(latency_ms=0)
    assert order.next_attempt_at is not None
    assert wait_until(lambda: timezone.now() > order.next_attempt_at, seconds=4)

    assert deliver(order.pk).sent
    assert SandboxGoodsOut.objects.count() == 1


def test_a_dropped_connection_after_the_order_was_stored_is_reconciled(
    sandbox_tenant, user, settings
):
    settings.DESK_SEND_LEASE_SECONDS = 0.5
    faults(drop_after_store=1)

    result = submit(sandbox_tenant, user)

    assert result.outcome == AttemptOutcome.NO_ANSWER
    order = Order.objects.get()
    time.sleep(0.6)
    make_due(order)
    run_worker()
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert SandboxGoodsOut.objects.count() == 1
    assert order.clarus_id == SandboxGoodsOut.objects.get().pk


def test_an_unknown_order_is_not_resent_while_clarus_cannot_be_asked(
    sandbox_tenant, user, settings
):
    with_token(sandbox_tenant)
    settings.CLARUS_READ_TIMEOUT = 0.3
    settings.DESK_SEND_LEASE_SECONDS = 0.5
    faults(latency_ms=1000)
    submit(sandbox_tenant, user)
    assert wait_until(lambda: SandboxGoodsOut.objects.count() == 1)
    order = Order.objects.get()
    time.sleep(0.6)
    live = sandbox_tenant.api_base_url
    sandbox_tenant.api_base_url = "http://127.0.0.1:9/sandbox"
    sandbox_tenant.save()

    result = deliver(order.pk)

    order.refresh_from_db()
    assert result.outcome == AttemptOutcome.NO_ANSWER
    assert "cannot be asked right now" in result.message
    assert order.status == OrderStatus.UNKNOWN
    assert order.attempts.count() == 1
    assert order.next_attempt_at is not None
    sandbox_tenant.api_base_url = live
    sandbox_tenant.save()


def test_token_expiry_mid_run_costs_one_retry_not_an_order(sandbox_tenant, user):
    faults(expire_tokens_after=1)

    first = submit(sandbox_tenant, user, reference="SO-1")
    second = submit(sandbox_tenant, user, reference="SO-2")

    assert first.sent
    assert second.sent
    assert [a.response_status for a in second.order.attempts.order_by("id")] == [401, 200]
    assert SandboxGoodsOut.objects.count() == 2


def test_a_reference_is_used_once_per_tenant(sandbox_tenant, user):
    submit(sandbox_tenant, user, reference="SO-7")

    with pytest.raises(DuplicateReference) as raised:
        submit(sandbox_tenant, user, reference="SO-7")

    assert raised.value.earlier.reference == "SO-7"
    assert Order.objects.count() == 1


def test_clarus_down_then_up_sends_every_waiting_order_once_oldest_first(sandbox_tenant, user):
    faults(forced_status=503)
    references = [f"SO-{n}" for n in range(1, 6)]
    for reference in references:
        submit(sandbox_tenant, user, reference=reference)
    assert Order.objects.filter(status=OrderStatus.FAILED).count() == 5

    faults(forced_status=None)
    make_due(*Order.objects.all())
    run_worker()

    received = list(SandboxGoodsOut.objects.order_by("pk").values_list("reference", flat=True))
    assert received == references
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SENT}


def test_backoff_grows_is_capped_and_jittered(settings):
    settings.DESK_RETRY_BASE_SECONDS = 5
    settings.DESK_RETRY_MAX_SECONDS = 60

    waits = [[backoff(n).total_seconds() for _ in range(50)] for n in (1, 2, 3, 8)]

    assert all(2.5 <= w <= 5 for w in waits[0])
    assert all(5 <= w <= 10 for w in waits[1])
    assert all(10 <= w <= 20 for w in waits[2])
    assert all(30 <= w <= 60 for w in waits[3])
    assert len(set(waits[0])) > 1
    assert backoff(1, retry_after=90).total_seconds() >= 90


def test_clarus_line_ids_are_kept_line_by_line_in_one_statement(make_tenant):
    """Each line gets its own id, a line Clarus gave none keeps none, other orders' lines are
    untouched."""
    tenant = make_tenant()
    user = User.objects.create_user("keeper")
    orders = [
        Order.objects.create(tenant=tenant, created_by=user, reference=f"L-{n}", account_id=7)
        for n in range(2)
    ]
    for order in orders:
        OrderLine.objects.bulk_create(
            OrderLine(order=order, position=n, product_id=100 + n, quantity=1) for n in (1, 2, 3)
        )
    mine = list(orders[0].lines.all())

    with CaptureQueriesContext(connection) as queries:
        _keep_line_ids(mine, (9_000_000_001, None, 9_000_000_003))

    assert len(queries) == 1
    assert list(orders[0].lines.values_list("clarus_line_id", flat=True)) == [
        9_000_000_001,
        None,
        9_000_000_003,
    ]
    assert list(orders[1].lines.values_list("clarus_line_id", flat=True)) == [None] * 3
