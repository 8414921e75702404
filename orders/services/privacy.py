"""Removing callers' personal data: after the tenant's retention period, or when a person asks.

Redaction replaces the personal values of an order settled with Clarus (``states.SETTLED``) by
``MARKER`` wherever the desk keeps them: the order's delivery address, contact columns, delivery
and order notes and end-customer label; every request to Clarus and answer stored for it
(attempts, amendments, the delivery-address save and its attempts, Clarus's webhooks); Clarus's
words in its transitions. The reference, Clarus's id, lines, times, statuses and who keyed it
stay, so the audit still says who sent what when. It is the one write the append-only records
ever take (``audit.append_only_released``), and it is recorded on the order's trail with who and
why. Redacting an order twice does nothing the second time.

The worker's sweep (``personal_data_sweep``) redacts in batches of ``BATCH_SIZE`` orders, one
transaction each, skipping rows someone holds (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), one
batch per tenant in turn, so no tenant waits behind another's backlog and no lock is held for
long. See docs/personal-data.md.
"""

import calendar
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone

from orders import states
from orders.audit import (
    RETENTION,
    Actor,
    append_only_released,
    personal_data_removed_record,
)
from orders.clarus.redaction import CLARUS_PERSONAL_KEYS, MARKER, Redactor
from orders.domain import DeliveryAddress
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    Draft,
    Order,
    OrderAmendment,
    OrderTransition,
    SubmissionAttempt,
    Tenant,
    WebhookDelivery,
)
from orders.selectors.privacy import Person, person_drafts, person_orders

BATCH_SIZE = 200
# The desk's own words for an address (an amendment's before and after, a draft's form).
DESK_PERSONAL_KEYS = frozenset(
    each.name for each in fields(DeliveryAddress) if each.name != "country"
) | frozenset({"delivery_notes", "order_notes"})
# The label the agent saw beside the end customer they picked: it may be a person's name.
PERSONAL_LABELS = ("customer_id",)


# What a supervisor does about an order that stands in the way of erasing its caller, by status.
SETTLE_ADVICE: dict[str, str] = {
    states.HELD: "awaiting approval: approve it, or refuse it and then withdraw it",
    states.DECLINED: "not approved: withdraw it, or correct it and send it again",
    states.FAILED: "not sent: send it again, or withdraw it",
    states.DRAFT: "not sent yet: wait for it to be sent and for Clarus's answer",
}
SETTLE_ADVICE_OTHERWISE = "on its way to Clarus: wait for Clarus's answer"


class ErasureRefused(Exception):
    """Some of the person's orders are not settled with Clarus yet: nothing was erased."""

    def __init__(self, unsettled: Sequence[tuple[str, str]]) -> None:
        """``unsettled``: each order's reference and status."""
        self.references = [reference for reference, _status in unsettled]
        advice = "; ".join(
            f"{reference} is {SETTLE_ADVICE.get(status, SETTLE_ADVICE_OTHERWISE)}"
            for reference, status in unsettled
        )
        super().__init__(
            "Not erased: nothing was changed, because some of their orders are not settled with "
            f"Clarus yet. {advice}. Then erase again."
        )


def months_before(moment: datetime, months: int) -> datetime:
    """Return ``moment`` the given number of calendar months earlier (the 31st → the last day)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _redactors(
    order: Order,
    attempts: Iterable[SubmissionAttempt],
    amendments: Iterable[OrderAmendment],
    saves: Iterable[AddressSaveAttempt],
) -> tuple[Redactor, Redactor]:
    """Return the redactors for one order: Clarus's words and the desk's, both knowing every
    personal value the order's records hold by key."""
    clarus = Redactor(keys=CLARUS_PERSONAL_KEYS)
    desk = Redactor(keys=DESK_PERSONAL_KEYS)
    values = clarus.collected(order.address) | clarus.collected(order.header)
    values |= {order.contact_email, order.contact_phone, order.contact_name, order.postcode}
    for label in PERSONAL_LABELS:
        picked = order.labels.get(label) if isinstance(order.labels, dict) else None
        if isinstance(picked, dict):
            values |= {str(each) for each in picked.values() if isinstance(each, str)}
    for attempt in attempts:
        values |= clarus.collected_from_text(attempt.request_body)
        values |= clarus.collected_from_text(attempt.response_body)
    for amendment in amendments:
        values |= clarus.collected(amendment.document)
        values |= desk.collected(amendment.before) | desk.collected(amendment.after)
    for save_attempt in saves:
        values |= clarus.collected_from_text(save_attempt.request_body)
    values.discard(MARKER)
    values.discard("")
    return (
        Redactor(keys=CLARUS_PERSONAL_KEYS, values=values),
        Redactor(keys=DESK_PERSONAL_KEYS, values=values),
    )


def _grouped[T](rows: Iterable[T], key: str) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def _rows_update(rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write the named columns of each row back, one UPDATE per row sent as one batch.

    Not ``bulk_update``: its CASE over every row's id makes the database compare each row with
    every other (a 500-order batch took seconds, bench/README.md); and not ``save()``, which the
    append-only records refuse.
    """
    if not rows:
        return
    model = type(rows[0])
    columns = [model._meta.get_field(name) for name in names]
    fields_ = [column for column in columns if isinstance(column, models.Field)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(column.column))} = %s" for column in fields_)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"
    params = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for column in fields_]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _orders_redact(orders: Sequence[Order], *, by: Actor, reason: str) -> int:
    """Redact the given orders, locked by the caller inside ``append_only_released``."""
    if not orders:
        return 0
    now = timezone.now()
    ids = [order.pk for order in orders]
    attempts = _grouped(SubmissionAttempt.objects.filter(order_id__in=ids), "order_id")
    amendments = _grouped(OrderAmendment.objects.filter(order_id__in=ids), "order_id")
    saves = {save.order_id: save for save in AddressSave.objects.filter(order_id__in=ids)}
    save_attempts = _grouped(
        AddressSaveAttempt.objects.filter(address_save__order_id__in=ids), "address_save_id"
    )
    transitions = _grouped(OrderTransition.objects.filter(order_id__in=ids), "order_id")
    webhooks = _grouped(WebhookDelivery.objects.filter(order_id__in=ids), "order_id")

    changed_attempts: list[SubmissionAttempt] = []
    changed_amendments: list[OrderAmendment] = []
    changed_saves: list[AddressSave] = []
    changed_save_attempts: list[AddressSaveAttempt] = []
    changed_transitions: list[OrderTransition] = []
    changed_webhooks: list[WebhookDelivery] = []
    for order in orders:
        save = saves.get(order.pk)
        own_save_attempts = save_attempts.get(save.pk, []) if save else []
        clarus, desk = _redactors(
            order, attempts.get(order.pk, []), amendments.get(order.pk, []), own_save_attempts
        )
        order.address = clarus.json(order.address)
        order.header = clarus.json(order.header)
        labels = dict(order.labels) if isinstance(order.labels, dict) else {}
        for label in PERSONAL_LABELS:
            if isinstance(labels.get(label), dict):
                labels[label] = dict.fromkeys(labels[label], MARKER)
        order.labels = clarus.json(labels)
        order.status_note = clarus.string(order.status_note)
        order.contact_name = order.contact_email = order.contact_phone = order.postcode = ""
        order.personal_data_removed_at = now
        for attempt in attempts.get(order.pk, []):
            before = (attempt.request_body, attempt.response_body, attempt.error)
            attempt.request_body = clarus.text(attempt.request_body)
            attempt.response_body = clarus.text(attempt.response_body)
            attempt.error = clarus.string(attempt.error)
            if (attempt.request_body, attempt.response_body, attempt.error) != before:
                changed_attempts.append(attempt)
        for amendment in amendments.get(order.pk, []):
            amendment.before = desk.json(amendment.before)
            amendment.after = desk.json(amendment.after)
            amendment.document = clarus.json(amendment.document)
            amendment.note = clarus.string(amendment.note)
            changed_amendments.append(amendment)
        if save is not None:
            save.note = clarus.string(save.note)
            changed_saves.append(save)
        for save_attempt in own_save_attempts:
            before = (save_attempt.request_body, save_attempt.response_body, save_attempt.error)
            save_attempt.request_body = clarus.text(save_attempt.request_body)
            save_attempt.response_body = clarus.text(save_attempt.response_body)
            save_attempt.error = clarus.string(save_attempt.error)
            if (
                save_attempt.request_body,
                save_attempt.response_body,
                save_attempt.error,
            ) != before:
                changed_save_attempts.append(save_attempt)
        for step in transitions.get(order.pk, []):
            reason_redacted = clarus.string(step.reason)
            if reason_redacted != step.reason:
                step.reason = reason_redacted
                changed_transitions.append(step)
        for delivery in webhooks.get(order.pk, []):
            delivery.body = clarus.json(delivery.body)
            changed_webhooks.append(delivery)

    _rows_update(
        orders,
        [
            "address",
            "header",
            "labels",
            "status_note",
            "contact_name",
            "contact_email",
            "contact_phone",
            "postcode",
            "personal_data_removed_at",
        ],
    )
    _rows_update(changed_attempts, ["request_body", "response_body", "error"])
    _rows_update(changed_amendments, ["before", "after", "document", "note"])
    _rows_update(changed_saves, ["note"])
    _rows_update(changed_save_attempts, ["request_body", "response_body", "error"])
    _rows_update(changed_transitions, ["reason"])
    _rows_update(changed_webhooks, ["body"])
    # A draft left behind by a race with its order's sending (docs/drafts.md) holds the same.
    Draft.objects.filter(form_token__in=[order.form_token for order in orders]).delete()
    personal_data_removed_record(orders, by=by, reason=reason, at=now)
    return len(orders)


def retention_batch_redact(
    *, tenant_id: int, before: datetime, reason: str, batch_size: int = BATCH_SIZE
) -> int:
    """Redact one batch of the tenant's settled orders keyed before ``before``, oldest first,
    in one short transaction; return how many. Orders someone else holds are left for later."""
    with append_only_released():
        orders = list(
            Order.objects.filter(
                tenant_id=tenant_id,
                created_at__lt=before,
                personal_data_removed_at__isnull=True,
                status__in=states.SETTLED,
            )
            .order_by("created_at")
            .select_for_update(skip_locked=True, of=("self",))[:batch_size]
        )
        return _orders_redact(orders, by=RETENTION, reason=reason)


def personal_data_sweep(
    *, stop_at: datetime | None = None, now: datetime | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Redact the expired orders of every tenant with a retention period; return how many.

    One batch per tenant in turn (round robin), so a tenant with a large backlog never holds up
    another's; stops starting batches at ``stop_at``, leaving the rest to the next sweep.
    """
    now = now or timezone.now()
    periods = Tenant.objects.filter(retention_months__isnull=False).order_by("pk")
    due: deque[tuple[int, datetime, int]] = deque(
        (tenant_id, months_before(now, months), months)
        for tenant_id, months in periods.values_list("pk", "retention_months")
        if months is not None
    )
    redacted = 0
    while due and (stop_at is None or timezone.now() < stop_at):
        tenant_id, before, months = due.popleft()
        done = retention_batch_redact(
            tenant_id=tenant_id,
            before=before,
            reason=f"kept for the tenant's retention period of {months} months",
            batch_size=batch_size,
        )
        redacted += done
        if done == batch_size:
            due.append((tenant_id, before, months))
    return redacted


def person_erase(*, tenant: Tenant, person: Person, by: Actor, reason: str) -> int:
    """Remove the person's data from the tenant's orders and drafts now; return how many orders.

    Refused (``ErasureRefused``, nothing changed) while any of their orders is not settled with
    Clarus: it may still be sent, corrected or found in Clarus, which needs its address.
    """
    if not person:
        return 0
    with append_only_released():
        orders = list(person_orders(tenant=tenant, person=person).select_for_update(of=("self",)))
        unsettled = [
            (order.reference, order.status) for order in orders if order.status in states.UNSETTLED
        ]
        if unsettled:
            raise ErasureRefused(unsettled)
        pending = [order for order in orders if order.personal_data_removed_at is None]
        erased = _orders_redact(pending, by=by, reason=reason)
        drafts = person_drafts(tenant=tenant, person=person)
        Draft.objects.filter(pk__in=[draft.pk for draft in drafts]).delete()
    return erased


def tenant_retention_set(*, tenant: Tenant, months: int | None) -> Tenant:
    """Set how many months the tenant keeps callers' personal data (None: keep it)."""
    with transaction.atomic():
        Tenant.objects.filter(pk=tenant.pk).update(retention_months=months)
    tenant.retention_months = months
    return tenant
