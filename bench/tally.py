"""Count what became of a bench run's orders, from the desk's tables and the sandbox's.

Both live in the one throwaway database, so the bench reads Clarus's side (``SandboxGoodsOut``)
as directly as the desk's: the figures do not depend on either side's own account of itself.
"""

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from orders.models import AttemptOutcome, Order, OrderStatus, OrderTransition, SubmissionAttempt
from sandbox.models import SandboxGoodsOut

SETTLED = frozenset({OrderStatus.SENT, OrderStatus.REJECTED})
# The reason the desk writes when it adopts a goods-out it finds in Clarus (delivery._reconcile).
ADOPTED_REASON = "Found in Clarus"


@dataclass(frozen=True)
class Progress:
    """Where the run's orders stand right now."""

    by_status: Counter[str]
    # Failed orders the desk stopped retrying: they wait for a person's "Send again".
    given_up: int

    @property
    def waiting(self) -> int:
        return sum(count for status, count in self.by_status.items() if status not in SETTLED)

    def line(self) -> str:
        parts = [f"{status} {count}" for status, count in sorted(self.by_status.items())]
        return ", ".join(parts) or "no orders yet"


def progress(*, tenant_id: int) -> Progress:
    orders = Order.objects.filter(tenant_id=tenant_id)
    by_status = Counter(
        {row["status"]: row["count"] for row in orders.values("status").annotate(count=Count("pk"))}
    )
    given_up = orders.filter(status=OrderStatus.FAILED, next_attempt_at__isnull=True).count()
    return Progress(by_status=by_status, given_up=given_up)


@dataclass(frozen=True)
class Tally:
    """The final account of a run: every keyed order, and what Clarus holds."""

    keyed: int
    sent: int
    rejected: int
    waiting: int
    given_up: int
    # Extra goods-outs in Clarus for references it already holds once.
    duplicates: int
    duplicated_references: list[str]
    # Keyed (acknowledged to an agent, or saved by the desk) yet in Clarus nowhere, and neither
    # rejected nor still waiting.
    lost: int
    lost_references: list[str]
    # Sent orders whose Clarus id is not the goods-out Clarus holds under their reference.
    wrong_ids: int
    # Rejected by the desk's account, yet Clarus holds the goods-out.
    rejected_but_in_clarus: int
    # Goods-outs in Clarus under the run's prefix that no desk order has.
    orphans: int
    # Forms the agents posted that neither reached an order page nor left a saved order.
    unsaved: int
    # Clarus's answers to the desk's goods-out requests: HTTP status, or "no answer".
    attempts_by_status: Counter[str]
    mean_sent_request_seconds: float | None
    adopted: int


def tally(
    *, tenant_id: int, prefix: str, acknowledged: Iterable[str], attempted: Iterable[str]
) -> Tally:
    orders = {
        order.reference: order
        for order in Order.objects.filter(tenant_id=tenant_id, reference__startswith=prefix)
    }
    goods_outs: dict[str, list[int]] = {}
    for reference, goods_out_id in SandboxGoodsOut.objects.filter(
        reference__startswith=prefix
    ).values_list("reference", "pk"):
        goods_outs.setdefault(reference, []).append(goods_out_id)
    keyed = set(acknowledged) | set(orders)
    statuses = {
        reference: orders[reference].status if reference in orders else None for reference in keyed
    }

    duplicated = sorted(reference for reference, ids in goods_outs.items() if len(ids) > 1)
    lost = sorted(
        reference
        for reference, status in statuses.items()
        if reference not in goods_outs and (status is None or status == OrderStatus.SENT)
    )
    wrong_ids = sum(
        1
        for reference, order in orders.items()
        if order.status == OrderStatus.SENT and order.clarus_id not in goods_outs.get(reference, [])
    )
    attempts = SubmissionAttempt.objects.filter(tenant_id=tenant_id)
    durations = list(
        attempts.filter(outcome=AttemptOutcome.SENT).values_list("duration_ms", flat=True)
    )
    return Tally(
        keyed=len(keyed),
        sent=sum(1 for status in statuses.values() if status == OrderStatus.SENT),
        rejected=sum(1 for status in statuses.values() if status == OrderStatus.REJECTED),
        waiting=sum(
            1 for status in statuses.values() if status is not None and status not in SETTLED
        ),
        given_up=sum(
            1
            for order in orders.values()
            if order.status == OrderStatus.FAILED and order.next_attempt_at is None
        ),
        duplicates=sum(len(goods_outs[reference]) - 1 for reference in duplicated),
        duplicated_references=duplicated,
        lost=len(lost),
        lost_references=lost,
        wrong_ids=wrong_ids,
        rejected_but_in_clarus=sum(
            1
            for reference, status in statuses.items()
            if status == OrderStatus.REJECTED and reference in goods_outs
        ),
        orphans=sum(1 for reference in goods_outs if reference not in orders),
        unsaved=sum(1 for reference in attempted if reference not in keyed),
        attempts_by_status=Counter(
            "no answer" if status is None else str(status)
            for status in attempts.values_list("response_status", flat=True)
        ),
        mean_sent_request_seconds=statistics.fmean(durations) / 1000 if durations else None,
        adopted=OrderTransition.objects.filter(
            order__tenant_id=tenant_id, reason__startswith=ADOPTED_REASON
        ).count(),
    )


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the ``fraction`` quantile of ``values`` (nearest rank), or None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(max(math.ceil(fraction * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def order_story(*, tenant_id: int, reference: str) -> list[str]:
    """Return what the desk did with one order and when Clarus stored it, oldest first."""
    events: list[tuple[datetime, str]] = []
    for order in Order.objects.filter(tenant_id=tenant_id, reference=reference):
        for move in order.transitions.order_by("at", "pk"):
            events.append(
                (
                    move.at,
                    f"{move.from_status or '-'} → {move.to_status} by {move.actor}: {move.reason}",
                )
            )
        for attempt in order.attempts.order_by("started_at", "pk"):
            answer = attempt.response_status or "no answer"
            events.append(
                (attempt.started_at, f"POST goods_outs, {attempt.duration_ms} ms: {answer}")
            )
    for goods_out in SandboxGoodsOut.objects.filter(reference=reference):
        events.append((goods_out.received_at, f"Clarus stored goods-out {goods_out.pk}"))
    events.sort(key=lambda event: event[0])
    start = events[0][0] if events else None
    return [
        f"+{(at - start).total_seconds():6.2f} s  {text}"
        for at, text in events
        if start is not None
    ]
