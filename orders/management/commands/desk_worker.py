from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from orders.services.delivery import sweep_schedule


class Command(BaseCommand):
    help = (
        "Run the background delivery worker: schedules the delivery sweep, then runs "
        "django-tasks-db's worker. Run as many as you like, on as many machines: they coordinate "
        "through the database only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        # A sweep now: it picks up whatever a stopped worker or a dead desk process left behind.
        sweep_schedule(at=timezone.now())
        worker_options: dict[str, Any] = {
            "batch": options["batch"],
            "interval": options["interval"],
            "reload": False,
            "startup_delay": not options["batch"],
        }
        if options["worker_id"]:
            worker_options["worker_id"] = options["worker_id"]
        call_command("db_worker", **worker_options)
