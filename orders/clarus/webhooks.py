"""Reading a Clarus Automations webhook for goods-outs (CONTRACT.md §5).

Clarus signs nothing: it sends identifying ``X-ClarusWMS-*`` headers, and the desk adds an
unguessable secret to the address it gives Clarus. Clarus documents neither the payload schema
nor the delivery order, so the record is accepted flat under ``data``, under ``data.attributes``
as REST answers are shaped, or at the top; and a change's moment is the record's ``updated_at``.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from orders.domain import GoodsOutNews
from orders.inputs import JsonRefused, id_from_json, json_strict_loads

KEPT_HEADERS = (
    "X-ClarusWMS-Domain",
    "X-ClarusWMS-API-Domain",
    "X-ClarusWMS-Subdomain",
    "X-ClarusWMS-Automation-ID",
    "X-ClarusWMS-Integration-ID",
)
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


# A delivery's body is at most this long: a goods-out record with hundreds of lines is a small
# part of it. The view refuses a longer one before reading it.
MAX_BODY_BYTES = 1024 * 1024


class DeliveryUnreadable(Exception):
    """A delivery not Clarus's for this tenant (``forbidden``), too long (``too_large``), or
    whose body the desk does not take (``bad_body``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Delivered:
    """One delivery as read: who sent it, its fingerprint, what to keep, what it says."""

    automation_id: str
    # The same automation posting the same body again is the same delivery.
    fingerprint: str
    kept_headers: dict[str, str]
    body: dict[str, Any]
    news: GoodsOutNews


def delivery_read(*, subdomain: str, headers: Mapping[str, str], raw_body: bytes) -> Delivered:
    """Check a delivery's headers and read its body; raise DeliveryUnreadable if unusable.

    ``headers`` must look names up case-insensitively, as Django's ``request.headers`` does.
    """
    if headers.get("X-ClarusWMS-Subdomain", "") != subdomain:
        raise DeliveryUnreadable("forbidden", "X-ClarusWMS-Subdomain does not name this tenant.")
    if not headers.get("X-ClarusWMS-Automation-ID"):
        raise DeliveryUnreadable("forbidden", "X-ClarusWMS-Automation-ID is missing.")
    body = webhook_body(raw_body)
    automation_id = headers["X-ClarusWMS-Automation-ID"]
    return Delivered(
        automation_id=automation_id,
        fingerprint=hashlib.sha256(automation_id.encode() + b"\0" + raw_body).hexdigest(),
        kept_headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
        body=body,
        news=goods_out_news(body),
    )


def webhook_body(raw_body: bytes) -> dict[str, Any]:
    """Return a delivery's body as a JSON object, read strictly; raise DeliveryUnreadable if not.

    No NaN or Infinity, no nesting deeper than a record's, and no NUL in its text, which
    PostgreSQL cannot store (``orders.inputs.json_strict_loads``).
    """
    if len(raw_body) > MAX_BODY_BYTES:
        raise DeliveryUnreadable("too_large", f"The body is longer than {MAX_BODY_BYTES} bytes.")
    try:
        body = json_strict_loads(raw_body)
    except JsonRefused as refused:
        raise DeliveryUnreadable("bad_body", f"The body is refused: {refused}.") from refused
    if not isinstance(body, dict):
        raise DeliveryUnreadable("bad_body", "The body is not a JSON object.")
    return body


def goods_out_news(body: dict[str, Any]) -> GoodsOutNews:
    """Read a delivery's body: the record under ``data`` (flat, or JSON:API ``attributes``).

    Raise DeliveryUnreadable if an id or time in it is not one the desk can keep.
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
    resource = str(body.get("resource_name") or "")
    status = _status_code(record) or EVENT_STATUS.get(event, "")
    return GoodsOutNews(
        event=event,
        goods_out_id=_id(record, "id"),
        reference=str(record.get("reference") or "")[:50],
        # Clarus: account_id, CONTRACT.md §2.3, §5.
        account_id=_integer(record.get("account_id")),
        status=status,
        updated_at=_aware_time(record.get("updated_at")),
        # An automation on another resource (a pick list's `completed`, CONTRACT.md §5) posted
        # to this address must not touch orders; a body that names no resource is taken as the
        # goods-out automation the address was given for.
        about_goods_out=resource in ("", GOODS_OUT),
        cancelled=event == "cancelled" or status == CANCELLED,
    )


def event_stage(event: str) -> int:
    """Return how far on in a goods-out's life an event is (a tie-break between two reports)."""
    return EVENT_STAGE.get(event, 1)


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
        raise DeliveryUnreadable(
            "bad_body", f"{name} is not an id: a whole number of 1 to 19 digits."
        )
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
        raise DeliveryUnreadable("bad_body", "updated_at is outside the calendar in UTC.") from exc
