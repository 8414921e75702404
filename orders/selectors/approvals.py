"""Reads for approvals: a tenant's rules and their versions, the approvals queue and its count.

The queue is cut by (created_at, id), oldest first, from the partial index of the orders awaiting
approval (``order_held_oldest``): it holds only those orders, so the queue and the top bar's
count cost the same whatever the history holds.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch, Q, QuerySet

from orders import permissions
from orders.models import ApprovalRule, ApprovalRuleVersion, Membership, Order, OrderStatus
from orders.selectors.history import HistoryFilters, decode_cursor, encode_cursor, orders_narrowed

PAGE_SIZE = 50


def approval_rule_list(*, tenant_id: int) -> list[ApprovalRule]:
    """Return the tenant's rules, oldest first, each with its current version and every earlier
    one (newest first)."""
    versions = ApprovalRuleVersion.objects.select_related("created_by").order_by("-version")
    return list(
        ApprovalRule.objects.filter(tenant_id=tenant_id)
        .select_related("current")
        .prefetch_related(Prefetch("versions", queryset=versions))
        .order_by("created_at", "id")
    )


def approval_rule_get(*, tenant_id: int, rule_id: int) -> ApprovalRule | None:
    """Return one rule of the tenant, or None: another tenant's rule is never found."""
    return (
        ApprovalRule.objects.filter(tenant_id=tenant_id, pk=rule_id)
        .select_related("current")
        .first()
    )


def approval_rule_alike(
    *,
    tenant_id: int,
    kind: str,
    number: int | None,
    ids: Iterable[int],
    other_than: int | None = None,
) -> ApprovalRule | None:
    """Return a rule of the tenant (on or off, not ``other_than``) whose current version says the
    same (kind, number, the same ids in any order), or None."""
    wanted = sorted(ids)
    candidates = (
        ApprovalRule.objects.filter(tenant_id=tenant_id, current__kind=kind, current__number=number)
        .select_related("current")
        .order_by("created_at", "id")
    )
    if other_than is not None:
        candidates = candidates.exclude(pk=other_than)
    for rule in candidates:
        if rule.current is not None and sorted(rule.current.ids or ()) == wanted:
            return rule
    return None


def approval_rules_active(*, tenant_id: int) -> list[ApprovalRuleVersion]:
    """Return the current version of each rule of the tenant that is switched on."""
    return list(
        ApprovalRuleVersion.objects.filter(
            tenant_id=tenant_id,
            active=True,
            pk__in=ApprovalRule.objects.filter(tenant_id=tenant_id).values("current"),
        ).order_by("rule_id")
    )


def orders_keyed_before(*, order: Order, at_most: int) -> int:
    """Return how many orders of its tenant the order's keyer keyed before it, counting no
    further than ``at_most`` (all a "first orders" rule needs to know)."""
    earlier = Order.objects.filter(
        tenant_id=order.tenant_id,
        created_by_id=order.created_by_id,
        created_at__lt=order.created_at,
    ).exclude(pk=order.pk)
    return len(earlier.values_list("pk", flat=True)[:at_most])


def approval_waiting_count(*, tenant_id: int) -> int:
    """Return how many of the tenant's orders await approval: one count over the partial index."""
    return Order.objects.filter(tenant_id=tenant_id, status=OrderStatus.HELD).count()


@dataclass(frozen=True)
class QueuePage:
    orders: list[Order]
    next_cursor: str | None
    cursor_refused: bool = False


def _queue(*, tenant_id: int, filters: HistoryFilters) -> QuerySet[Order]:
    held = Order.objects.filter(tenant_id=tenant_id, status=OrderStatus.HELD)
    return orders_narrowed(held, filters=filters)


def approval_queue_page(
    *, tenant_id: int, filters: HistoryFilters, after: str = "", size: int | None = None
) -> QueuePage:
    """Return one page of the tenant's orders awaiting approval, oldest first, and the cursor of
    the next page."""
    size = size or PAGE_SIZE
    orders = _queue(tenant_id=tenant_id, filters=filters)
    position = decode_cursor(after) if after else None
    if position is not None:
        moment, pk = position
        orders = orders.filter(
            Q(created_at__gte=moment) & (Q(created_at__gt=moment) | Q(id__gt=pk))
        )
    rows = list(
        orders.select_related("created_by", "tenant").order_by("created_at", "id")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return QueuePage(
        orders=rows,
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
        cursor_refused=bool(after) and position is None,
    )


def order_get_for_decision(*, order_id: int, memberships: Sequence[Membership]) -> Order | None:
    """Return an order of a tenant where the user decides on held orders, or None."""
    tenant_ids = [m.tenant_id for m in memberships if permissions.may_approve(m)]
    return (
        Order.objects.filter(pk=order_id, tenant_id__in=tenant_ids)
        .select_related("tenant", "created_by")
        .first()
    )


def approvers_of(*, tenant_id: int) -> QuerySet[User]:
    """Return the tenant's staff, for the queue's "Keyed by" filter."""
    return User.objects.filter(memberships__tenant_id=tenant_id).distinct().order_by("username")


def order_holds_latest(*, order: Order) -> list[str]:
    """Return why the order is held now: the reasons of its newest hold, in plain words."""
    holds = list(order.holds.all())
    if not holds:
        return []
    newest = max(hold.at for hold in holds)
    return [hold.why for hold in holds if hold.at == newest]
