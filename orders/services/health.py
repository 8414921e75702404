"""The delivery workers' heartbeat: each says it is alive, for ``/readyz`` and ``/metrics``."""

import os
import socket
from datetime import timedelta
from functools import cache

from django.utils import timezone

from orders.models import WorkerHeartbeat

# A worker not seen for this long has stopped: its row goes (a restarted worker writes a new one).
FORGET_AFTER = timedelta(days=1)


@cache
def _this_host() -> str:
    return socket.gethostname()


def worker_name() -> str:
    """Return this process's name as a worker: its host and process id."""
    return f"{_this_host()}:{os.getpid()}"[:200]


def worker_heartbeat_record(*, worker: str | None = None) -> None:
    """Record that the worker ``worker`` (this process by default) is alive now.

    Two indexed writes: its own row, and the removal of rows of workers gone for a day.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker=worker or worker_name(), defaults={"seen_at": now}
    )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
