"""Reads of orders: one order with what its page shows, the webhooks about it, how Clarus says it
stands now, an earlier order of the same reference; always scoped to what the user may see."""

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Prefetch

from orders import permissions
from orders.clarus import ClarusQueryError
from orders.clarus.documents import stored_address, stored_header
from orders.clarus.goods_outs import goods_out_status, status_label
from orders.domain import DeliveryAddress, GoodsOutStatus, KeyedOrder, LineInput
from orders.models import (
    AmendmentStatus,
    Membership,
    Order,
    OrderAmendment,
    SubmissionAttempt,
    Tenant,
    WebhookDelivery,
)


@dataclass(frozen=True)
class ClarusStatusAnswer:
    """How Clarus says the order's goods-out stands now, or why it could not say."""

    status: GoodsOutStatus | None
    problem: str = ""


def order_clarus_status(*, order: Order) -> ClarusStatusAnswer:
    """Ask Clarus, by the order's reference, how its goods-out stands now."""
    try:
        status = goods_out_status(tenant=order.tenant, reference=order.reference)
    except ClarusQueryError as exc:
        return ClarusStatusAnswer(None, f"Clarus could not be asked just now: {exc}")
    return ClarusStatusAnswer(
        status, "" if status else "Clarus has no goods-out with this reference."
    )


def order_get_for_detail(
    *, order_id: int, user: User, memberships: list[Membership]
) -> Order | None:
    """Return one order the user may see, with its lines and attempts ready, or None."""
    return (
        Order.objects.filter(permissions.orders_visible(user=user, memberships=memberships))
        .select_related("tenant", "created_by")
        # The attempts with who sent each, in one query rather than two.
        .prefetch_related(
            "lines", Prefetch("attempts", SubmissionAttempt.objects.select_related("user"))
        )
        .filter(pk=order_id)
        .first()
    )


def webhook_list_for_order(*, order: Order) -> list[WebhookDelivery]:
    """Return the webhooks Clarus sent about the order's goods-out, latest change first.

    They were matched to the order in its own tenant when they arrived (orders.services.webhooks).
    """
    return list(
        WebhookDelivery.objects.filter(order=order, tenant_id=order.tenant_id).order_by(
            "-happened_at", "-id"
        )
    )


def webhook_status_label(*, order: Order) -> str:
    """Return, in words, the newest status Clarus's webhooks gave for the order; "" if none."""
    newest = getattr(order, "webhook_status", None)
    return status_label(newest.delivery.status) if newest is not None else ""


def order_duplicate_of(*, tenant: Tenant, reference: str, form_token: uuid.UUID) -> Order | None:
    """Return the tenant's earlier order with ``reference``, other than this form's own."""
    return (
        Order.objects.filter(tenant=tenant, reference=reference)
        .exclude(form_token=form_token)
        .select_related("created_by")
        .first()
    )


def order_keyed(*, order: Order) -> KeyedOrder:
    """Return a stored order as it was keyed: its header, address, lines and what was seen."""
    return KeyedOrder(
        tenant=order.tenant,
        header=stored_header(order.header),
        lines=[
            LineInput(
                product_id=line.product_id,
                quantity=line.quantity,
                product_code=line.product_code,
                description=line.description,
            )
            for line in order.lines.all()
        ],
        address=stored_address(order.address),
        labels=dict(order.labels or {}),
        keying_started_at=order.keying_started_at,
    )


def order_address(*, order: Order) -> DeliveryAddress:
    """Return the delivery address a stored order was sent with."""
    return stored_address(order.address)


def order_amendment_waiting(*, order: Order) -> OrderAmendment | None:
    """Return the order's amendment that waits for Clarus's answer, if one does."""
    return (
        order.amendments.filter(status__in=[AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING])
        .order_by("-id")
        .first()
    )
