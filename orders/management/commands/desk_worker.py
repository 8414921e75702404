import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from orders.services.health import worker_heartbeat_record
from orders.services.sweeps import sweep_ensure, sweep_schedule

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run the background delivery worker: schedules the delivery sweep, keeps it scheduled, "
        "and runs django-tasks-db's worker. Run as many as you like, on as many machines: they "
        "coordinate through the database only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        # Give up the sweep of a worker that died, then a sweep now: it picks up whatever a
        # stopped worker or a dead desk process left behind.
        worker_heartbeat_record()
        sweep_ensure()
        sweep_schedule(at=timezone.now())
        if not options["batch"]:
            keeper = SweepKeeper(every=max(options["interval"], 0.1))
            keeper.start()
        worker_options: dict[str, Any] = {
            "batch": options["batch"],
            "interval": options["interval"],
            "reload": False,
            "startup_delay": not options["batch"],
        }
        if options["worker_id"]:
            worker_options["worker_id"] = options["worker_id"]
        call_command("db_worker", **worker_options)


class SweepKeeper(threading.Thread):
    """Every poll, make sure a sweep is on its way, whatever this process is running; every half
    sweep interval, record that this worker is alive (``/readyz`` wants one seen within two).

    A thread of its own, so it also runs while this worker is busy with a long sweep, and so
    django-tasks-db's worker loop stays as it is. It dies with the process (daemon).
    """

    def __init__(self, *, every: float) -> None:
        super().__init__(name="sweep-keeper", daemon=True)
        self.every = every
        self.stopped = threading.Event()
        self.heartbeat_every = settings.DESK_SWEEP_INTERVAL_SECONDS / 2
        self.last_heartbeat = time.monotonic()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            # Its own database connection, dropped when expired like a request's.
            close_old_connections()
            try:
                if time.monotonic() - self.last_heartbeat >= self.heartbeat_every:
                    worker_heartbeat_record()
                    self.last_heartbeat = time.monotonic()
                sweep_ensure()
            except Exception:
                # The database is away for a moment: the next poll tries again.
                logger.exception("Could not check that a delivery sweep is scheduled.")
            finally:
                close_old_connections()
