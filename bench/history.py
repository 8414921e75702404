"""History benchmark: the supervisors' history at a million orders, keyset pages against OFFSET.

Generates the orders on PostgreSQL (``desk_generate_history``), signs in as the busiest tenant's
supervisor and times whole requests to the history view through Django's test client: the
first page, page 1,000, and searches by postcode, email, phone and the start of the name. Each is
timed twice: as the desk serves it (keyset pages, no count), and with the page fetched the way the
Django admin's changelist does it, ``Paginator(queryset, 50).page(n)`` (a COUNT(*) and an
OFFSET) on the same filtered queryset, rendered by the same view and template. See
bench/README.md.

Run it with ``bench/history`` (or ``make bench-history``), which starts a throwaway PostgreSQL
when DATABASE_URL is not set. Exit status: 0 when every goal is met, 1 when one is not, 3 when
the bench cannot run (not PostgreSQL, data already there without --reuse).
"""

import argparse
import logging
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.timing import Timing, timing

PAGE_SIZE = 50
GOAL_MS = 100.0
SEARCH_GOAL_MS = 150.0
DEEP_PAGE_GOAL_RATIO = 10.0


@dataclass(frozen=True)
class Scenario:
    name: str
    # One URL per run (a search looks up a different order's postcode, email… each time).
    urls: list[str]
    # The page number the admin's way fetches for the same rows.
    page: int
    goal_ms: float
    goal_ratio: float | None = None
    # The search box entry of the first URL, to check both ways return the same rows.
    search: str = ""


@dataclass(frozen=True)
class Result:
    scenario: Scenario
    queries: int
    keyset: Timing
    offset: Timing

    @property
    def ratio(self) -> float:
        # Medians: on a shared machine one slow run moves a p95 more than the method does.
        return self.offset.p50 / self.keyset.p50

    @property
    def met(self) -> bool:
        fast = self.keyset.p95 <= self.scenario.goal_ms
        return fast and (self.scenario.goal_ratio is None or self.ratio >= self.scenario.goal_ratio)


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    # Persistent connections, as production runs (docs/deploy.md): otherwise every request
    # would pay for a new PostgreSQL backend.
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The history bench runs on PostgreSQL: unset DATABASE_URL to get a throwaway one.")
        return 3
    call_command("migrate", verbosity=0)
    from bench.generate_history import generated_order_count

    generated = generated_order_count()
    started = time.monotonic()
    if generated and not options.reuse:
        print(f"The database already holds {generated:,} generated orders: pass --reuse.")
        return 3
    if not generated:
        call_command(
            "desk_generate_history",
            orders=options.orders,
            tenants=options.tenants,
            seed=options.seed,
            stdout=sys.stdout,
            stderr=sys.stderr,
        )
    generation = time.monotonic() - started
    # The desk's production settings as far as they matter here: no query log kept in memory.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results, context = _measure(options)
    _report(results, context, options=options, generation=generation)
    return 0 if all(result.met for result in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/history", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--tenants", type=int, default=5, help="default 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=30, help="timed requests per column")
    parser.add_argument("--page", type=int, default=1000, help="the deep page (default 1,000)")
    parser.add_argument(
        "--budget", type=float, default=60.0, help="seconds at most per column (default 60)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the generated orders already in the database"
    )
    return parser.parse_args(argv)


def _measure(options: argparse.Namespace) -> tuple[list[Result], dict[str, Any]]:
    from django.contrib.auth.models import User
    from django.core.paginator import Paginator
    from django.db import connection, reset_queries
    from django.db.models import Max, Min
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from orders.models import Membership, Order, Role
    from orders.selectors import history
    from orders.selectors.tenants import membership_list_for_user

    # The busiest tenant's supervisor: the first generated tenant is the biggest.
    membership = (
        Membership.objects.filter(role=Role.SUPERVISOR, tenant__subdomain__startswith="hist-")
        .select_related("user", "tenant")
        .order_by("tenant_id")
        .first()
    )
    assert membership is not None, "no generated supervisor"
    user: User = membership.user
    tenant_orders = Order.objects.filter(tenant_id=membership.tenant_id)
    total = tenant_orders.count()
    newest_first = tenant_orders.order_by("-created_at", "-id")
    if total < 2 * PAGE_SIZE:
        raise SystemExit(f"{membership.tenant} has {total} orders: too few for two pages.")
    deep = max(2, min(options.page, total // PAGE_SIZE))
    # The cursor of the last row of the page before: what "Older orders" would carry after
    # walking deep - 1 pages.
    last_before = newest_first[(deep - 1) * PAGE_SIZE - 1]
    rng = random.Random(options.seed)
    ids = tenant_orders.aggregate(low=Min("id"), high=Max("id"))
    # Orders picked at random, with a delivery email and phone: the searches a supervisor would
    # make for them, one order per run.
    picked = [
        tenant_orders.filter(id__gte=rng.randint(ids["low"], ids["high"]))
        .exclude(contact_email="")
        .exclude(contact_phone="")
        .order_by("id")
        .values_list("address", flat=True)[0]
        for _ in range(options.runs + 2)
    ]
    searches = {
        "postcode search": [a["postcode"] for a in picked],
        # As it was keyed, capitals and all: the search ignores case.
        "email search": [a["email_address"] for a in picked],
        # Read out over the phone and typed in the national form, whichever form was stored.
        "phone search": [_national(a["phone_number"]) for a in picked],
        # The start of the name, as much of it as people type: "Amelia", "Amelia Sm" or
        # "Amelia Smith", in turn.
        "name prefix search": [_name_start(a["name"], n) for n, a in enumerate(picked)],
    }
    url = reverse("orders:list")
    scenarios = [
        Scenario("first page", [url], page=1, goal_ms=GOAL_MS),
        Scenario(
            f"page {deep:,} (rows {(deep - 1) * PAGE_SIZE + 1:,}-{deep * PAGE_SIZE:,})",
            [f"{url}?after={history.encode_cursor(last_before)}"],
            page=deep,
            goal_ms=GOAL_MS,
            # The 10x is a goal at page 1,000; a smaller table has no such page.
            goal_ratio=DEEP_PAGE_GOAL_RATIO if deep == options.page else None,
        ),
        *(
            Scenario(
                name,
                [f"{url}?{urlencode({'search': text})}" for text in texts],
                page=1,
                goal_ms=SEARCH_GOAL_MS,
                search=texts[0],
            )
            for name, texts in searches.items()
        ),
    ]
    memberships = membership_list_for_user(user=user)
    keyset_page = history.history_page
    offset_number = [1]

    def offset_page(
        *,
        user: User,
        memberships: list[Membership],
        filters: history.HistoryFilters,
        after: str = "",
        size: int = PAGE_SIZE,
    ) -> history.HistoryPage:
        """Return the page the admin changelist's way: COUNT(*), then OFFSET (same rows)."""
        rows = (
            history._filtered(user=user, memberships=memberships, filters=filters)
            .select_related("tenant", "created_by")
            .annotate(
                line_count=history._line_count(),
                attempt_count=history._attempt_count(),
                response_ms=history._response_ms(),
            )
            .order_by("-created_at", "-id")
        )
        page = Paginator(rows, size).page(offset_number[0])
        return history.HistoryPage(orders=list(page.object_list), next_cursor=None)

    # Both ways return the same rows.
    for scenario in scenarios:
        filters = history.HistoryFilters(tenant_id=membership.tenant_id, search=scenario.search)
        after = scenario.urls[0].partition("after=")[2]
        offset_number[0] = scenario.page
        mine = keyset_page(user=user, memberships=memberships, filters=filters, after=after)
        theirs = offset_page(user=user, memberships=memberships, filters=filters)
        assert [o.pk for o in mine.orders] == [o.pk for o in theirs.orders], scenario.name

    logging.getLogger("axes").setLevel(logging.WARNING)
    client = Client()
    client.force_login(user)
    results = []
    for scenario in scenarios:
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            _get(client, scenario.urls[0])
        query_count = len(queries)  # read now: every request clears the query log
        offset_number[0] = scenario.page
        keyset, offset = _series(
            client,
            scenario.urls,
            runs=options.runs,
            budget=options.budget,
            other_way=lambda: _patched(history, "history_page", offset_page),
        )
        results.append(Result(scenario, query_count, keyset, offset))
        print(f"  measured {scenario.name}", file=sys.stderr)
    return results, {
        "tenant": membership.tenant.subdomain,
        "user": user.username,
        "tenant_orders": total,
        "orders": Order.objects.count(),
        "server": connection.pg_version,  # type: ignore[attr-defined]
    }


def _national(phone: str) -> str:
    """Return a UK number as read out and typed in the national form: "0113 496 0123"."""
    digits = "".join(c for c in phone if c.isdigit())
    for prefix in ("440", "44", "0"):
        if digits.startswith(prefix):
            digits = "0" + digits[len(prefix) :]
            break
    return f"{digits[:-6]} {digits[-6:-3]} {digits[-3:]}"


def _name_start(name: str, n: int) -> str:
    first, _, rest = name.partition(" ")
    return (first, f"{first} {rest[:2]}".strip(), name)[n % 3]


@contextmanager
def _patched(module: Any, name: str, value: Callable[..., Any]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, original)


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


def _series(
    client: Any,
    urls: list[str],
    *,
    runs: int,
    budget: float,
    other_way: Callable[[], AbstractContextManager[None]],
) -> tuple[Timing, Timing]:
    """Time up to ``runs`` requests each way (after two to warm up), or as many as ``budget``
    allows per way: the desk's way, and the same URL again inside ``other_way``.

    The two ways take turns on each URL, first one then the other going first: a URL timed once
    finds its rows in PostgreSQL's cache the second time, and a search looks up a different
    order every run, so timing one way's whole series before the other's would hand the second
    a warm cache (it made the phone search look 1.7x faster the OFFSET way).
    """
    for url in urls[-2:]:
        _get(client, url)
        with other_way():
            _get(client, url)
    times: tuple[list[float], list[float]] = ([], [])
    deadline = time.monotonic() + 2 * budget
    for n in range(runs):
        url = urls[n % len(urls)]
        for way in (0, 1) if n % 2 == 0 else (1, 0):
            with other_way() if way else nullcontext():
                started = time.perf_counter()
                _get(client, url)
                times[way].append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline:
            break
    return timing(times[0]), timing(times[1])


def _report(
    results: list[Result],
    context: dict[str, Any],
    *,
    options: argparse.Namespace,
    generation: float,
) -> None:
    version = context["server"]
    print()
    print(
        f"History bench: {context['orders']:,} orders on PostgreSQL {version // 10000}."
        f"{version % 100}, as {context['user']} ({context['tenant_orders']:,} orders in "
        f"{context['tenant']})"
    )
    print(f"Data ready in {generation:.0f} s; server time per request, {options.runs} runs each.")
    print()
    header = (
        f"{'request':<32} {'SQL':>3}  {'keyset p50':>10} {'p95':>7}  "
        f"{'OFFSET+COUNT p50':>16} {'p95':>7}  {'ratio':>6}  {'goal':<26} {'met':<3}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        goal = f"p95 <= {r.scenario.goal_ms:.0f} ms"
        if r.scenario.goal_ratio:
            goal += f", >= {r.scenario.goal_ratio:.0f}x"
        runs = "" if r.keyset.runs == options.runs else f" ({r.keyset.runs} runs)"
        print(
            f"{r.scenario.name:<32} {r.queries:>3}  {r.keyset.p50:>8.1f}ms {r.keyset.p95:>5.1f}ms"
            f"  {r.offset.p50:>14.1f}ms {r.offset.p95:>5.1f}ms  {r.ratio:>5.1f}x  {goal:<26} "
            f"{'yes' if r.met else 'NO'}{runs}"
        )
    print()
    print("ratio = OFFSET+COUNT p50 / keyset p50; SQL = queries per keyset request.")


if __name__ == "__main__":
    sys.exit(main())
