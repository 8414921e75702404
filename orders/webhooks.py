"""Receiving Clarus Automations webhooks for goods-outs (CONTRACT.md §5), and what they change.

Clarus signs nothing: it sends identifying ``X-ClarusWMS-*`` headers, and the desk adds an
unguessable secret to the address it gives Clarus. Deliveries can repeat, so each is kept once.
Clarus documents neither the payload schema nor the delivery order, so:

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

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from orders.inputs import JsonRefused, id_from_json, json_strict_loads
from orders.models import (
    AttemptOutcome,
    Order,
    OrderStatus,
    Tenant,
    WebhookDelivery,
    WebhookStatus,
)
from orders.services.delivery import goods_out_adopt, transition

KEPT_HEADERS = (
    "X-ClarusWMS-Domain",
    "X-ClarusWMS-API-Domain",
    "X-ClarusWMS-Subdomain",
    "X-ClarusWMS-Automation-ID",
    "X-ClarusWMS-Integration-ID",
)
ACTOR = "Clarus webhook"
GOODS_OUT = "goods_out"
# Clarus's default goods-out statuses (GoodsOutStatusId, CONTRACT.md §2.6), for a record that
# gives the id without the code.
STATUS_CODES = {
    1: "DRAFT",
    2: "PENDING",
    3: "PICK",
    4: "PART",
    5: "ALLOCATED",
    6: "COMPLETED",
    7: "PART_ALLOCATED",
    8: "CANCELLED",
}
COMPLETED, CANCELLED = "COMPLETED", "CANCELLED"
# Events that name the status themselves: "Sales order completed (dispatched)" (CONTRACT.md §5).
EVENT_STATUS = {"completed": COMPLETED, "cancelled": CANCELLED}
# How far on in a goods-out's life each event is, to order two reports of the same moment.
EVENT_STAGE = {"created": 0, "updated": 1, "processed": 1, "completed": 2, "cancelled": 2}
# The states the delivery worker claims and reconciles from (`sending` once its sender's lease
# ran out): nobody else is sending these, so a webhook may settle them.
ADOPTABLE = (OrderStatus.UNKNOWN, OrderStatus.FAILED, OrderStatus.SENDING)
# How far past the desk's clock a change may be dated and still be taken at its word: clocks
# drift a little, and a later date would make the news "the newest" until that date comes.
FUTURE_SKEW = timedelta(minutes=5)


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebhookReceived:
    delivery: WebhookDelivery
    repeated: bool


@dataclass(frozen=True)
class GoodsOutNews:
    """What one delivery says about a goods-out, read from its body."""

    resource: str
    event: str
    goods_out_id: int | None
    reference: str
    # The stock account the record is for (Clarus: account_id, CONTRACT.md §2.3, §5).
    account_id: int | None
    status: str
    # When the change happened in Clarus, if the record says so with a time zone.
    updated_at: datetime | None

    @property
    def about_goods_out(self) -> bool:
        # An automation on another resource (a pick list's `completed`, CONTRACT.md §5) posted
        # to this address must not touch orders; a body that names no resource is taken as the
        # goods-out automation the address was given for.
        return self.resource in ("", GOODS_OUT)

    @property
    def cancelled(self) -> bool:
        return self.event == "cancelled" or self.status == CANCELLED


def tenant_for_webhook(*, subdomain: str, secret: str) -> Tenant | None:
    """Return the tenant whose webhook address this is, comparing secrets in constant time.

    The secret before the last rotation still counts until ``previous_webhook_secret_until``.
    """
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None:
        return None
    given = secret.encode()
    current = hmac.compare_digest(tenant.webhook_secret.encode(), given)
    until = tenant.previous_webhook_secret_until
    previous = hmac.compare_digest(tenant.previous_webhook_secret.encode(), given)
    if current or (previous and until is not None and timezone.now() < until):
        return tenant
    return None


# A delivery's body is at most this long: a goods-out record with hundreds of lines is a small
# part of it. The view refuses a longer one before reading it.
MAX_BODY_BYTES = 1024 * 1024


def webhook_body(raw_body: bytes) -> dict[str, Any]:
    """Return a delivery's body as a JSON object, read strictly; raise WebhookRefused if not.

    No NaN or Infinity, no nesting deeper than a record's, and no NUL in its text, which
    PostgreSQL cannot store (``orders.inputs.json_strict_loads``).
    """
    if len(raw_body) > MAX_BODY_BYTES:
        raise WebhookRefused(413, f"The body is longer than {MAX_BODY_BYTES} bytes.")
    try:
        body = json_strict_loads(raw_body)
    except JsonRefused as refused:
        raise WebhookRefused(400, f"The body is refused: {refused}.") from refused
    if not isinstance(body, dict):
        raise WebhookRefused(400, "The body is not a JSON object.")
    return body


def goods_out_news(body: dict[str, Any]) -> GoodsOutNews:
    """Read a delivery's body: the record under ``data`` (flat, or JSON:API ``attributes``).

    Raise WebhookRefused if an id or time in it is not one the desk can keep.
    """
    # The payload schema is not documented (CONTRACT.md §5); the conditions' `data.account_id`
    # suggests the record sits flat under `data`. Accept it there, under data.attributes as
    # REST answers are shaped (§1.6), or at the top.
    data = body.get("data")
    if not isinstance(data, dict):
        data = body
    attributes = data.get("attributes")
    record = {**attributes, **data} if isinstance(attributes, dict) else data
    event = str(body.get("event") or body.get("action") or "")[:50]
    return GoodsOutNews(
        resource=str(body.get("resource_name") or ""),
        event=event,
        goods_out_id=_id(record, "id"),
        reference=str(record.get("reference") or "")[:50],
        account_id=_integer(record.get("account_id")),
        status=_status_code(record) or EVENT_STATUS.get(event, ""),
        updated_at=_aware_time(record.get("updated_at")),
    )


def webhook_receive(
    *, tenant: Tenant, headers: Mapping[str, str], raw_body: bytes
) -> WebhookReceived:
    """Check and keep one delivery and act on the order it concerns; a repeat only counts.

    ``headers`` must look names up case-insensitively, as Django's ``request.headers`` does.
    """
    if headers.get("X-ClarusWMS-Subdomain", "") != tenant.subdomain:
        raise WebhookRefused(403, "X-ClarusWMS-Subdomain does not name this tenant.")
    if not headers.get("X-ClarusWMS-Automation-ID"):
        raise WebhookRefused(403, "X-ClarusWMS-Automation-ID is missing.")
    body = webhook_body(raw_body)
    automation_id = headers["X-ClarusWMS-Automation-ID"]
    fingerprint = hashlib.sha256(automation_id.encode() + b"\0" + raw_body).hexdigest()
    news = goods_out_news(body)
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    # Kept and acted on in one transaction: a delivery is never kept without its effect, which
    # a repeat (seen by its fingerprint) would then never bring.
    with transaction.atomic():
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    tenant=tenant,
                    fingerprint=fingerprint,
                    automation_id=automation_id[:100],
                    event=news.event,
                    goods_out_id=news.goods_out_id,
                    headers=kept,
                    body=body,
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
        WebhookDelivery.objects.filter(tenant=tenant, fingerprint=fingerprint).update(
            repeats=F("repeats") + 1
        )
        delivery = WebhookDelivery.objects.get(tenant=tenant, fingerprint=fingerprint)
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
    if order.status in (OrderStatus.SENDING, OrderStatus.UNKNOWN):
        return True
    return (
        order.status == OrderStatus.FAILED
        and order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER).exists()
    )


def _act_on_order(order: Order, delivery: WebhookDelivery, news: GoodsOutNews) -> None:
    """Adopt, cancel and report, on the order's locked row."""
    automation = f"Clarus Automation {delivery.automation_id}"
    if order.clarus_id is None and news.goods_out_id is not None and _adoptable(order):
        _adopt(order, goods_out_id=news.goods_out_id, event=news.event, automation=automation)
    if news.cancelled and order.status == OrderStatus.SENT:
        reason = (
            f"Cancelled in Clarus: the “{news.event or 'webhook'}” event of {automation} says "
            f"goods-out {order.clarus_id} is cancelled."
        )
        transition(order, OrderStatus.CANCELLED, user=None, actor=ACTOR, reason=reason)
        order.save(update_fields=["status", "status_note", "updated_at"])
    if delivery.status:
        _report(order, delivery)


def _adoptable(order: Order) -> bool:
    lease_free = order.lease_until is None or order.lease_until < timezone.now()
    return order.status in ADOPTABLE and lease_free


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
    goods_out_adopt(order, goods_out_id=goods_out_id, user=None, actor=ACTOR, reason=reason)


def _report(order: Order, delivery: WebhookDelivery) -> None:
    """Make the delivery the order's newest Clarus status, unless an earlier one is newer."""
    current = WebhookStatus.objects.select_related("delivery").filter(order=order).first()
    if current is not None and not _newer(delivery, than=current.delivery):
        return
    WebhookStatus.objects.update_or_create(order=order, defaults={"delivery": delivery})


def _newer(delivery: WebhookDelivery, *, than: WebhookDelivery) -> bool:
    """Return whether ``delivery`` tells of a later moment; a tie keeps the one told first."""

    def moment(each: WebhookDelivery) -> tuple[datetime, int]:
        return (each.happened_at, EVENT_STAGE.get(each.event, 1))

    return moment(delivery) > moment(than)


def _happened_at(updated_at: datetime | None) -> datetime:
    """Return when the change happened: the record's time, unless absent or too far ahead."""
    now = timezone.now()
    if updated_at is None or updated_at > now + FUTURE_SKEW:
        return now
    return updated_at


def _status_code(record: Mapping[str, Any]) -> str:
    status = record.get("goods_out_status")
    if isinstance(status, dict) and status.get("code"):
        return str(status["code"]).upper()[:50]
    status_id = _id(record, "goods_out_status_id")
    if status_id is None:
        return ""
    return STATUS_CODES.get(status_id, str(status_id))


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _id(record: Mapping[str, Any], name: str) -> int | None:
    """Return the id under ``name``, None if there is none; refuse one no column can hold."""
    value = record.get(name)
    if value is None:
        return None
    number = id_from_json(value)
    if number is None:
        raise WebhookRefused(400, f"{name} is not an id: a whole number of 1 to 19 digits.")
    return number


def _aware_time(value: Any) -> datetime | None:
    """Return an ISO 8601 time with its zone; a time without one cannot be ordered safely.

    Refuse one that is no time in UTC (9999-12-31T23:00-05:00 is after the calendar ends).
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if not timezone.is_aware(moment):
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:
        raise WebhookRefused(400, "updated_at is outside the calendar in UTC.") from exc
