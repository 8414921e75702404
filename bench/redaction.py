"""Redaction benchmark: the retention sweep over a large history while agents keep keying.

Generates the orders on PostgreSQL (``desk_generate_history``, as ``bench/history``), gives every
generated tenant a retention period that every settled order is past, and redacts them the way
the worker's sweep does (``orders.services.privacy``: batches of ``--batch`` orders, one short
transaction each, ``FOR UPDATE SKIP LOCKED``, tenants in turn), timing each batch. Meanwhile a
keyer thread inserts new orders and updates existing ones, half of them the very orders the
sweep is about to take, and times each of its transactions: its worst wait is what a batch's
locks cost an agent. Then the history bench's timings on the redacted data, against its goals.
See bench/README.md.

Run it with ``bench/redaction`` (or ``make bench-redaction``). Exit status: 0 when every goal is
met, 1 when one is not, 3 when the bench cannot run.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from bench.timing import percentile

# A batch is one transaction: the longest lock an order can be held by the sweep.
BATCH_GOAL_MS = 2000.0
# What an agent's save may wait for behind the sweep, at worst.
KEYER_GOAL_MS = 2000.0


@dataclass
class Keyer:
    """Times of the keyer's transactions (ms), and how many touched an order due to be redacted."""

    waits: list[float] = field(default_factory=list)
    contended: int = 0
    errors: list[str] = field(default_factory=list)


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
        print("The redaction bench runs on PostgreSQL: unset DATABASE_URL to get a throwaway one.")
        return 3
    call_command("migrate", verbosity=0)
    from bench.generate_history import generated_order_count

    generated = generated_order_count()
    if generated and not options.reuse:
        print(f"The database already holds {generated:,} generated orders: pass --reuse.")
        return 3
    started = time.monotonic()
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

    sweep = _redact(options)
    vacuum = _vacuum() if not options.no_vacuum else None
    from bench import history

    history_options = argparse.Namespace(
        runs=options.runs, page=options.page, budget=options.budget, seed=options.seed
    )
    results, context = history._measure(history_options)
    print()
    print(f"Data ready in {generation:.0f} s.")
    met = _report_sweep(sweep, vacuum=vacuum)
    history._report(results, context, options=history_options, generation=generation)
    return 0 if met and all(result.met for result in results) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/redaction", description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="default 1,000,000")
    parser.add_argument("--tenants", type=int, default=5, help="default 5")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--batch", type=int, default=200, help="orders per transaction (200, as the worker)"
    )
    parser.add_argument(
        "--keyer-pause", type=float, default=0.02, help="seconds between keyer transactions"
    )
    parser.add_argument("--runs", type=int, default=30, help="timed history requests per column")
    parser.add_argument("--page", type=int, default=1000, help="the history's deep page")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per history column")
    parser.add_argument(
        "--no-vacuum",
        action="store_true",
        help="time the history straight after redaction, before VACUUM ANALYZE",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="use the generated orders already in the database"
    )
    return parser.parse_args(argv)


def _keyer(stop: threading.Event, keyer: Keyer, *, pause: float, seed: int) -> None:
    """Key orders as agents do while the sweep runs: insert one with its line and transition,
    and update an existing order (in turn a random one, and the oldest the sweep has not
    reached yet, which it is about to lock); time each transaction."""
    from django.db import connection, transaction

    from orders import states
    from orders.models import Order, OrderLine, OrderStatus, OrderTransition, Tenant

    rng = random.Random(seed)
    tenants = list(Tenant.objects.filter(subdomain__startswith="hist-").order_by("pk"))
    users = {
        tenant.pk: Order.objects.filter(tenant=tenant).values_list("created_by", flat=True)[0]
        for tenant in tenants
    }
    high = Order.objects.order_by("-pk").values_list("pk", flat=True)[0]
    n = 0
    try:
        while not stop.is_set():
            tenant = tenants[n % len(tenants)]
            contended = n % 2 == 1
            started = time.perf_counter()
            with transaction.atomic():
                order = Order.objects.create(
                    tenant=tenant,
                    created_by_id=users[tenant.pk],
                    reference=f"KEY-{uuid.uuid4().hex[:12]}",
                    account_id=1,
                    header={"reference": "x"},
                    address={"name": "Keyed Caller", "postcode": "LS1 4AP"},
                    contact_name="KEYED CALLER",
                    postcode="LS1 4AP",
                )
                OrderLine.objects.create(
                    order=order, position=1, product_id=101, quantity=Decimal(1)
                )
                OrderTransition.objects.create(
                    order=order,
                    at=order.created_at,
                    from_status="",
                    to_status=OrderStatus.DRAFT,
                    actor="keyer",
                    reason="Keyed",
                )
                if contended:
                    target = (
                        Order.objects.filter(
                            tenant=tenant,
                            personal_data_removed_at__isnull=True,
                            status__in=states.SETTLED,
                        )
                        .order_by("created_at")
                        .values_list("pk", flat=True)
                        .first()
                    )
                else:
                    target = rng.randint(1, high)
                if target is not None:
                    Order.objects.filter(pk=target).update(updated_at=order.created_at)
            keyer.waits.append((time.perf_counter() - started) * 1000)
            keyer.contended += contended
            n += 1
            time.sleep(pause)
    except Exception as exc:  # the report says so; the sweep's figures stand alone
        keyer.errors.append(repr(exc))
    finally:
        connection.close()


@dataclass(frozen=True)
class Sweep:
    redacted: int
    seconds: float
    batches: list[float]
    keyer: Keyer
    pending_after: int
    tenants: int


def _redact(options: argparse.Namespace) -> Sweep:
    from django.db import connection
    from django.utils import timezone

    from orders import states
    from orders.models import Order, Tenant
    from orders.services.privacy import retention_batch_redact

    tenants = list(
        Tenant.objects.filter(subdomain__startswith="hist-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Tenant.objects.filter(pk__in=tenants).update(retention_months=1)
    # Every settled order is past its retention period: as if the sweep ran a year and a month
    # after the newest generated order.
    before = timezone.now() + timedelta(days=1)
    due = Order.objects.filter(
        tenant_id__in=tenants, personal_data_removed_at__isnull=True, status__in=states.SETTLED
    ).count()
    print(f"Redacting {due:,} settled orders in {len(tenants)} tenants, {options.batch} a batch.")
    stop = threading.Event()
    keyer = Keyer()
    thread = threading.Thread(
        target=_keyer,
        args=(stop, keyer),
        kwargs={"pause": options.keyer_pause, "seed": options.seed},
        daemon=True,
    )
    thread.start()
    batches: list[float] = []
    redacted = 0
    started = time.monotonic()
    turn = list(tenants)
    last_shown = started
    try:
        while turn:
            for tenant_id in list(turn):
                began = time.perf_counter()
                done = retention_batch_redact(
                    tenant_id=tenant_id, before=before, reason="bench", batch_size=options.batch
                )
                batches.append((time.perf_counter() - began) * 1000)
                redacted += done
                if done < options.batch:
                    turn.remove(tenant_id)
            if sys.stderr.isatty() and time.monotonic() - last_shown > 1:
                last_shown = time.monotonic()
                rate = redacted / (last_shown - started)
                print(f"\r  {redacted:,}/{due:,} redacted, {rate:,.0f}/s", end="", file=sys.stderr)
    finally:
        stop.set()
        thread.join()
    seconds = time.monotonic() - started
    if sys.stderr.isatty():
        print(file=sys.stderr)
    pending = Order.objects.filter(
        tenant_id__in=tenants, personal_data_removed_at__isnull=True, status__in=states.SETTLED
    ).count()
    connection.close()
    return Sweep(redacted, seconds, batches, keyer, pending, len(tenants))


def _vacuum() -> float:
    """VACUUM ANALYZE the tables redaction rewrote, as autovacuum would; return seconds."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in (
            "orders_order",
            "orders_submissionattempt",
            "orders_ordertransition",
            "orders_orderline",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.monotonic() - started


def _report_sweep(sweep: Sweep, *, vacuum: float | None) -> bool:
    waits = sweep.keyer.waits or [0.0]
    longest = max(sweep.batches) if sweep.batches else 0.0
    worst = max(waits)
    print()
    print(
        f"Redaction: {sweep.redacted:,} orders in {sweep.seconds:.1f} s "
        f"({sweep.redacted / max(sweep.seconds, 1e-9):,.0f} orders/s), {len(sweep.batches):,} "
        f"batches in {sweep.tenants} tenants; {sweep.pending_after:,} left (held by the keyer)"
    )
    print(
        f"  batch transaction (the longest lock held): p50 "
        f"{statistics.median(sweep.batches or [0.0]):.0f} ms, p95 "
        f"{percentile(sweep.batches or [0.0], 0.95):.0f} ms, longest {longest:.0f} ms "
        f"(goal <= {BATCH_GOAL_MS:.0f} ms: {'yes' if longest <= BATCH_GOAL_MS else 'NO'})"
    )
    print(
        f"  keyer: {len(sweep.keyer.waits):,} transactions ({sweep.keyer.contended:,} updating "
        f"the order the sweep takes next), p50 {statistics.median(waits):.1f} ms, p99 "
        f"{percentile(waits, 0.99):.1f} ms, worst {worst:.0f} ms "
        f"(goal <= {KEYER_GOAL_MS:.0f} ms: {'yes' if worst <= KEYER_GOAL_MS else 'NO'})"
    )
    if sweep.keyer.errors:
        print(f"  keyer errors: {sweep.keyer.errors[:3]}")
    print(
        "  then VACUUM ANALYZE of the rewritten tables: "
        + (f"{vacuum:.0f} s" if vacuum is not None else "skipped (--no-vacuum)")
    )
    return longest <= BATCH_GOAL_MS and worst <= KEYER_GOAL_MS and not sweep.keyer.errors


if __name__ == "__main__":
    sys.exit(main())
