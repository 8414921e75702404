"""Cancelling a sent order's goods-out in Clarus, by a supervisor, with a reason."""

from dataclasses import dataclass

import httpx
from django.contrib.auth.models import User
from django.db import transaction

from orders import audit, clarus, states
from orders.models import AttemptOutcome, Order, OrderStatus


@dataclass(frozen=True)
class CancelResult:
    cancelled: bool
    message: str


def order_cancel(
    *, order: Order, user: User, reason: str, transport: httpx.BaseTransport | None = None
) -> CancelResult:
    """Ask Clarus to cancel the order's goods-out; record the request and, if done, the change.

    Clarus deletes a draft or pending goods-out and cancels an allocated one; a dispatched one
    cannot be cancelled (CONTRACT.md §2.7).
    """
    if not states.cancellable(order.status) or order.clarus_id is None:
        return CancelResult(False, "Only an order Clarus has accepted can be cancelled there.")
    # Clarus: the cancel action takes no body (CONTRACT.md §2.7).
    exchanges = clarus.post_json(
        order.tenant, f"goods_outs/{order.clarus_id}/cancel", None, transport=transport
    )
    last = exchanges[-1]
    if last.status == 200:
        message = f"Goods-out {order.clarus_id} cancelled in Clarus: {reason}"
        outcome = AttemptOutcome.CANCELLED
    elif last.status in (404, 422):
        details = _details(last)
        message = f"Clarus did not cancel goods-out {order.clarus_id}: {details}"
        outcome = AttemptOutcome.CANCEL_REFUSED
    else:
        problem = last.transport_error or f"HTTP {last.status}"
        message = f"Clarus could not be asked to cancel ({problem}). Nothing changed; try again."
        outcome = AttemptOutcome.CANCEL_REFUSED
    with transaction.atomic():
        for exchange in exchanges:
            audit.attempt_record(
                order, exchange, by=audit.Actor.of(user), outcome=outcome, error=message
            )
        # Read the order again, locked: a Clarus webhook may have cancelled it during the call.
        current = Order.objects.select_for_update().get(pk=order.pk)
        if last.status == 200 and current.status != OrderStatus.CANCELLED:
            audit.order_transition(
                current, OrderStatus.CANCELLED, by=audit.Actor.of(user), reason=message
            )
            current.save(update_fields=["status", "status_note", "updated_at"])
    return CancelResult(last.status == 200, message)


def _details(exchange: clarus.ClarusExchange) -> str:
    body = exchange.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("details") or errors[0].get("symbol") or "refused")
    return f"HTTP {exchange.status}"
