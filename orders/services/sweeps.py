"""Scheduling the delivery sweep (``orders.tasks.delivery_sweep``) in the task queue.

A sweep re-queues itself when it ends, so a worker killed mid-sweep would end the chain: its task
row stays ``RUNNING`` and nothing is ``READY``. Every worker therefore keeps the chain alive
(``sweep_ensure``, called by ``desk_worker`` on start and every poll): a sweep ``RUNNING`` for
longer than the sweep lease (``DESK_SWEEP_LEASE_SECONDS``) belonged to a dead worker, is marked
failed and replaced. A live sweep never runs that long: it stops claiming orders once
``DESK_SWEEP_LEASE_SECONDS - DESK_SEND_LEASE_SECONDS`` have passed, and the order it is sending
then is done within its own send lease. So by the time a sweep is given up, the send lease of any
order it held has run out too, and the next sweep reconciles that order at once.

Whoever schedules or replaces a sweep does it under one lock (``_sweeps_locked``), so any number
of workers and app processes doing it at once leave one sweep, not one each.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult, get_date_max

# The delivery sweep and the error a given-up sweep is recorded with, named by their paths as the
# task queue stores them: the task calls into the services, so the services do not import it.
SWEEP_TASK = "orders.tasks.delivery_sweep"
SWEEP_ABANDONED = "orders.tasks.SweepAbandoned"

# The PostgreSQL advisory lock every scheduler of sweeps takes (any fixed 64-bit number that no
# other part of the desk uses).
SWEEP_LOCK_KEY = 0x6465736B5F737770  # "desk_swp"


def sweep_lease() -> timedelta:
    """How long a sweep may run before it counts as abandoned by a dead worker."""
    return timedelta(seconds=settings.DESK_SWEEP_LEASE_SECONDS)


def sweep_claim_window() -> timedelta:
    """How long a sweep keeps claiming orders: the rest of its lease covers the last one."""
    return sweep_lease() - timedelta(seconds=settings.DESK_SEND_LEASE_SECONDS)


def sweep_schedule(*, at: datetime) -> None:
    """Make sure a sweep runs at ``at`` or sooner, without piling up duplicates."""
    if _ready_sweeps(by=at).exists():
        return
    with _sweeps_locked():
        # Checked again under the lock: another process may have scheduled one meanwhile.
        if not _ready_sweeps(by=at).exists():
            import_string(SWEEP_TASK).using(run_after=at).enqueue()


def sweep_ensure() -> None:
    """Keep the sweep chain alive: give up sweeps of dead workers; schedule one if none is due.

    Some sweep must be running within its lease or ready to run within the sweep interval;
    otherwise one is scheduled now. Cheap when a sweep is ready: one indexed query.
    """
    if not _sweep_missing():
        return
    with _sweeps_locked():
        # Checked again under the lock: another worker may have done it meanwhile.
        abandoned_sweeps_give_up()
        if _sweep_missing():
            import_string(SWEEP_TASK).using(run_after=timezone.now()).enqueue()


def _sweep_missing() -> bool:
    """Return whether no sweep is on its way, or one was abandoned and is to be given up."""
    now = timezone.now()
    if _ready_sweeps(by=now + timedelta(seconds=settings.DESK_SWEEP_INTERVAL_SECONDS)).exists():
        return False
    started = list(_running_sweeps().values_list("started_at", flat=True))
    lease_start = now - sweep_lease()
    return not started or any(each is not None and each < lease_start for each in started)


def abandoned_sweeps_give_up() -> int:
    """Mark sweeps running past their lease as failed, so they no longer count; return how many.

    A conditional UPDATE: it is safe without the lock, and harmless if the worker was alive
    after all (its end overwrites the row as usual).
    """
    now = timezone.now()
    return (
        _running_sweeps()
        .filter(started_at__lt=now - sweep_lease())
        .update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=SWEEP_ABANDONED,
            traceback=(
                "SweepAbandoned: the worker running this sweep stopped before "
                f"it ended; after the sweep lease ({settings.DESK_SWEEP_LEASE_SECONDS:g} s) "
                "another sweep took over.\n"
            ),
        )
    )


def _ready_sweeps(*, by: datetime) -> QuerySet[DBTaskResult]:
    # run_after is the far-future sentinel when a task was enqueued to run at once.
    return DBTaskResult.objects.filter(
        Q(run_after__lte=by) | Q(run_after=get_date_max()),
        task_path=SWEEP_TASK,
        status=TaskResultStatus.READY,
    )


def _running_sweeps() -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(task_path=SWEEP_TASK, status=TaskResultStatus.RUNNING)


@contextmanager
def _sweeps_locked() -> Iterator[None]:
    """Hold the one lock that every scheduler of sweeps takes, until the transaction ends."""
    using = DBTaskResult.objects.db
    with transaction.atomic(using=using):
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWEEP_LOCK_KEY])
        # On SQLite the transaction is the lock: settings.py begins every one IMMEDIATE, which
        # takes the database's write lock, so one writer at a time gets here.
        yield
