"""Getting a keyed order into Clarus exactly once, whatever the network or our processes do.

An order is *claimed* before it is sent: one conditional update moves it to ``sending`` with a
lease, so two processes can never send it at once. A sender that dies leaves the lease to run out;
whoever picks the order up next first asks Clarus, by reference, whether the earlier request
arrived, and adopts that goods-out instead of sending again. Clarus documents no idempotency key
(CONTRACT.md §3.5), so this lookup is the only safe way to resend after an unknown outcome.

States: draft → sending → sent | rejected (422) | failed (retryable) | unknown (no answer).
Every change is an ``OrderTransition``; every request over the wire a ``SubmissionAttempt``.
"""

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from orders import clarus, lookups
from orders.models import (
    AttemptOutcome,
    Order,
    OrderStatus,
    OrderTransition,
    SubmissionAttempt,
)
from orders.payloads import LineInput, goods_out_document
from orders.tasks import sweep_schedule

logger = logging.getLogger(__name__)

GOODS_OUTS_PATH = "goods_outs"
WORKER = "delivery worker"
CLAIMABLE_STATES = (OrderStatus.DRAFT, OrderStatus.FAILED, OrderStatus.UNKNOWN)
RETRYABLE_OUTCOMES = frozenset(
    {AttemptOutcome.SERVER_ERROR, AttemptOutcome.UNREACHABLE, AttemptOutcome.UNAUTHORIZED}
)


@dataclass(frozen=True)
class ClarusError:
    """One item of a Clarus 422 ``errors`` array (CONTRACT.md §3.2)."""

    details: str
    source: str | None = None
    code: int | None = None
    symbol: str = ""


@dataclass(frozen=True)
class SubmitResult:
    """What became of one delivery, for the view to show."""

    order: Order
    # None when nothing was sent this time (the order had gone, or someone else is sending it).
    outcome: AttemptOutcome | None
    message: str = ""
    errors: Sequence[ClarusError] = ()

    @property
    def sent(self) -> bool:
        return self.order.status == OrderStatus.SENT


@dataclass(frozen=True)
class _Verdict:
    """What an exchange with Clarus means for the order."""

    outcome: AttemptOutcome
    status: OrderStatus
    message: str
    errors: tuple[ClarusError, ...] = ()
    clarus_id: int | None = None
    retry_after: float | None = None


def lease_length() -> timedelta:
    """How long a sender may hold an order: longer than any request it can be waiting on."""
    return timedelta(seconds=settings.DESK_SEND_LEASE_SECONDS)


def backoff(send_count: int, *, retry_after: float | None = None) -> timedelta:
    """Return the wait before the next automatic try: exponential, capped, with jitter."""
    ceiling = min(
        settings.DESK_RETRY_MAX_SECONDS,
        settings.DESK_RETRY_BASE_SECONDS * 2 ** max(send_count - 1, 0),
    )
    # "Equal jitter": at least half the ceiling, so waits still grow; never before Clarus asked.
    seconds = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        seconds = max(seconds, retry_after)
    return timedelta(seconds=seconds)


def transition(
    order: Order, to: OrderStatus, *, user: User | None, actor: str, reason: str
) -> None:
    """Move ``order`` to ``to`` and record why; the caller saves the order."""
    OrderTransition.objects.create(
        order=order,
        at=timezone.now(),
        from_status=order.status,
        to_status=to,
        user=user,
        actor=actor[:50],
        reason=reason[:500],
    )
    order.status = to
    order.status_note = reason[:500]


def due_orders() -> Q:
    """Return the condition for orders that are waiting and due to be tried now."""
    now = timezone.now()
    return (
        Q(status__in=[OrderStatus.FAILED, OrderStatus.UNKNOWN], next_attempt_at__lte=now)
        # A sender died mid-send: its lease ran out.
        | Q(status=OrderStatus.SENDING, lease_until__lt=now)
        # A process died between saving the order and claiming it.
        | Q(status=OrderStatus.DRAFT, updated_at__lt=now - lease_length())
    )


def _claim(order_id: int, *, user: User | None, actor: str) -> tuple[Order, OrderStatus] | None:
    """Take the order for sending, or return None if it is sent, rejected or held by another."""
    now = timezone.now()
    claimable = Q(status__in=CLAIMABLE_STATES) | Q(status=OrderStatus.SENDING, lease_until__lt=now)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(claimable, pk=order_id).first()
        if order is None:
            return None
        previous = OrderStatus(order.status)
        reason = (
            "Sending to Clarus."
            if previous == OrderStatus.DRAFT
            else f"Trying again (was {order.get_status_display().lower()})."
        )
        transition(order, OrderStatus.SENDING, user=user, actor=actor, reason=reason)
        order.lease_until = now + lease_length()
        order.save(update_fields=["status", "status_note", "lease_until", "updated_at"])
    return order, previous


def _needs_reconciliation(order: Order, previous: OrderStatus) -> bool:
    """Return whether an earlier request for this order may have reached Clarus."""
    if previous in (OrderStatus.UNKNOWN, OrderStatus.SENDING):
        return True
    return order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER).exists()


def order_document(order: Order) -> dict[str, Any]:
    """Return the goods-out document for a stored order."""
    lines = [
        LineInput(product_id=line.product_id, quantity=line.quantity) for line in order.lines.all()
    ]
    return goods_out_document(attributes=order.header, lines=lines, address=order.address)


def deliver(
    order_id: int,
    *,
    user: User | None = None,
    actor: str = WORKER,
    transport: httpx.BaseTransport | None = None,
) -> SubmitResult:
    """Send one order to Clarus, once: claim it, reconcile if needed, send, record the outcome."""
    claimed = _claim(order_id, user=user, actor=actor)
    if claimed is None:
        order = Order.objects.get(pk=order_id)
        return SubmitResult(order=order, outcome=None, message=already_message(order))
    order, previous = claimed
    if _needs_reconciliation(order, previous):
        adopted = _reconcile(order, user=user, actor=actor, transport=transport)
        if adopted is not None:
            return adopted
    exchanges = clarus.post_json(
        order.tenant, GOODS_OUTS_PATH, order_document(order), transport=transport
    )
    verdicts = [_judge(exchange) for exchange in exchanges]
    return _settle(order, exchanges, verdicts, user=user, actor=actor)


def _reconcile(
    order: Order, *, user: User | None, actor: str, transport: httpx.BaseTransport | None
) -> SubmitResult | None:
    """Look the order up in Clarus; adopt it if there, wait if Clarus cannot say."""
    settled_at = _earliest_settled_answer(order)
    if timezone.now() < settled_at:
        # "Not found" would not yet mean "not there": Clarus may still be storing the earlier try.
        reason = (
            "An earlier try may still be reaching Clarus. The desk will ask Clarus at "
            f"{_clock(settled_at)}, before sending anything."
        )
        return _wait_unknown(order, until=settled_at, reason=reason, user=user, actor=actor)
    try:
        found = lookups.clarus_goods_out_id_by_reference(
            tenant=order.tenant, reference=order.reference, transport=transport
        )
    except clarus.ClarusQueryError as exc:
        until = timezone.now() + backoff(order.send_count or 1)
        reason = (
            f"An earlier try may have reached Clarus, and Clarus cannot be asked right now "
            f"({exc}). The desk will check again at {_clock(until)} before sending anything."
        )
        return _wait_unknown(order, until=until, reason=reason, user=user, actor=actor)
    if found is None:
        return None
    reason = (
        f"Found in Clarus as goods-out {found}: an earlier try had arrived, so nothing was "
        "sent again."
    )
    with transaction.atomic():
        goods_out_adopt(order, goods_out_id=found, user=user, actor=actor, reason=reason)
    return SubmitResult(
        order=order, outcome=AttemptOutcome.SENT, message=f"Sent to Clarus as goods-out {found}."
    )


def goods_out_adopt(
    order: Order, *, goods_out_id: int, user: User | None, actor: str, reason: str
) -> None:
    """Take a goods-out found in Clarus as the order's: it is sent, and nothing is sent again.

    The caller holds the order's row (a claim, or ``select_for_update``) inside a transaction.
    """
    order.clarus_id = goods_out_id
    order.sent_at = timezone.now()
    order.next_attempt_at = None
    order.lease_until = None
    transition(order, OrderStatus.SENT, user=user, actor=actor, reason=reason)
    order.save(
        update_fields=[
            "clarus_id",
            "sent_at",
            "next_attempt_at",
            "lease_until",
            "status",
            "status_note",
            "updated_at",
        ]
    )


def _earliest_settled_answer(order: Order) -> datetime:
    """Return when an earlier uncertain try must have been stored by Clarus, if it ever will.

    That is one lease after the last request that got no answer (or after the claim a dead sender
    held): the lease outlasts the longest request, so by then Clarus has either stored the order
    or never will, and a lookup that finds nothing means it is not there.
    """
    uncertain = (
        order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return uncertain + lease_length() if uncertain else timezone.now()


def _wait_unknown(
    order: Order, *, until: datetime, reason: str, user: User | None, actor: str
) -> SubmitResult:
    """Leave the order unknown, to be looked up again at ``until``; nothing is sent."""
    with transaction.atomic():
        order.next_attempt_at = until
        order.lease_until = None
        transition(order, OrderStatus.UNKNOWN, user=user, actor=actor, reason=reason)
        order.save()
    _schedule(until)
    return SubmitResult(order=order, outcome=AttemptOutcome.NO_ANSWER, message=reason)


def record_attempt(
    order: Order,
    user: User | None,
    exchange: clarus.ClarusExchange,
    *,
    outcome: AttemptOutcome,
    error: str = "",
) -> None:
    """Keep one request to Clarus and its answer, as they were, in the audit trail."""
    SubmissionAttempt.objects.create(
        order=order,
        tenant=order.tenant,
        user=user,
        started_at=exchange.started_at,
        duration_ms=exchange.duration_ms,
        method=exchange.method,
        url=exchange.url,
        request_headers=exchange.request_headers,
        request_body=exchange.request_body,
        response_status=exchange.status,
        response_headers=exchange.response_headers,
        response_body=exchange.response_body,
        outcome=outcome,
        error=error,
    )


def _settle(
    order: Order,
    exchanges: list[clarus.ClarusExchange],
    verdicts: list[_Verdict],
    *,
    user: User | None,
    actor: str,
) -> SubmitResult:
    verdict = verdicts[-1]
    message = verdict.message
    with transaction.atomic():
        # Every request that went over the wire is kept, a 401 before its retry included.
        for exchange, each in zip(exchanges, verdicts, strict=True):
            error = "" if each.outcome == AttemptOutcome.SENT else each.message
            record_attempt(order, user, exchange, outcome=each.outcome, error=error)
        order.send_count += 1
        order.lease_until = None
        order.next_attempt_at = None
        if verdict.clarus_id is not None:
            order.clarus_id = verdict.clarus_id
            order.sent_at = timezone.now()
        elif verdict.status == OrderStatus.UNKNOWN:
            # Give Clarus time to finish what it may be doing before the desk asks about it.
            order.next_attempt_at = exchanges[-1].started_at + lease_length()
            message += f" The desk will check with Clarus at {_clock(order.next_attempt_at)}."
        elif verdict.outcome in RETRYABLE_OUTCOMES:
            if order.send_count < settings.DESK_DELIVERY_MAX_ATTEMPTS:
                order.next_attempt_at = timezone.now() + backoff(
                    order.send_count, retry_after=verdict.retry_after
                )
                message += (
                    f" The desk will try again by itself at {_clock(order.next_attempt_at)} "
                    f"(try {order.send_count + 1} of {settings.DESK_DELIVERY_MAX_ATTEMPTS}); "
                    "you can leave this page."
                )
            else:
                message += f" The desk gave up after {order.send_count} tries: use “Send again”."
        transition(order, verdict.status, user=user, actor=actor, reason=message)
        order.save()
    _schedule(order.next_attempt_at)
    return SubmitResult(
        order=order, outcome=verdict.outcome, message=message, errors=verdict.errors
    )


def _clock(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S") if moment else "—"


def _schedule(moment: datetime | None) -> None:
    if moment is not None:
        sweep_schedule(at=moment)


def already_message(order: Order) -> str:
    if order.status == OrderStatus.SENT:
        return f"This order was already sent to Clarus as goods-out {order.clarus_id}."
    if order.status == OrderStatus.REJECTED:
        return "Clarus rejected this order: correct it and send it again."
    return "This order is being sent to Clarus already."


def deliver_due_orders(
    *,
    stop_claiming_at: datetime | None = None,
    transport: httpx.BaseTransport | None = None,
) -> int:
    """Deliver every waiting order that is due, oldest first per tenant; return how many went.

    A tenant whose Clarus is still failing stops at its oldest order, so orders reach Clarus in
    the order they were keyed. No order is claimed after ``stop_claiming_at``: the sweep that
    calls this must end within its lease (``orders/tasks.py``).
    """
    sent = 0
    tenant_ids = (
        Order.objects.filter(due_orders(), tenant__needs_reconnect=False)
        .values_list("tenant_id", flat=True)
        .distinct()
    )
    for tenant_id in list(tenant_ids):
        while stop_claiming_at is None or timezone.now() < stop_claiming_at:
            order = (
                Order.objects.filter(due_orders(), tenant_id=tenant_id)
                .order_by("created_at", "id")
                .only("pk")
                .first()
            )
            if order is None:
                break
            result = deliver(order.pk, transport=transport)
            if result.sent:
                sent += 1
            elif result.order.status != OrderStatus.REJECTED:
                break
    return sent


def _judge(exchange: clarus.ClarusExchange) -> _Verdict:
    if exchange.status is None:
        if exchange.auth_failed:
            reason = (
                f"{exchange.transport_error} The order is saved and waits, not sent, until a "
                "tenant admin reconnects the desk to Clarus."
            )
            return _Verdict(AttemptOutcome.UNAUTHORIZED, OrderStatus.FAILED, reason)
        if exchange.may_have_arrived:
            message = f"{exchange.transport_error} Clarus may have received the order."
            return _Verdict(AttemptOutcome.NO_ANSWER, OrderStatus.UNKNOWN, message)
        reason = _not_sent(exchange.transport_error)
        return _Verdict(AttemptOutcome.UNREACHABLE, OrderStatus.FAILED, reason)
    body = exchange.json()
    if exchange.status == 200:
        clarus_id = _goods_out_id(body)
        if clarus_id is None:
            message = "Clarus accepted the order but did not say its goods-out id."
            return _Verdict(AttemptOutcome.NO_ANSWER, OrderStatus.UNKNOWN, message)
        message = f"Sent to Clarus as goods-out {clarus_id}."
        return _Verdict(AttemptOutcome.SENT, OrderStatus.SENT, message, clarus_id=clarus_id)
    if exchange.status == 422:
        message = "Clarus rejected the order: correct the fields marked and send it again."
        errors = tuple(_clarus_errors(body))
        return _Verdict(AttemptOutcome.REJECTED, OrderStatus.REJECTED, message, errors=errors)
    if exchange.status == 401:
        detail = body.get("error") if isinstance(body, dict) else None
        reason = "Clarus refused the desk's access" + (f" ({detail})." if detail else ".")
        return _Verdict(AttemptOutcome.UNAUTHORIZED, OrderStatus.FAILED, _not_sent(reason))
    if exchange.status == 429:
        reason = "Clarus asked the desk to slow down (HTTP 429)."
        return _Verdict(
            AttemptOutcome.SERVER_ERROR,
            OrderStatus.FAILED,
            _not_sent(reason),
            retry_after=_retry_after(exchange),
        )
    reason = f"Clarus answered with an error (HTTP {exchange.status})."
    return _Verdict(AttemptOutcome.SERVER_ERROR, OrderStatus.FAILED, _not_sent(reason))


def _retry_after(exchange: clarus.ClarusExchange) -> float | None:
    headers = {name.lower(): value for name, value in (exchange.response_headers or {}).items()}
    try:
        return max(0.0, float(headers.get("retry-after", "")))
    except ValueError:
        return None


def _not_sent(reason: str) -> str:
    return f"{reason} The order is saved but not sent."


def _goods_out_id(body: Any) -> int | None:
    try:
        value = body["data"]["id"]
    except (KeyError, TypeError):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def rejection_errors(attempt: SubmissionAttempt) -> list[ClarusError]:
    """Return Clarus's reasons for refusing an attempt; [] if it was not refused."""
    if attempt.outcome != AttemptOutcome.REJECTED:
        return []
    return clarus_errors_in(attempt.response_body)


def clarus_errors_in(response_body: str) -> list[ClarusError]:
    """Return the errors of a Clarus 422 body as it was kept; one saying so if it names none."""
    try:
        body = json.loads(response_body)
    except ValueError:
        body = None
    return _clarus_errors(body)


def _whole_number(value: Any) -> int | None:
    # JSON's true and false are ints to Python; a code is a number.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _clarus_errors(body: Any) -> list[ClarusError]:
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list) or not any(isinstance(item, dict) for item in items):
        return [ClarusError(details="Clarus rejected the order without saying why.")]
    errors = []
    for item in items:
        if not isinstance(item, dict):
            continue
        source = item.get("source")
        errors.append(
            ClarusError(
                details=str(item.get("details") or item.get("symbol") or "Invalid value."),
                source=source if isinstance(source, str) else None,
                code=_whole_number(item.get("code")),
                symbol=str(item.get("symbol") or ""),
            )
        )
    return errors
