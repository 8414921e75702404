"""The delivery sweep's chain: scheduled once, kept alive by every worker, never left to a dead
worker."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orders.management.commands.desk_worker import SweepKeeper
from orders.models import Order, OrderStatus
from orders.services.delivery import deliver_due_orders
from orders.tasks import delivery_sweep, sweep_ensure, sweep_schedule

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
PROJECT = Path(__file__).resolve().parents[2]


def sweeps(status):
    return DBTaskResult.objects.filter(task_path=delivery_sweep.module_path, status=status)


def running_sweep(*, started_seconds_ago, worker="w1"):
    """Return a sweep a worker claimed that long ago (and may have died running)."""
    result = delivery_sweep.enqueue()
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago)
    )
    return row


def abandoned_age(settings):
    return settings.DESK_SWEEP_LEASE_SECONDS + 1


def test_a_worker_schedules_a_sweep_when_there_is_none():
    sweep_ensure()
    sweep_ensure()

    [ready] = sweeps(TaskResultStatus.READY)
    assert ready.run_after <= timezone.now()


def test_a_running_sweep_within_its_lease_is_left_alone():
    alive = running_sweep(started_seconds_ago=1)

    sweep_ensure()

    assert not sweeps(TaskResultStatus.READY).exists()
    alive.refresh_from_db()
    assert alive.status == TaskResultStatus.RUNNING


def test_a_sweep_running_past_its_lease_is_given_up_and_replaced(settings):
    dead = running_sweep(started_seconds_ago=abandoned_age(settings))

    sweep_ensure()

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert dead.finished_at is not None
    assert dead.exception_class_path == "orders.tasks.SweepAbandoned"
    assert "stopped before it ended" in dead.traceback
    [ready] = sweeps(TaskResultStatus.READY)
    assert ready.run_after <= timezone.now()


def test_an_abandoned_sweep_is_given_up_even_while_another_is_ready(settings):
    dead = running_sweep(started_seconds_ago=abandoned_age(settings))
    sweep_schedule(at=timezone.now())

    delivery_sweep.call()

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED


def test_a_sweep_scheduled_only_far_ahead_does_not_count(settings):
    later = timezone.now() + timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS * 10)
    sweep_schedule(at=later)

    sweep_ensure()

    assert sweeps(TaskResultStatus.READY).filter(run_after__lte=timezone.now()).count() == 1
    assert sweeps(TaskResultStatus.READY).count() == 2


def test_a_ready_sweep_soon_is_enough(settings):
    soon = timezone.now() + timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS / 2)
    sweep_schedule(at=soon)

    sweep_ensure()

    assert list(sweeps(TaskResultStatus.READY).values_list("run_after", flat=True)) == [soon]


def test_a_starting_worker_gives_up_an_abandoned_sweep_and_sweeps(settings):
    dead = running_sweep(started_seconds_ago=abandoned_age(settings))

    call_command("desk_worker", batch=True, interval=0.01)

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert sweeps(TaskResultStatus.SUCCESSFUL).exists()
    # The sweep that ran put the next one in the queue.
    assert sweeps(TaskResultStatus.READY).get().run_after > timezone.now()


def test_the_keeper_replaces_a_dead_sweep_while_its_worker_runs(settings):
    dead = running_sweep(started_seconds_ago=abandoned_age(settings))
    keeper = SweepKeeper(every=0.05)
    keeper.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not sweeps(TaskResultStatus.READY).exists():
            time.sleep(0.05)
    finally:
        keeper.stopped.set()
        keeper.join(timeout=10)

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert sweeps(TaskResultStatus.READY).count() == 1


@pytest.fixture
def due_orders(make_tenant):
    tenant = make_tenant()
    user = User.objects.create_user("agent")
    past = timezone.now() - timedelta(minutes=5)
    return [
        Order.objects.create(
            tenant=tenant,
            created_by=user,
            reference=f"DUE-{n}",
            account_id=1,
            status=OrderStatus.FAILED,
            next_attempt_at=past,
        )
        for n in range(2)
    ]


def test_no_order_is_claimed_once_the_sweep_must_stop_claiming(due_orders):
    sent = deliver_due_orders(stop_claiming_at=timezone.now())

    assert sent == 0
    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.FAILED}


def test_a_sweep_out_of_time_hands_over_to_a_new_sweep_at_once(settings, due_orders):
    # No time to claim anything: the lease is all the last order's.
    settings.DESK_SWEEP_LEASE_SECONDS = settings.DESK_SEND_LEASE_SECONDS

    delivery_sweep.call()

    assert set(Order.objects.values_list("status", flat=True)) == {OrderStatus.FAILED}
    [ready] = sweeps(TaskResultStatus.READY)
    assert ready.run_after <= timezone.now()


def test_a_sweep_lease_no_longer_than_the_send_lease_is_refused():
    env = {**os.environ, "DESK_SEND_LEASE_SECONDS": "60", "DESK_SWEEP_LEASE_SECONDS": "60"}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=PROJECT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "DESK_SWEEP_LEASE_SECONDS must be longer than DESK_SEND_LEASE_SECONDS" in result.stderr


def test_the_sweep_lease_outlasts_the_send_lease_by_a_sweep_interval_by_default(settings):
    assert settings.DESK_SWEEP_LEASE_SECONDS == (
        settings.DESK_SEND_LEASE_SECONDS + settings.DESK_SWEEP_INTERVAL_SECONDS
    )
