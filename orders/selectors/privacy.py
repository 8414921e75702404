"""Everything the desk holds about one person, found by their email or phone, in one tenant.

A person is who an order was delivered to: their email (exact, any case) or phone (its digits, in
any UK form, as the history searches: ``selectors.history.phone_forms``), read through the
order's ``(tenant, contact_email)`` and ``(tenant, contact_phone)`` indexes. Their orders bring
their records with them: the order as keyed, its transitions, every request to Clarus and its
answer, its amendments, its delivery-address save and its webhooks. Drafts are matched on the
same two fields. Only the supervisor's own tenant is ever read. See docs/personal-data.md.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from orders import states
from orders.clarus.documents import ADDRESS_ATTRIBUTES
from orders.domain import phone_digits
from orders.models import AddressSave, Draft, Order, Tenant
from orders.selectors.history import phone_forms
from orders.spreadsheets import spreadsheet_safe

# Fewer digits than this is no phone number: it would find half the tenant.
MIN_PHONE_DIGITS = 6
MAX_EMAIL = 254


@dataclass(frozen=True)
class Person:
    """Who is asked about: a normalised email, phone digits, or both (either matches)."""

    email: str = ""
    phone: str = ""

    @classmethod
    def of(cls, *, email: str = "", phone: str = "") -> "Person":
        digits = phone_digits(phone)
        return cls(
            email=email.strip().lower()[:MAX_EMAIL],
            phone=digits if len(digits) >= MIN_PHONE_DIGITS else "",
        )

    def __bool__(self) -> bool:
        return bool(self.email or self.phone)


def person_orders(*, tenant: Tenant, person: Person) -> QuerySet[Order]:
    """Return the tenant's orders delivered to the person (none for an empty ``person``)."""
    condition = Q(pk__in=[])
    if person.email:
        condition |= Q(contact_email=person.email)
    if person.phone:
        condition |= Q(contact_phone__in=phone_forms(person.phone))
    return Order.objects.filter(condition, tenant=tenant).order_by("-created_at", "-id")


def retention_due_count(*, tenant: Tenant, before: datetime) -> int:
    """Return how many of the tenant's settled orders keyed before ``before`` still hold personal
    data: what the next sweep removes for a retention period that reaches back to ``before``."""
    return Order.objects.filter(
        tenant=tenant,
        created_at__lt=before,
        personal_data_removed_at__isnull=True,
        status__in=states.SETTLED,
    ).count()


def _first(form_data: dict[str, Any], name: str) -> str:
    values = form_data.get(name)
    if isinstance(values, list) and values and isinstance(values[0], str):
        return values[0]
    return values if isinstance(values, str) else ""


def draft_is_of(draft: Draft, person: Person) -> bool:
    data = draft.form_data if isinstance(draft.form_data, dict) else {}
    email = _first(data, "delivery_email").strip().lower()
    digits = phone_digits(_first(data, "delivery_phone"))
    return bool(
        (person.email and email == person.email)
        or (person.phone and digits and digits in phone_forms(person.phone))
    )


def person_drafts(*, tenant: Tenant, person: Person) -> list[Draft]:
    """Return the tenant's drafts addressed to the person.

    Drafts live at most DESK_DRAFT_DAYS (the worker purges the rest), so a tenant's are few and
    are read whole.
    """
    if not person:
        return []
    return [
        draft
        for draft in Draft.objects.filter(tenant=tenant).order_by("-updated_at", "-id")
        if draft_is_of(draft, person)
    ]


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _body(text: str) -> Any:
    """Return a stored body as JSON when it is JSON, else as the text it is."""
    try:
        return json.loads(text) if text else text
    except ValueError:
        return text


def _order_record(order: Order) -> dict[str, Any]:
    attempts = [
        {
            "started_at": _when(attempt.started_at),
            "method": attempt.method,
            "url": attempt.url,
            "outcome": attempt.outcome,
            "answer_status": attempt.response_status,
            "request_body": _body(attempt.request_body),
            "answer_body": _body(attempt.response_body),
            "error": attempt.error,
        }
        for attempt in order.attempts.all().order_by("started_at", "id")
    ]
    record: dict[str, Any] = {
        "reference": order.reference,
        "created_at": _when(order.created_at),
        "keyed_by": order.created_by.get_username(),
        "status": order.status,
        "clarus_id": order.clarus_id,
        "personal_data_removed_at": _when(order.personal_data_removed_at),
        "header": order.header,
        "delivery_address": order.address,
        "labels": order.labels,
        "lines": [
            {
                "product_id": line.product_id,
                "product_code": line.product_code,
                "description": line.description,
                "quantity": format(line.quantity, "f"),
            }
            for line in order.lines.all()
        ],
        "history": [
            {
                "at": _when(step.at),
                "from": step.from_status,
                "to": step.to_status,
                "by": step.actor,
                "reason": step.reason,
            }
            for step in order.transitions.all()
        ],
        "requests_to_clarus": attempts,
        "amendments": [
            {
                "created_at": _when(amendment.created_at),
                "status": amendment.status,
                "before": amendment.before,
                "after": amendment.after,
                "request_body": amendment.document,
                "note": amendment.note,
            }
            for amendment in order.amendments.all()
        ],
        "clarus_webhooks": [
            {"received_at": _when(delivery.received_at), "body": delivery.body}
            for delivery in order.webhook_deliveries.all()
        ],
    }
    try:
        save: AddressSave | None = order.address_save
    except AddressSave.DoesNotExist:
        save = None
    if save is not None:
        record["address_saved_in_clarus"] = {
            "status": save.status,
            "code": save.code,
            "note": save.note,
            "requests": [
                {
                    "started_at": _when(attempt.started_at),
                    "outcome": attempt.outcome,
                    "request_body": _body(attempt.request_body),
                    "answer_body": _body(attempt.response_body),
                    "error": attempt.error,
                }
                for attempt in save.attempts.all().order_by("started_at", "id")
            ],
        }
    return record


def person_record(*, tenant: Tenant, person: Person, at: datetime) -> dict[str, Any]:
    """Return everything the tenant's desk holds about the person, as JSON-safe data."""
    orders = (
        person_orders(tenant=tenant, person=person)
        .select_related("created_by")
        .prefetch_related("lines", "transitions", "amendments", "webhook_deliveries")
    )
    return {
        "tenant": tenant.name,
        "asked_for": {"email": person.email, "phone": person.phone},
        "made_at": at.isoformat(),
        "orders": [_order_record(order) for order in orders],
        "drafts": [
            {
                "created_at": _when(draft.created_at),
                "updated_at": _when(draft.updated_at),
                "form": draft.form_data,
            }
            for draft in person_drafts(tenant=tenant, person=person)
        ],
    }


def person_summary(*, tenant: Tenant, person: Person) -> tuple[list[Order], list[Draft]]:
    """Return the person's orders (newest first, at most 200 shown) and drafts, for the page."""
    orders = list(person_orders(tenant=tenant, person=person).select_related("created_by")[:200])
    return orders, person_drafts(tenant=tenant, person=person)


ORDER_COLUMNS = ("reference", "created_at", "status", "clarus_id")
# The delivery address as stored: in Clarus's attribute names.
ADDRESS_COLUMNS = tuple(ADDRESS_ATTRIBUTES.values())


def _cell(value: Any) -> str:
    # The same care as the history's export: a formula after a separator is not run either.
    return spreadsheet_safe("" if value is None else str(value))


def person_file(record: dict[str, Any]) -> bytes:
    """Return the subject-access file: a zip of the whole record as JSON and the orders as CSV."""
    orders_csv = io.StringIO()
    writer = csv.writer(orders_csv)
    writer.writerow(ORDER_COLUMNS + ADDRESS_COLUMNS)
    for order in record["orders"]:
        address = order["delivery_address"] if isinstance(order["delivery_address"], dict) else {}
        row = [order.get(column, "") for column in ORDER_COLUMNS]
        row += [address.get(column, "") for column in ADDRESS_COLUMNS]
        writer.writerow([_cell(value) for value in row])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", json.dumps(record, indent=2, ensure_ascii=False))
        archive.writestr("orders.csv", orders_csv.getvalue())
    return buffer.getvalue()
