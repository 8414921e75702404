"""Fill the desk with a realistic order history, to see the supervisors' pages at scale.

The generator lives beside the benches that use it (``bench/generate_history.py``); this is its
command line: the options, their checks and the summary.
"""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from bench.generate_history import (
    SUBDOMAIN_PREFIX,
    TENANTS,
    HistoryExists,
    Progress,
    history_generate,
)


class Command(BaseCommand):
    help = (
        "Generate a realistic order history (tenants, agents, orders, lines, submission "
        "attempts) for trying the supervisors' history at scale. Refuses to run twice unless "
        "--append is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--orders", type=int, default=100_000, help="Orders to generate.")
        parser.add_argument("--tenants", type=int, default=5, help=f"1 to {len(TENANTS)}.")
        parser.add_argument("--agents", type=int, default=12, help="Agents per tenant.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch", type=int, default=20_000, help="Orders per transaction.")
        parser.add_argument("--days", type=int, default=365, help="How far back orders go.")
        parser.add_argument(
            "--until",
            default="",
            help="The newest order's time, ISO date or date-time (default: now).",
        )
        parser.add_argument(
            "--append", action="store_true", help="Add to generated orders already there."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["orders"]
        tenant_count: int = options["tenants"]
        if count < 1 or options["batch"] < 1 or options["agents"] < 1 or options["days"] < 1:
            raise CommandError("--orders, --batch, --agents and --days must be at least 1.")
        if not 1 <= tenant_count <= len(TENANTS):
            raise CommandError(f"--tenants must be between 1 and {len(TENANTS)}.")
        try:
            totals = history_generate(
                orders=count,
                tenants=tenant_count,
                agents=options["agents"],
                seed=options["seed"],
                batch=options["batch"],
                days=options["days"],
                until=_parse_until(options["until"]),
                append=options["append"],
                progress=Progress(self.stderr, total=count),
            )
        except HistoryExists as exc:
            raise CommandError(
                f"The database already holds {exc.orders:,} generated orders (tenants "
                f"{SUBDOMAIN_PREFIX}…). Pass --append to add {count:,} more, or start from an "
                "empty database."
            ) from None
        self.stdout.write(
            f"Generated {totals.orders:,} orders ({totals.lines:,} lines, {totals.attempts:,} "
            f"attempts) in {tenant_count} tenants in {totals.seconds:.1f} s "
            f"({totals.orders / totals.seconds:,.0f} orders/s); "
            f"supervisor logins: {', '.join(totals.supervisors)}."
        )


def _parse_until(text: str) -> datetime:
    if not text:
        return timezone.now()
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"--until {text!r} is not an ISO date or date-time.")
        moment = datetime.combine(day, datetime.min.time())
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
