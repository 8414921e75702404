"""Caller benchmark: the entry page's caller box at a million orders.

Generates the orders on PostgreSQL (``desk_generate_history``, as the history bench does), then
times whole requests through Django's test client, as htmx asks for them: the caller search by
phone (in the national form, however it was stored), email, postcode and the start of a name, for
a different order's caller each run, and the caller's panel (their last 5 orders with their lines
and their distinct addresses) for that order; and the reference check beside the reference box,
for a different order's reference typed in small letters each run. As the busiest tenant's
supervisor (who may see every order) and as one of its agents (only their own). See
bench/README.md.

Run it with ``bench/caller`` (or ``make bench-caller``), which starts a throwaway PostgreSQL when
DATABASE_URL is not set. Exit status: 0 when every p95 is within its goal, 1 when one is not, 3
when the bench cannot run.
"""

import argparse
import logging
import os
import random
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.history import _name_start, _national
from bench.timing import Timing, timing

GOAL_MS = 50.0


@dataclass(frozen=True)
class Result:
    who: str
    name: str
    timing: Timing
    found: int

    @property
    def met(self) -> bool:
        return self.timing.p95 <= GOAL_MS


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarus_admin.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print("The caller bench runs on PostgreSQL: unset DATABASE_URL to get a throwaway one.")
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
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    results, context = _measure(options)
    _report(results, context, generation=generation)
    if options.explain:
        _explain(options)
    return 0 if all(result.met for result in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/caller", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--tenants", type=int, default=5, help="default 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=60, help="timed requests per row")
    parser.add_argument(
        "--reuse", action="store_true", help="use the generated orders already in the database"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also print PostgreSQL's plans (EXPLAIN ANALYZE) of the selectors' queries",
    )
    return parser.parse_args(argv)


def _measure(options: argparse.Namespace) -> tuple[list[Result], dict[str, Any]]:
    from django.db import connection
    from django.db.models import Count, Max, Min
    from django.test import Client
    from django.urls import reverse

    from orders.models import Membership, Order, Role

    supervisor = (
        Membership.objects.filter(role=Role.SUPERVISOR, tenant__subdomain__startswith="hist-")
        .select_related("user", "tenant")
        .order_by("tenant_id")
        .first()
    )
    assert supervisor is not None, "no generated supervisor"
    tenant = supervisor.tenant
    tenant_orders = Order.objects.filter(tenant=tenant)
    # The tenant's busiest agent: the most orders to see callers among.
    busiest = (
        tenant_orders.values("created_by")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("created_by", flat=True)[0]
    )
    agent = Membership.objects.select_related("user").get(tenant=tenant, user_id=busiest)
    rng = random.Random(options.seed)
    logging.getLogger("axes").setLevel(logging.WARNING)
    results = []
    for who, membership in (("supervisor", supervisor), ("agent", agent)):
        orders = tenant_orders
        if who == "agent":
            orders = orders.filter(created_by_id=membership.user_id)
        ids = orders.aggregate(low=Min("id"), high=Max("id"))
        picked = [
            orders.filter(id__gte=rng.randint(ids["low"], ids["high"]))
            .exclude(contact_email="")
            .exclude(contact_phone="")
            .order_by("id")
            .values_list("pk", "address")[0]
            for _ in range(options.runs + 2)
        ]
        searches = {
            "caller search: phone": [_national(a["phone_number"]) for _, a in picked],
            "caller search: email": [a["email_address"] for _, a in picked],
            "caller search: postcode": [a["postcode"] for _, a in picked],
            "caller search: name start": [
                _name_start(a["name"], n) for n, (_, a) in enumerate(picked)
            ],
        }
        client = Client(HTTP_HX_REQUEST="true")
        client.force_login(membership.user)
        search_url = reverse("orders:caller_search")
        for name, texts in searches.items():
            urls = [f"{search_url}?{urlencode({'caller': text})}" for text in texts]
            times, found = _series(client, urls, needle="caller-option")
            results.append(Result(who, name, times, found))
        panel_url = reverse("orders:caller_panel")
        urls = [f"{panel_url}?{urlencode({'caller_order': pk})}" for pk, _ in picked]
        times, found = _series(client, urls, needle="use-address")
        results.append(Result(who, "caller's panel", times, found))
        # The reference check beside the reference box: an order of theirs keyed again, its
        # reference typed in small letters (found as differing only in capitals).
        check_url = reverse("orders:reference_check")
        references = _references(orders, random.Random(options.seed + 1), options.runs + 2)
        urls = [
            f"{check_url}?{urlencode({'tenant': tenant.pk, 'reference': ref.lower()})}"
            for ref in references
        ]
        times, found = _series(client, urls, needle="reference-earlier")
        results.append(Result(who, "reference check", times, found))
        print(f"  measured as {who}", file=sys.stderr)
    return results, {
        "tenant": tenant.subdomain,
        "tenant_orders": tenant_orders.count(),
        "agent_orders": tenant_orders.filter(created_by_id=busiest).count(),
        "orders": Order.objects.count(),
        "server": connection.pg_version,  # type: ignore[attr-defined]
    }


def _references(orders: Any, rng: random.Random, count: int) -> list[str]:
    """Return the references of ``count`` of ``orders`` picked at random."""
    from django.db.models import Max, Min

    ids = orders.aggregate(low=Min("id"), high=Max("id"))
    return [
        orders.filter(id__gte=rng.randint(ids["low"], ids["high"]))
        .order_by("id")
        .values_list("reference", flat=True)[0]
        for _ in range(count)
    ]


def _series(client: Any, urls: list[str], *, needle: str) -> tuple[Timing, int]:
    """Time one request per URL after two to warm up; return the timing and how many of the
    answers held at least one ``needle`` (a suggestion, an address)."""
    for url in urls[:2]:
        client.get(url)
    times, found = [], 0
    for url in urls[2:]:
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        found += needle in response.content.decode()
    return timing(times), found


def _explain(options: argparse.Namespace) -> None:
    """Print the plan of every query the caller box's selectors make, for one generated caller."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.models import Membership, Order, Role
    from orders.selectors import caller, references

    membership = (
        Membership.objects.filter(role=Role.SUPERVISOR, tenant__subdomain__startswith="hist-")
        .select_related("user", "tenant")
        .order_by("tenant_id")
        .first()
    )
    assert membership is not None
    user, tenant, memberships = membership.user, membership.tenant, [membership]
    order = (
        Order.objects.filter(tenant=tenant)
        .exclude(contact_email="")
        .exclude(contact_phone="")
        .order_by("-id")
        .first()
    )
    assert order is not None
    address = order.address
    customer = (
        Order.objects.filter(tenant=tenant, header__has_key="customer_id")
        .values_list("header", flat=True)
        .first()
    )
    asks = {
        "phone": lambda: caller.caller_search(
            user=user,
            memberships=memberships,
            tenant=tenant,
            text=_national(address["phone_number"]),
        ),
        "email": lambda: caller.caller_search(
            user=user, memberships=memberships, tenant=tenant, text=address["email_address"]
        ),
        "postcode": lambda: caller.caller_search(
            user=user, memberships=memberships, tenant=tenant, text=address["postcode"]
        ),
        "name start": lambda: caller.caller_search(
            user=user, memberships=memberships, tenant=tenant, text=_name_start(address["name"], 0)
        ),
        "panel": lambda: caller.caller_panel(
            user=user, memberships=memberships, tenant=tenant, order_id=order.pk
        ),
        "account's addresses": lambda: caller.recent_addresses(
            user=user, memberships=memberships, tenant=tenant, account_id=order.account_id
        ),
        "customer's addresses": lambda: caller.recent_addresses(
            user=user,
            memberships=memberships,
            tenant=tenant,
            customer_id=(customer or {}).get("customer_id", 1),
        ),
        "reference check": lambda: references.reference_earlier(
            tenant=tenant,
            reference=order.reference.lower(),
            form_token=None,
            user=user,
            memberships=memberships,
        ),
    }
    for name, ask in asks.items():
        with CaptureQueriesContext(connection) as queries:
            ask()
        for query in queries.captured_queries:
            if not query["sql"].lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])
                plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
            print(f"\n{name}:\n{plan}")


def _report(results: list[Result], context: dict[str, Any], *, generation: float) -> None:
    server = context["server"]
    print(
        f"\nCaller box on PostgreSQL {server // 10000}.{server % 10000}: "
        f"{context['orders']:,} orders; tenant {context['tenant']} has "
        f"{context['tenant_orders']:,}, its busiest agent {context['agent_orders']:,}"
        f" (data ready in {generation:.1f} s)."
    )
    print(f"Goal: p95 ≤ {GOAL_MS:g} ms for each, whole requests through Django.\n")
    print(f"{'as':<11}{'request':<28}{'runs':>5}{'p50 ms':>9}{'p95 ms':>9}{'found':>7}  goal")
    for result in results:
        print(
            f"{result.who:<11}{result.name:<28}{result.timing.runs:>5}"
            f"{result.timing.p50:>9.1f}{result.timing.p95:>9.1f}"
            f"{result.found:>7}  {'met' if result.met else 'MISSED'}"
        )


if __name__ == "__main__":
    sys.exit(main())
