"""Dashboard benchmark: the supervisors' dashboard on the orders in the configured database.

Signs in as the busiest tenant's supervisor and times whole requests to the dashboard view
through Django's test client (session, memberships, form, every figure, four SVG charts and their
tables), and the selector alone (``orders.selectors.dashboard.dashboard_get``), for the periods a
supervisor picks: 7, 14, 30 and 90 days and a whole year; then the selector over every tenant at
once. Prints p50/p95 and the queries per request. See bench/README.md.

It times whatever orders the database holds. When it holds none, it generates them first
(``desk_generate_history --orders N``); when the generated orders have no keying start (the
generator leaves it empty), it fills one in on PostgreSQL, so the median has something to
compute. Run it with ``bench/dashboard`` (or ``make bench-dashboard``), which starts a throwaway
PostgreSQL when DATABASE_URL is not set. Exit status: 0 when every goal is met, 1 when one is
not, 3 when the bench cannot run.
"""

import argparse
import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bench.timing import Timing, timing

# A supervisor opens the dashboard like any page: the default period answers as fast as the
# history's pages (bench/history), a longer one may take a little longer.
GOALS_MS = {7: 100.0, 14: 100.0, 30: 200.0, 90: 500.0, 365: 1500.0}


@dataclass(frozen=True)
class Result:
    name: str
    days: int
    orders: int
    queries: int
    view: Timing | None
    selector: Timing
    goal_ms: float | None

    @property
    def met(self) -> bool:
        shown = self.view or self.selector
        return self.goal_ms is None or shown.p95 <= self.goal_ms


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    # Persistent connections, as production runs (docs/deploy.md).
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from orders.models import Order

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if not Order.objects.exists():
        call_command(
            "desk_generate_history",
            orders=options.orders,
            tenants=options.tenants,
            seed=options.seed,
            stdout=sys.stdout,
            stderr=sys.stderr,
        )
    filled = _fill_keying() if options.fill_keying else 0
    preparation = time.monotonic() - started
    # The desk's production settings as far as they matter here: no query log kept in memory.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results, context = _measure(options)
    _report(results, context, options=options, preparation=preparation, filled=filled)
    return 0 if all(result.met for result in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/dashboard", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--orders", type=int, default=1_000_000, help="to generate when there are none"
    )
    parser.add_argument("--tenants", type=int, default=5, help="default 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=20, help="timed requests per column")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds at most per column (default 60)"
    )
    parser.add_argument("--user", default="", help="a supervisor (default: the busiest tenant's)")
    parser.add_argument(
        "--no-fill-keying",
        dest="fill_keying",
        action="store_false",
        help="leave generated orders without a keying start",
    )
    return parser.parse_args(argv)


def _fill_keying() -> int:
    """Give generated orders without one a keying start 45 s to 5 min before they were saved,
    one in ten up to half an hour more (a call that ran long), deterministic by id."""
    from django.db import connection

    from bench.generate_history import SUBDOMAIN_PREFIX
    from orders.models import Order

    generated = Order.objects.filter(tenant__subdomain__startswith=SUBDOMAIN_PREFIX)
    if (
        connection.vendor != "postgresql"
        or generated.filter(keying_started_at__isnull=False).exists()
    ):
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE orders_order SET keying_started_at = created_at - make_interval(
                secs => 45 + (id * 7919) %% 255
                    + CASE WHEN id %% 10 = 0 THEN (id * 104729) %% 1800 ELSE 0 END
            )
            WHERE keying_started_at IS NULL AND tenant_id IN (
                SELECT id FROM orders_tenant WHERE subdomain LIKE %s
            )
            """,
            [f"{SUBDOMAIN_PREFIX}%"],
        )
        filled = cursor.rowcount
        # An update rewrites every row: what autovacuum would do next, before timing anything.
        cursor.execute("VACUUM ANALYZE orders_order")
    return filled


def _measure(options: argparse.Namespace) -> tuple[list[Result], dict[str, Any]]:
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from orders.models import Membership, Order, Role
    from orders.selectors.dashboard import Period, dashboard_get

    memberships = Membership.objects.filter(role=Role.SUPERVISOR).select_related("user", "tenant")
    if options.user:
        memberships = memberships.filter(user__username=options.user)
    # The busiest tenant that has a supervisor (the first generated tenant is the biggest).
    sizes = dict(Order.objects.values_list("tenant_id").annotate(n=Count("pk")).order_by())
    membership = max(memberships, key=lambda m: sizes.get(m.tenant_id, 0), default=None)
    if membership is None:
        raise SystemExit("No supervisor to sign in as: generate orders or pass --user.")
    user: User = membership.user
    url = reverse("orders:dashboard")
    today = timezone.localdate()
    scenarios: list[tuple[str, int, str | None, list[int]]] = [
        (f"last {days} days", days, f"{url}?days={days}", [membership.tenant_id])
        for days in (7, 14, 30, 90)
    ]
    year_from = (today - timedelta(days=364)).isoformat()
    scenarios.append(
        ("a year (from/to)", 365, f"{url}?date_from={year_from}", [membership.tenant_id])
    )
    every_tenant = list(Order.objects.values_list("tenant_id", flat=True).order_by().distinct())
    scenarios.append((f"all {len(every_tenant)} tenants, 90 days", 90, None, every_tenant))

    logging.getLogger("axes").setLevel(logging.WARNING)
    client = Client()
    client.force_login(user)
    results = []
    for name, days, page, tenant_ids in scenarios:
        period = Period.last_days(days, today=today)
        start, end = period.bounds()
        orders = Order.objects.filter(
            tenant_id__in=tenant_ids, created_at__gte=start, created_at__lt=end
        ).count()

        def selector(period: Period = period, tenant_ids: list[int] = tenant_ids) -> None:
            dashboard_get(tenant_ids=tenant_ids, period=period)

        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            if page:
                _get(client, page)
            else:
                selector()
        query_count = len(queries)
        view = None
        if page:
            view = _series(functools.partial(_get, client, page), options=options)
        selector_timing = _series(selector, options=options)
        goal = GOALS_MS.get(days) if page else None
        results.append(Result(name, days, orders, query_count, view, selector_timing, goal))
        print(f"  measured {name}", file=sys.stderr)
    return results, {
        "tenant": membership.tenant.subdomain,
        "user": user.username,
        "orders": Order.objects.count(),
        "keying": Order.objects.filter(keying_started_at__isnull=False).count(),
        "vendor": connection.vendor,
        "version": getattr(connection, "pg_version", None),
    }


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert b'id="dashboard-problem"' not in response.content, url


def _series(run: Callable[[], None], *, options: argparse.Namespace) -> Timing:
    """Time up to ``runs`` calls (after two to warm up), or as many as the budget allows."""
    run()
    run()
    times: list[float] = []
    deadline = time.monotonic() + options.budget
    for _ in range(options.runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            break
    return timing(times)


def _report(
    results: list[Result],
    context: dict[str, Any],
    *,
    options: argparse.Namespace,
    preparation: float,
    filled: int,
) -> None:
    version = context["version"]
    server = f"PostgreSQL {version // 10000}.{version % 100}" if version else str(context["vendor"])
    print()
    print(
        f"Dashboard bench: {context['orders']:,} orders on {server}, as {context['user']} "
        f"(tenant {context['tenant']}); {context['keying']:,} orders with a keying start"
        + (f" ({filled:,} filled in by the bench)" if filled else "")
    )
    print(f"Data ready in {preparation:.0f} s; up to {options.runs} runs each.")
    print()
    header = (
        f"{'period':<26} {'orders':>9} {'SQL':>4}  {'page p50':>9} {'p95':>8}  "
        f"{'selector p50':>12} {'p95':>8}  {'goal (page p95)':<16} {'met':<3}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        page = f"{r.view.p50:>7.1f}ms {r.view.p95:>6.1f}ms" if r.view else f"{'—':>9} {'—':>8}"
        goal = f"<= {r.goal_ms:.0f} ms" if r.goal_ms else "—"
        print(
            f"{r.name:<26} {r.orders:>9,} {r.queries:>4}  {page}  "
            f"{r.selector.p50:>10.1f}ms {r.selector.p95:>6.1f}ms  {goal:<16} "
            f"{'yes' if r.met else 'NO'}"
        )
    print()
    print(
        "page = a whole request through the view; selector = "
        "orders.selectors.dashboard.dashboard_get alone; "
        "SQL = queries per request (per call for the selector)."
    )


if __name__ == "__main__":
    sys.exit(main())
