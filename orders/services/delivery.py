"""Getting a keyed order into Clarus exactly once, whatever the network or our processes do.

An order is *claimed* before it is sent: one conditional update moves it to ``sending`` with a
lease, so two processes can never send it at once. A sender that dies leaves the lease to run out;
whoever picks the order up next first asks Clarus, by reference, whether the earlier request
arrived, and adopts that goods-out instead of sending again. Clarus documents no idempotency key
(CONTRACT.md §3.5), so this lookup is the only safe way to resend after an unknown outcome.

States: draft → sending → sent | rejected (422) | failed (retryable) | unknown (no answer).
Every change is an ``OrderTransition``; every request over the wire a ``SubmissionAttempt``.
"""

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from orders import audit, states
from orders.audit import Actor
from orders.clarus import ClarusExchange, ClarusQueryError, Transport
from orders.clarus.documents import goods_out_document, stored_address, stored_header
from orders.clarus.goods_outs import CreateAnswer, goods_out_create, goods_out_id_by_reference
from orders.domain import AnswerKind, LineInput, Refusal
from orders.log_context import log_scope
from orders.models import AttemptOutcome, Order, OrderLine, OrderStatus, OrderTransition
from orders.rows import row_update
from orders.services.sweeps import sweep_schedule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitResult:
    """What became of one delivery, for the view to show."""

    order: Order
    # None when nothing was sent this time (the order had gone, or someone else is sending it).
    outcome: AttemptOutcome | None
    message: str = ""
    refusals: Sequence[Refusal] = ()

    @property
    def sent(self) -> bool:
        return self.order.status == OrderStatus.SENT


@dataclass(frozen=True)
class _Verdict:
    """What an exchange with Clarus means for the order."""

    outcome: AttemptOutcome
    status: OrderStatus
    message: str
    refusals: tuple[Refusal, ...] = ()
    clarus_id: int | None = None
    retry_after: float | None = None
    line_ids: tuple[int | None, ...] = ()


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


def due_orders() -> Q:
    """Return the condition for orders that are waiting and due to be tried now."""
    now = timezone.now()
    return (
        Q(status__in=states.WAITING, next_attempt_at__lte=now)
        # A sender died mid-send: its lease ran out.
        | Q(status=OrderStatus.SENDING, lease_until__lt=now)
        # A process died between saving the order and claiming it.
        | Q(status=OrderStatus.DRAFT, updated_at__lt=now - lease_length())
    )


def _claim(order_id: int, *, by: Actor) -> tuple[Order, OrderStatus] | None:
    """Take the order for sending, or return None if it is sent, rejected or held by another."""
    now = timezone.now()
    claimable = Q(status__in=states.CLAIMABLE) | Q(status=OrderStatus.SENDING, lease_until__lt=now)
    with transaction.atomic():
        # The tenant comes with the order (its Clarus address and token are needed next); only
        # the order's row is locked.
        order = (
            Order.objects.select_related("tenant")
            .select_for_update(of=("self",))
            .filter(claimable, pk=order_id)
            .first()
        )
        if order is None:
            return None
        previous = OrderStatus(order.status)
        reason = (
            SENDING_REASON
            if previous == OrderStatus.DRAFT
            else f"Trying again (was {order.get_status_display().lower()})."
        )
        audit.order_transition(order, OrderStatus.SENDING, by=by, reason=reason)
        order.lease_until = now + lease_length()
        order.save(update_fields=["status", "status_note", "lease_until", "updated_at"])
    return order, previous


def claim_as_stored(order: Order, *, by: Actor) -> OrderTransition:
    """Claim a new order for sending as it is first written, in the transaction that writes it.

    Nobody else can see the order before that transaction commits, so no conditional update is
    needed: it is written ``sending``, with the lease ``_claim`` would give it, and the returned
    move is written beside the order's first (``audit.transitions_record``). A process that dies
    after the commit and before Clarus answers leaves it as ``_claim`` would: once the lease has
    run out the delivery worker takes it over, asking Clarus first. Nothing was sent for it
    before, so it needs no reconciliation now (``deliver_claimed``).
    """
    order.lease_until = timezone.now() + lease_length()
    return audit.order_move(order, OrderStatus.SENDING, by=by, reason=SENDING_REASON)


SENDING_REASON = "Sending to Clarus."


def deliver_claimed(
    order: Order,
    lines: list[OrderLine],
    *,
    by: Actor,
    transport: Transport | None = None,
) -> SubmitResult:
    """Send an order claimed as it was stored (``claim_as_stored``), with the lines written then.

    The order's tenant must be a whole row (its Clarus address and token).
    """
    with log_scope(order_id=order.pk):
        return _send(order, lines, by=by, transport=transport)


def _needs_reconciliation(order: Order, previous: OrderStatus) -> bool:
    """Return whether an earlier request for this order may have reached Clarus."""
    if previous in states.RECONCILE_FIRST:
        return True
    return audit.order_had_unanswered_try(order)


def order_document(order: Order, lines: Sequence[OrderLine] | None = None) -> dict[str, Any]:
    """Return the goods-out document for a stored order (its ``lines`` when read already)."""
    inputs = [
        LineInput(product_id=line.product_id, quantity=line.quantity)
        for line in (order.lines.all() if lines is None else lines)
    ]
    return goods_out_document(
        header=stored_header(order.header), lines=inputs, address=stored_address(order.address)
    )


def deliver(
    order_id: int,
    *,
    by: Actor = audit.WORKER,
    transport: Transport | None = None,
) -> SubmitResult:
    """Send one order to Clarus, once: claim it, reconcile if needed, send, record the outcome."""
    # The order's id on every log line of its delivery (a request's id too, when in one).
    with log_scope(order_id=order_id):
        return _deliver(order_id, by=by, transport=transport)


def _deliver(order_id: int, *, by: Actor, transport: Transport | None) -> SubmitResult:
    claimed = _claim(order_id, by=by)
    if claimed is None:
        order = Order.objects.get(pk=order_id)
        return SubmitResult(order=order, outcome=None, message=already_message(order))
    order, previous = claimed
    if _needs_reconciliation(order, previous):
        adopted = _reconcile(order, by=by, transport=transport)
        if adopted is not None:
            return adopted
    # Read once: the document is written from them, and Clarus's line ids are kept on them. The
    # claim holds the order, so nobody changes its lines meanwhile.
    return _send(order, list(order.lines.all()), by=by, transport=transport)


def _send(
    order: Order, lines: list[OrderLine], *, by: Actor, transport: Transport | None
) -> SubmitResult:
    """POST the claimed order to Clarus and settle it by the answer."""
    exchanges, answers = goods_out_create(
        tenant=order.tenant, document=order_document(order, lines), transport=transport
    )
    verdicts = [_verdict(answer) for answer in answers]
    return _settle(order, exchanges, verdicts, by=by, lines=lines)


def _reconcile(order: Order, *, by: Actor, transport: Transport | None) -> SubmitResult | None:
    """Look the order up in Clarus; adopt it if there, wait if Clarus cannot say."""
    settled_at = _earliest_settled_answer(order)
    if timezone.now() < settled_at:
        # "Not found" would not yet mean "not there": Clarus may still be storing the earlier try.
        reason = (
            "An earlier try may still be reaching Clarus. The desk will ask Clarus at "
            f"{_clock(settled_at)}, before sending anything."
        )
        return _wait_unknown(order, until=settled_at, reason=reason, by=by)
    try:
        found = goods_out_id_by_reference(
            tenant=order.tenant, reference=order.reference, transport=transport
        )
    except ClarusQueryError as exc:
        until = timezone.now() + backoff(order.send_count or 1)
        reason = (
            f"An earlier try may have reached Clarus, and Clarus cannot be asked right now "
            f"({exc}). The desk will check again at {_clock(until)} before sending anything."
        )
        return _wait_unknown(order, until=until, reason=reason, by=by)
    if found is None:
        return None
    reason = (
        f"Found in Clarus as goods-out {found}: an earlier try had arrived, so nothing was "
        "sent again."
    )
    with transaction.atomic():
        goods_out_adopt(order, goods_out_id=found, by=by, reason=reason)
    return SubmitResult(
        order=order, outcome=AttemptOutcome.SENT, message=f"Sent to Clarus as goods-out {found}."
    )


def goods_out_adopt(order: Order, *, goods_out_id: int, by: Actor, reason: str) -> None:
    """Take a goods-out found in Clarus as the order's: it is sent, and nothing is sent again.

    The caller holds the order's row (a claim, or ``select_for_update``) inside a transaction.
    """
    order.clarus_id = goods_out_id
    order.sent_at = timezone.now()
    order.next_attempt_at = None
    order.lease_until = None
    audit.order_transition(order, OrderStatus.SENT, by=by, reason=reason)
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
    uncertain = audit.order_unanswered_since(order)
    return uncertain + lease_length() if uncertain else timezone.now()


def _wait_unknown(order: Order, *, until: datetime, reason: str, by: Actor) -> SubmitResult:
    """Leave the order unknown, to be looked up again at ``until``; nothing is sent."""
    with transaction.atomic():
        order.next_attempt_at = until
        order.lease_until = None
        audit.order_transition(order, OrderStatus.UNKNOWN, by=by, reason=reason)
        order.save()
    _schedule(until)
    return SubmitResult(order=order, outcome=AttemptOutcome.NO_ANSWER, message=reason)


def _settle(
    order: Order,
    exchanges: list[ClarusExchange],
    verdicts: list[_Verdict],
    *,
    by: Actor,
    lines: list[OrderLine],
) -> SubmitResult:
    verdict = verdicts[-1]
    message = verdict.message
    with transaction.atomic():
        # Every request that went over the wire is kept, a 401 before its retry included.
        for exchange, each in zip(exchanges, verdicts, strict=True):
            error = "" if each.outcome == AttemptOutcome.SENT else each.message
            audit.attempt_record(order, exchange, by=by, outcome=each.outcome, error=error)
        order.send_count += 1
        order.lease_until = None
        order.next_attempt_at = None
        if verdict.clarus_id is not None:
            order.clarus_id = verdict.clarus_id
            order.sent_at = timezone.now()
            _keep_line_ids(lines, verdict.line_ids)
        elif verdict.status == OrderStatus.UNKNOWN:
            # Give Clarus time to finish what it may be doing before the desk asks about it.
            order.next_attempt_at = exchanges[-1].started_at + lease_length()
            message += f" The desk will check with Clarus at {_clock(order.next_attempt_at)}."
        elif verdict.outcome in states.RETRYABLE_OUTCOMES:
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
        audit.order_transition(order, verdict.status, by=by, reason=message)
        row_update(order, SETTLED_FIELDS)
    _schedule(order.next_attempt_at)
    return SubmitResult(
        order=order, outcome=verdict.outcome, message=message, refusals=verdict.refusals
    )


# What settling a delivery changes on the order.
SETTLED_FIELDS = [
    "send_count",
    "lease_until",
    "next_attempt_at",
    "clarus_id",
    "sent_at",
    "status",
    "status_note",
    "updated_at",
]


def _keep_line_ids(lines: list[OrderLine], line_ids: Sequence[int | None]) -> None:
    """Keep the ids Clarus gave the order's lines, so amendments can address them.

    One ``UPDATE … SET clarus_line_id = CASE id WHEN … END`` for all the lines, written here:
    ``bulk_update`` sends the same statement, but building it from ``Case``/``When`` expressions
    cost a sent order about as much as the rest of settling it.
    """
    if len(line_ids) != len(lines) or not lines:
        return
    for line, line_id in zip(lines, line_ids, strict=True):
        line.clarus_line_id = line_id
    quote = connection.ops.quote_name
    table, column, key = (
        quote(OrderLine._meta.db_table),
        quote("clarus_line_id"),
        quote("id"),
    )
    cases = " ".join(["WHEN %s THEN CAST(%s AS BIGINT)"] * len(lines))
    marks = ", ".join(["%s"] * len(lines))
    params: list[int | None] = []
    for line in lines:
        params += [line.pk, line.clarus_line_id]
    params += [line.pk for line in lines]
    # The names come from the model, every value is a parameter.
    sql = f"UPDATE {table} SET {column} = CASE {key} {cases} END WHERE {key} IN ({marks})"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
    if order.status == OrderStatus.HELD:
        return "This order is waiting for a supervisor's approval: it is sent once approved."
    if order.status == OrderStatus.DECLINED:
        return "A supervisor did not approve this order: correct it and send it again."
    if order.status == OrderStatus.WITHDRAWN:
        return "This order was withdrawn and will not be sent."
    return "This order is being sent to Clarus already."


def deliver_due_orders(
    *,
    stop_claiming_at: datetime | None = None,
    transport: Transport | None = None,
) -> int:
    """Deliver every waiting order that is due, oldest first per tenant; return how many went.

    A tenant whose Clarus is still failing stops at its oldest order, so orders reach Clarus in
    the order they were keyed. No order is claimed after ``stop_claiming_at``: the sweep that
    calls this must end within its lease (``orders.services.sweeps``).
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


def _verdict(answer: CreateAnswer) -> _Verdict:
    """Return what Clarus's answer means for the order (``states.VERDICTS``), and the words."""
    outcome, status = states.VERDICTS[answer.kind]
    return _Verdict(
        outcome,
        status,
        _message(answer),
        refusals=answer.refusals,
        clarus_id=answer.goods_out_id,
        retry_after=answer.retry_after,
        line_ids=answer.line_ids,
    )


def _message(answer: CreateAnswer) -> str:
    match answer.kind:
        case AnswerKind.CREATED:
            return f"Sent to Clarus as goods-out {answer.goods_out_id}."
        case AnswerKind.NO_ID:
            return "Clarus accepted the order but did not say its goods-out id."
        case AnswerKind.REFUSED:
            return "Clarus rejected the order: correct the fields marked and send it again."
        case AnswerKind.NO_TOKEN:
            return (
                f"{answer.problem} The order is saved and waits, not sent, until a tenant admin "
                "reconnects the desk to Clarus."
            )
        case AnswerKind.NO_ANSWER:
            return f"{answer.problem} Clarus may have received the order."
    return _not_sent(answer.problem)


def _not_sent(reason: str) -> str:
    return f"{reason} The order is saved but not sent."
