"""Reads of orders: one order with what its page shows, the webhooks about it, how Clarus says it
stands now, an earlier order of the same reference; always scoped to what the user may see."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Exists, F, OuterRef, Prefetch

from orders import permissions, states
from orders.clarus import ClarusQueryError
from orders.clarus.documents import stored_address, stored_header
from orders.clarus.goods_outs import goods_out_status, status_label
from orders.domain import DeliveryAddress, GoodsOutStatus, KeyedOrder, LineInput
from orders.models import (
    AddressSaveAttempt,
    AmendmentStatus,
    Membership,
    Order,
    OrderAmendment,
    OrderHold,
    OrderLine,
    OrderTransition,
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


@dataclass(frozen=True)
class PageLine:
    position: int
    product_id: int
    product_code: str
    description: str
    quantity: Decimal


@dataclass(frozen=True)
class PageTransition:
    at: datetime
    from_status: str
    to_status: str
    actor: str
    reason: str


@dataclass(frozen=True)
class OrderPage:
    """One order with everything its page shows, read in a fixed number of queries.

    ``order`` carries ``keyed_by`` (its agent's username) instead of its ``created_by`` row, and
    the tenant of the user's membership. Attempts (the order's, and its address save's) carry
    ``sender``, the username of who sent each ("" for the delivery worker). A section whose rows
    the order has none of (amendments, holds, webhooks, address save) cost no query: one read of
    the order says which it has.
    """

    order: Order
    lines: list[PageLine]
    attempts: Sequence[SubmissionAttempt]
    transitions: list[PageTransition]
    # Newest change first, as webhook_list_for_order.
    webhooks: list[WebhookDelivery] = field(default_factory=list)
    # The delivery the newest webhook status came from (None if no webhook gave one).
    webhook_said: WebhookDelivery | None = None
    # Every amendment of the order, oldest first, with who made it.
    amendments: list[OrderAmendment] = field(default_factory=list)
    holds: list[OrderHold] = field(default_factory=list)
    address_attempts: Sequence[AddressSaveAttempt] = field(default_factory=list)

    @property
    def keyed_by(self) -> str:
        """The username of who keyed the order."""
        return str(getattr(self.order, "keyed_by", ""))

    @property
    def can_correct(self) -> bool:
        """``Order.can_correct``, from the attempts read here."""
        if self.order.personal_data_removed_at is not None:
            return False
        return states.can_correct(self.order.status, (a.outcome for a in self.attempts))

    @property
    def clarus_said(self) -> str:
        """``webhook_status_label``: the newest webhook status, in words; "" if none."""
        return status_label(self.webhook_said.status) if self.webhook_said is not None else ""

    @property
    def amendment_waiting(self) -> OrderAmendment | None:
        """``order_amendment_waiting``, from the amendments read here."""
        waiting = {AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING}
        found = [each for each in self.amendments if each.status in waiting]
        return max(found, key=lambda each: each.pk) if found else None


def order_page_get(*, order_id: int, user: User, memberships: list[Membership]) -> OrderPage | None:
    """Return one order the user may see with all its page shows, or None.

    Four queries for an order with no amendments, holds, webhooks or address save (its lines,
    attempts and transitions, whatever their number), one more for each of those it has.
    """
    own = OuterRef("pk")
    order = (
        Order.objects.filter(permissions.orders_visible(user=user, memberships=memberships))
        .filter(pk=order_id)
        .select_related("address_save")
        .annotate(
            keyed_by=F("created_by__username"),
            said_id=F("webhook_status__delivery_id"),
            has_webhooks=Exists(
                WebhookDelivery.objects.filter(order=own, tenant_id=OuterRef("tenant_id"))
            ),
            has_amendments=Exists(OrderAmendment.objects.filter(order=own)),
            has_holds=Exists(OrderHold.objects.filter(order=own)),
        )
        .first()
    )
    if order is None:
        return None
    # The tenant as the user's membership read it this request: its secrets decrypted once.
    for membership in memberships:
        if membership.tenant_id == order.tenant_id:
            order.tenant = membership.tenant
            break
    lines = [
        PageLine(*row)
        for row in OrderLine.objects.filter(order_id=order.pk)
        .order_by("position")
        .values_list("position", "product_id", "product_code", "description", "quantity")
    ]
    attempts = list(
        SubmissionAttempt.objects.filter(order_id=order.pk)
        .annotate(sender=F("user__username"))
        .order_by("-started_at", "-id")
    )
    transitions = [
        PageTransition(*row)
        for row in OrderTransition.objects.filter(order_id=order.pk)
        .order_by("at", "id")
        .values_list("at", "from_status", "to_status", "actor", "reason")
    ]
    webhooks: list[WebhookDelivery] = []
    said = None
    if order.has_webhooks:
        webhooks = webhook_list_for_order(order=order)
        said = next((each for each in webhooks if each.pk == order.said_id), None)
        if said is None and order.said_id is not None:
            said = WebhookDelivery.objects.filter(pk=order.said_id).first()
    amendments = (
        list(
            OrderAmendment.objects.filter(order_id=order.pk)
            .select_related("created_by")
            .order_by("created_at", "id")
        )
        if order.has_amendments
        else []
    )
    holds = (
        list(
            OrderHold.objects.filter(order_id=order.pk)
            .select_related("rule_version")
            .order_by("-at", "id")
        )
        if order.has_holds
        else []
    )
    save = getattr(order, "address_save", None)
    address_attempts = (
        list(
            AddressSaveAttempt.objects.filter(address_save_id=save.pk)
            .annotate(sender=F("user__username"))
            .order_by("-started_at", "-id")
        )
        if save is not None
        else []
    )
    return OrderPage(
        order=order,
        lines=lines,
        attempts=attempts,
        transitions=transitions,
        webhooks=webhooks,
        webhook_said=said,
        amendments=amendments,
        holds=holds,
        address_attempts=address_attempts,
    )
