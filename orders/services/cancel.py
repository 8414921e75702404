"""Cancelling a sent order's goods-out in Clarus, by a supervisor, with a reason."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from orders import audit, states
from orders.clarus import Transport
from orders.clarus.goods_outs import goods_out_cancel
from orders.models import AttemptOutcome, Order, OrderStatus


@dataclass(frozen=True)
class CancelResult:
    cancelled: bool
    message: str


def order_cancel(
    *, order: Order, user: User, reason: str, transport: Transport | None = None
) -> CancelResult:
    """Ask Clarus to cancel the order's goods-out; record the request and, if done, the change.

    Clarus deletes a draft or pending goods-out and cancels an allocated one; a dispatched one
    cannot be cancelled (CONTRACT.md §2.7).
    """
    if not states.cancellable(order.status) or order.clarus_id is None:
        return CancelResult(False, "Only an order Clarus has accepted can be cancelled there.")
    exchanges, answer = goods_out_cancel(
        tenant=order.tenant, goods_out_id=order.clarus_id, transport=transport
    )
    if answer.cancelled:
        message = f"Goods-out {order.clarus_id} cancelled in Clarus: {reason}"
        outcome = AttemptOutcome.CANCELLED
    elif answer.refused:
        message = f"Clarus did not cancel goods-out {order.clarus_id}: {answer.details}"
        outcome = AttemptOutcome.CANCEL_REFUSED
    else:
        message = (
            f"Clarus could not be asked to cancel ({answer.details}). Nothing changed; try again."
        )
        outcome = AttemptOutcome.CANCEL_REFUSED
    with transaction.atomic():
        for exchange in exchanges:
            audit.attempt_record(
                order, exchange, by=audit.Actor.of(user), outcome=outcome, error=message
            )
        # Read the order again, locked: a Clarus webhook may have cancelled it during the call.
        current = Order.objects.select_for_update().get(pk=order.pk)
        if answer.cancelled and current.status != OrderStatus.CANCELLED:
            audit.order_transition(
                current, OrderStatus.CANCELLED, by=audit.Actor.of(user), reason=message
            )
            current.save(update_fields=["status", "status_note", "updated_at"])
    return CancelResult(answer.cancelled, message)
