"""Whether the desk can do its work: the database answers, its tables are current, and a
delivery worker is alive (``/readyz``).

Two queries whatever the size of the database, so it can be asked every few seconds.
"""

from datetime import timedelta
from functools import cache

from django.conf import settings
from django.db import DatabaseError
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from orders.models import WorkerHeartbeat

# The reasons /readyz gives, one word each.
DATABASE = "database"
MIGRATIONS = "migrations"
WORKER = "delivery_worker"


@cache
def _latest_migrations() -> frozenset[tuple[str, str]]:
    """Return the newest migration of every app, as the code on disk has them (read once)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return frozenset(loader.graph.leaf_nodes())


def worker_recently_seen_since() -> timedelta:
    """How recently a delivery worker must have been seen: two sweep intervals."""
    return timedelta(seconds=2 * settings.DESK_SWEEP_INTERVAL_SECONDS)


def readiness_problems() -> list[str]:
    """Return what stops the desk from working, as short reasons; empty when it is ready.

    Migrations: the newest of each app must be recorded as applied. Delivery worker: any one
    seen within two sweep intervals counts.
    """
    try:
        applied = set(MigrationRecorder.Migration.objects.values_list("app", "name"))
    except DatabaseError:
        return [DATABASE]
    problems = [] if _latest_migrations() <= applied else [MIGRATIONS]
    try:
        worker_seen = WorkerHeartbeat.objects.filter(
            seen_at__gte=timezone.now() - worker_recently_seen_since()
        ).exists()
    except DatabaseError:
        # No heartbeat table yet (its migration is among those missing), or the database left.
        return [*problems, WORKER] if problems else [DATABASE]
    if not worker_seen:
        problems.append(WORKER)
    return problems
