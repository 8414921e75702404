"""What the database says about the desk, for ``/metrics``: read at scrape time, the same from
every app server.

Four queries whatever the number of orders. The orders are counted by tenant and status in one
grouped query, which PostgreSQL answers from the ``order_dashboard`` index alone (it holds the
tenant, the creation time and the status); the orders stuck in ``sending`` are found through the
status index, among the few being sent (docs/deploy.md has its cost at a million orders).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from orders import states
from orders.models import Order, OrderStatus, Tenant, WorkerHeartbeat
from orders.selectors.health import worker_recently_seen_since


@dataclass(frozen=True)
class DeskFigures:
    """The desk's state now, by tenant subdomain."""

    # (subdomain, status) -> how many orders; every status of every tenant, zeros included.
    orders: Mapping[tuple[str, str], int]
    # subdomain -> seconds since the oldest order still waiting (states.WAITING) was keyed; 0
    # when none waits.
    oldest_waiting_seconds: Mapping[str, float]
    # subdomain -> orders in ``sending`` whose sender's lease ran out (a process died sending).
    sending_lapsed: Mapping[str, int]
    tenants_needing_reconnect: int
    # Delivery workers seen within two sweep intervals, and seconds since any was last seen
    # (None: never).
    workers_seen: int
    worker_last_seen_seconds: float | None


def desk_figures(*, now: datetime | None = None) -> DeskFigures:
    """Return the desk's figures from the database (four queries)."""
    now = now or timezone.now()
    tenant_rows = list(Tenant.objects.values_list("id", "subdomain", "needs_reconnect"))
    tenants = {pk: subdomain for pk, subdomain, _ in tenant_rows}
    needing_reconnect = sum(1 for *_, needs_reconnect in tenant_rows if needs_reconnect)
    orders = {(sub, status): 0 for sub in tenants.values() for status in OrderStatus.values}
    oldest = dict.fromkeys(tenants.values(), 0.0)
    grouped = Order.objects.values("tenant_id", "status").annotate(
        count=Count("pk"), oldest=Min("created_at", filter=Q(status__in=states.WAITING))
    )
    for row in grouped.order_by():
        subdomain = tenants.get(row["tenant_id"])
        if subdomain is None:
            continue
        orders[subdomain, row["status"]] = row["count"]
        if row["oldest"] is not None:
            age = max((now - row["oldest"]).total_seconds(), 0.0)
            oldest[subdomain] = max(oldest[subdomain], age)
    lapsed = dict.fromkeys(tenants.values(), 0)
    stuck = (
        Order.objects.filter(status=OrderStatus.SENDING, lease_until__lt=now)
        .values("tenant_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for stuck_row in stuck:
        if stuck_row["tenant_id"] in tenants:
            lapsed[tenants[stuck_row["tenant_id"]]] = stuck_row["count"]
    workers = WorkerHeartbeat.objects.aggregate(
        last=Max("seen_at"),
        recent=Count("pk", filter=Q(seen_at__gte=now - worker_recently_seen_since())),
    )
    last_seen = workers["last"]
    return DeskFigures(
        orders=orders,
        oldest_waiting_seconds=oldest,
        sending_lapsed=lapsed,
        tenants_needing_reconnect=needing_reconnect,
        workers_seen=workers["recent"],
        worker_last_seen_seconds=(
            max((now - last_seen).total_seconds(), 0.0) if last_seen is not None else None
        ),
    )
