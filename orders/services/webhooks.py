"""What Clarus Automations webhooks change on the desk (CONTRACT.md §5): each delivery kept once,
matched to its order, and acted on.

Deliveries can repeat, so each is kept once. Clarus documents neither the payload schema nor the
delivery order (``orders.clarus.webhooks`` reads it), so:

- a delivery is matched to the desk's order by goods-out id, else by reference (one order per
  reference per tenant), and only in the tenant whose address it came to;
- the newest status is chosen by when the change happened in Clarus (the record's
  ``updated_at``), never by arrival, and a repeat changes nothing;
- a change dated more than ``FUTURE_SKEW`` past the desk's clock is taken as happening when it
  arrived, as a time without a zone is: taken at its word it would stay "the newest" until then;
- a ``cancelled`` goods-out cancels the order; a webhook for an order one of whose requests may
  have reached Clarus unanswered, naming the account the order was keyed for, proves the
  goods-out exists, and the desk adopts it, under the same row lock the delivery worker claims
  orders with (see ``_adopt``). An order whose every request Clarus refused (a 401, no
  connection) cannot be in Clarus, whatever a webhook with its reference says.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orders import audit, states
from orders.clarus.webhooks import MAX_BODY_BYTES, DeliveryUnreadable, delivery_read, event_stage
from orders.domain import GoodsOutNews
from orders.models import Order, OrderStatus, Tenant, WebhookDelivery, WebhookStatus
from orders.services.delivery import goods_out_adopt

# How far past the desk's clock a change may be dated and still be taken at its word: clocks
# drift a little, and a later date would make the news "the newest" until that date comes.
FUTURE_SKEW = timedelta(minutes=5)


__all__ = ["MAX_BODY_BYTES", "WebhookReceived", "WebhookRefused", "webhook_receive"]


class WebhookRefused(Exception):
    """A delivery the desk does not take: ``kind`` is ``forbidden`` (not Clarus's for this
    tenant), ``too_large`` (longer than ``MAX_BODY_BYTES``) or ``bad_body`` (not a JSON object
    the desk can keep)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class WebhookReceived:
    delivery: WebhookDelivery
    repeated: bool


def webhook_receive(
    *, tenant: Tenant, headers: Mapping[str, str], raw_body: bytes
) -> WebhookReceived:
    """Check and keep one delivery and act on the order it concerns; a repeat only counts.

    ``headers`` must look names up case-insensitively, as Django's ``request.headers`` does.
    """
    try:
        delivered = delivery_read(subdomain=tenant.subdomain, headers=headers, raw_body=raw_body)
    except DeliveryUnreadable as unreadable:
        raise WebhookRefused(unreadable.kind, str(unreadable)) from unreadable
    news = delivered.news
    # Kept and acted on in one transaction: a delivery is never kept without its effect, which
    # a repeat (seen by its fingerprint) would then never bring.
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    tenant=tenant,
                    fingerprint=delivered.fingerprint,
                    automation_id=delivered.automation_id[:100],
                    event=news.event,
                    goods_out_id=news.goods_out_id,
                    headers=delivered.kept_headers,
                    body=delivered.body,
                    status=news.status,
                    happened_at=_happened_at(news.updated_at),
                )
        except IntegrityError:
            repeated = True
        else:
            repeated = False
            order = _matching_order(tenant, news)
            if order is not None:
                delivery.order = order
                delivery.save(update_fields=["order"])
                _act_on_order(order, delivery, news)
    if repeated:
        WebhookDelivery.objects.filter(tenant=tenant, fingerprint=delivered.fingerprint).update(
            repeats=F("repeats") + 1
        )
        delivery = WebhookDelivery.objects.get(tenant=tenant, fingerprint=delivered.fingerprint)
    return WebhookReceived(delivery, repeated=repeated)


def _matching_order(tenant: Tenant, news: GoodsOutNews) -> Order | None:
    """Return the tenant's order the goods-out is, its row locked, or None if none is.

    Locked as the delivery worker's claim locks it, and judged on the locked row: the worker may
    have settled the order between a first look and the lock.
    """
    if not news.about_goods_out:
        return None
    orders = Order.objects.select_for_update().filter(tenant=tenant)
    order = None
    if news.goods_out_id is not None:
        order = orders.filter(clarus_id=news.goods_out_id).first()
    if order is None and news.reference:
        order = orders.filter(reference=news.reference).first()
    if order is None:
        return None
    if order.clarus_id is not None:
        # The desk knows its goods-out: another id under the same reference is another
        # goods-out (Clarus documents no unique references, CONTRACT.md §3.6).
        return order if news.goods_out_id in (None, order.clarus_id) else None
    # Matched by reference alone: a goods-out of another account is not this order, and an
    # order none of whose requests can have reached Clarus is not in it.
    if news.account_id != order.account_id or not _may_be_in_clarus(order):
        return None
    return order


def _may_be_in_clarus(order: Order) -> bool:
    """Return whether a request for the order may have reached Clarus without the desk knowing.

    Being sent, or after a try that got no answer (a timeout, a dropped connection, a sender
    that died, which ``unknown`` stands for). Not a draft, nor an order Clarus rejected, nor one
    every try of which was refused at the door (a 401, a refused token, no connection).
    """
    if order.status in states.MAY_BE_IN_CLARUS:
        return True
    return order.status == OrderStatus.FAILED and audit.order_had_unanswered_try(order)


def _act_on_order(order: Order, delivery: WebhookDelivery, news: GoodsOutNews) -> None:
    """Adopt, cancel and report, on the order's locked row."""
    automation = f"Clarus Automation {delivery.automation_id}"
    if order.clarus_id is None and news.goods_out_id is not None and _adoptable(order):
        _adopt(order, goods_out_id=news.goods_out_id, event=news.event, automation=automation)
    if news.cancelled and states.cancellable(order.status):
        reason = (
            f"Cancelled in Clarus: the “{news.event or 'webhook'}” event of {automation} says "
            f"goods-out {order.clarus_id} is cancelled."
        )
        audit.order_transition(order, OrderStatus.CANCELLED, by=audit.WEBHOOK, reason=reason)
        order.save(update_fields=["status", "status_note", "updated_at"])
    if delivery.status:
        _report(order, delivery)


def _adoptable(order: Order) -> bool:
    lease_free = order.lease_until is None or order.lease_until < timezone.now()
    return order.status in states.ADOPTABLE and lease_free


def _adopt(order: Order, *, goods_out_id: int, event: str, automation: str) -> None:
    """Take the webhook's goods-out as the order's, as reconciliation would have.

    Safe against the delivery worker because both hold the order's row: the worker claims only
    a draft, failed or unknown order, or one in ``sending`` whose lease ran out, so once this
    commits it finds the order sent and leaves it; if the worker claimed first the order is
    ``sending`` with a running lease and this is not called. Making the
    order due instead would not do: reconciliation rightly waits a lease after an unanswered try
    before it trusts a lookup, and a ``failed`` order with no unanswered try is sent again without
    one, which is the duplicate this webhook proves would happen.
    """
    reason = (
        f"Found through a Clarus webhook: the “{event or 'webhook'}” event of {automation} is "
        f"about goods-out {goods_out_id} with this reference, so nothing is sent again."
    )
    goods_out_adopt(order, goods_out_id=goods_out_id, by=audit.WEBHOOK, reason=reason)


def _report(order: Order, delivery: WebhookDelivery) -> None:
    """Make the delivery the order's newest Clarus status, unless an earlier one is newer."""
    current = WebhookStatus.objects.select_related("delivery").filter(order=order).first()
    if current is not None and not _newer(delivery, than=current.delivery):
        return
    WebhookStatus.objects.update_or_create(order=order, defaults={"delivery": delivery})


def _newer(delivery: WebhookDelivery, *, than: WebhookDelivery) -> bool:
    """Return whether ``delivery`` tells of a later moment; a tie keeps the one told first."""

    def moment(each: WebhookDelivery) -> tuple[datetime, int]:
        return (each.happened_at, event_stage(each.event))

    return moment(delivery) > moment(than)


def _happened_at(updated_at: datetime | None) -> datetime:
    """Return when the change happened: the record's time, unless absent or too far ahead."""
    now = timezone.now()
    if updated_at is None or updated_at > now + FUTURE_SKEW:
        return now
    return updated_at
