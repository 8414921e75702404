"""Writes: keying an order, sending it to Clarus and recording every attempt.

The order is saved before Clarus is called, so whatever happens on the wire the agent's work is
kept; each call to Clarus leaves one append-only ``SubmissionAttempt``.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import clarus
from orders.models import (
    AttemptOutcome,
    Order,
    OrderLine,
    OrderStatus,
    SubmissionAttempt,
    Tenant,
)
from orders.payloads import LineInput, goods_out_document

GOODS_OUTS_PATH = "goods_outs"
# States from which the same keyed order may be (re)sent; see order_submit.
SENDABLE_STATES = frozenset(
    {OrderStatus.DRAFT, OrderStatus.REJECTED, OrderStatus.FAILED, OrderStatus.UNKNOWN}
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
    """What became of one submission, for the view to show."""

    order: Order
    # None when nothing was sent this time (the order had already gone).
    outcome: AttemptOutcome | None
    message: str = ""
    errors: Sequence[ClarusError] = field(default_factory=tuple)

    @property
    def sent(self) -> bool:
        return self.order.status == OrderStatus.SENT


@dataclass(frozen=True)
class KeyedOrder:
    """An order as the agent keyed it, in Clarus's names, ready to store and send."""

    tenant: Tenant
    header: Mapping[str, Any]
    lines: Sequence[LineInput]
    address: Mapping[str, Any]


def _store_keyed_order(order: Order, keyed: KeyedOrder) -> None:
    order.tenant = keyed.tenant
    order.header = dict(keyed.header)
    order.address = dict(keyed.address)
    order.reference = str(keyed.header["reference"])
    order.account_id = int(keyed.header["account_id"])
    order.postcode = str(keyed.address.get("postcode", ""))
    order.status = OrderStatus.SENDING
    order.save()
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order, position=position, product_id=line.product_id, quantity=line.quantity
        )
        for position, line in enumerate(keyed.lines, start=1)
    )


def order_submit(
    *,
    form_token: uuid.UUID,
    keyed: KeyedOrder,
    user: User,
    transport: httpx.BaseTransport | None = None,
) -> SubmitResult:
    """Save the keyed order and send it to Clarus, once per form token.

    A repeated POST of the same form (a double click, a browser resend) finds the order the first
    one saved: if that order is sent or being sent, nothing is sent again.
    """
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().filter(form_token=form_token).first()
            if order is None:
                order = Order(form_token=form_token, created_by=user)
            elif order.status not in SENDABLE_STATES:
                return SubmitResult(order=order, outcome=None, message=_already_message(order))
            _store_keyed_order(order, keyed)
    except IntegrityError:
        # Another request with the same token inserted the order first: that one sends it.
        order = Order.objects.get(form_token=form_token)
        return SubmitResult(order=order, outcome=None, message=_already_message(order))
    return _send(order, user=user, transport=transport)


def order_resend(
    *, order: Order, user: User, transport: httpx.BaseTransport | None = None
) -> SubmitResult:
    """Send a stored order that did not reach Clarus again, as it was keyed."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in SENDABLE_STATES:
            return SubmitResult(order=locked, outcome=None, message=_already_message(locked))
        locked.status = OrderStatus.SENDING
        locked.save(update_fields=["status", "updated_at"])
    return _send(locked, user=user, transport=transport)


def _already_message(order: Order) -> str:
    if order.status == OrderStatus.SENT:
        return f"This order was already sent to Clarus as goods-out {order.clarus_id}."
    return "This order is being sent to Clarus already."


def order_document(order: Order) -> dict[str, Any]:
    """Return the goods-out document for a stored order."""
    lines = [
        LineInput(product_id=line.product_id, quantity=line.quantity) for line in order.lines.all()
    ]
    return goods_out_document(attributes=order.header, lines=lines, address=order.address)


@dataclass(frozen=True)
class _Verdict:
    """What an exchange with Clarus means for the order."""

    outcome: AttemptOutcome
    status: OrderStatus
    message: str
    errors: tuple[ClarusError, ...] = ()
    clarus_id: int | None = None


def _record_attempt(
    order: Order, user: User, exchange: clarus.ClarusExchange, verdict: _Verdict
) -> None:
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
        outcome=verdict.outcome,
        error="" if verdict.outcome == AttemptOutcome.SENT else verdict.message,
    )


def _send(order: Order, *, user: User, transport: httpx.BaseTransport | None) -> SubmitResult:
    document = order_document(order)
    exchanges = clarus.post_json(order.tenant, GOODS_OUTS_PATH, document, transport=transport)
    verdicts = [_judge(exchange) for exchange in exchanges]
    verdict = verdicts[-1]
    with transaction.atomic():
        # Every request that went over the wire is kept, a 401 before its retry included.
        for exchange, each in zip(exchanges, verdicts, strict=True):
            _record_attempt(order, user, exchange, each)
        order.status = verdict.status
        if verdict.clarus_id is not None:
            order.clarus_id = verdict.clarus_id
            order.sent_at = timezone.now()
        order.save(update_fields=["status", "clarus_id", "sent_at", "updated_at"])
    return SubmitResult(
        order=order, outcome=verdict.outcome, message=verdict.message, errors=verdict.errors
    )


def _judge(exchange: clarus.ClarusExchange) -> _Verdict:
    if exchange.status is None:
        if exchange.auth_failed:
            reason = (
                f"{exchange.transport_error} The order is saved and waits, not sent, until a "
                "tenant admin reconnects the desk to Clarus."
            )
            return _Verdict(AttemptOutcome.UNAUTHORIZED, OrderStatus.FAILED, reason)
        if exchange.may_have_arrived:
            message = (
                f"{exchange.transport_error} Clarus may have received the order: check with "
                "Clarus before sending it again."
            )
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
    reason = f"Clarus answered with an error (HTTP {exchange.status})."
    return _Verdict(AttemptOutcome.SERVER_ERROR, OrderStatus.FAILED, _not_sent(reason))


def _not_sent(reason: str) -> str:
    return f"{reason} The order is saved but not sent; send it again when Clarus is back."


def _goods_out_id(body: Any) -> int | None:
    try:
        value = body["data"]["id"]
    except (KeyError, TypeError):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _clarus_errors(body: Any) -> list[ClarusError]:
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
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
                code=item.get("code") if isinstance(item.get("code"), int) else None,
                symbol=str(item.get("symbol") or ""),
            )
        )
    return errors
