"""The audit trail: every change of an order's status and every request to Clarus, written
here and read from here.

A change of status is checked against ``states.MOVES`` as it is written; a request is kept as it
went over the wire (``ClarusExchange``, credentials already redacted) and never changed after.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from orders import states
from orders.clarus import ClarusExchange
from orders.clarus.documents import readable_path
from orders.clarus.errors import refusals_in
from orders.domain import Amendment, Refusal, amendment_between, standing_from_json
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    AmendmentStatus,
    ApprovalRuleVersion,
    AttemptOutcome,
    Order,
    OrderAmendment,
    OrderHold,
    OrderTransition,
    SubmissionAttempt,
)
from orders.rows import rows_insert
from orders.states import OrderStatus

MISSING = "—"


@dataclass(frozen=True)
class Actor:
    """Who or what changed an order: a member of staff, or one of the desk's own processes."""

    user: User | None
    name: str

    @classmethod
    def of(cls, user: User) -> "Actor":
        return cls(user=user, name=user.username)


WORKER = Actor(None, "delivery worker")
RETENTION = Actor(None, "retention period")
WEBHOOK = Actor(None, "Clarus webhook")


class IllegalTransition(Exception):
    """A move of an order's status that ``states.MOVES`` does not allow."""


def order_transition(order: Order, to: OrderStatus, *, by: Actor, reason: str) -> None:
    """Move ``order`` to ``to`` and record who did it and why; the caller saves the order."""
    rows_insert([order_move(order, to, by=by, reason=reason)])


def order_move(order: Order, to: OrderStatus, *, by: Actor, reason: str) -> OrderTransition:
    """Move ``order`` to ``to`` and return the record of who did it and why, not yet written.

    For a caller that writes an order and several moves at once: it saves the order (a new one
    first, as the records name it), then writes the moves with ``transitions_record``, in the
    same transaction. Checked against ``states.MOVES`` as ``order_transition`` is.
    """
    if not states.move_allowed(order.status, to):
        raise IllegalTransition(f"An order cannot go from {order.status} to {to}.")
    transition = OrderTransition(
        order=order,
        at=timezone.now(),
        from_status=order.status,
        to_status=to,
        user=by.user,
        actor=by.name[:50],
        reason=reason[:500],
    )
    order.status = to
    order.status_note = reason[:500]
    return transition


def transitions_record(transitions: Sequence[OrderTransition]) -> None:
    """Write the moves ``order_move`` returned, in one statement, in the order they were made."""
    rows_insert(transitions)


def order_hold_record(
    order: Order, *, rule_version: ApprovalRuleVersion, why: str, at: datetime
) -> None:
    """Keep which version of an approval rule held the order when it was sent, and why."""
    OrderHold.objects.create(order=order, rule_version=rule_version, at=at, why=why[:300])


def order_holds(order: Order) -> list[OrderHold]:
    """Return every hold of the order, newest first, each with its rule's version as it stood."""
    return list(order.holds.select_related("rule_version").order_by("-at", "id"))


def attempt_record(
    order: Order,
    exchange: ClarusExchange,
    *,
    by: Actor,
    outcome: AttemptOutcome,
    error: str = "",
) -> None:
    """Keep one request to Clarus and its answer, as they were, in the audit trail."""
    rows_insert(
        [
            SubmissionAttempt(
                order=order,
                tenant_id=order.tenant_id,
                user=by.user,
                **_exchange_columns(exchange),
                outcome=outcome,
                error=error,
            )
        ]
    )


def _exchange_columns(exchange: ClarusExchange) -> dict[str, Any]:
    """Return an exchange as the columns every kept request to Clarus has, exactly as it went."""
    return {
        "started_at": exchange.started_at,
        "duration_ms": exchange.duration_ms,
        "method": exchange.method,
        "url": exchange.url,
        "request_headers": exchange.request_headers,
        "request_body": exchange.request_body,
        "response_status": exchange.status,
        "response_headers": exchange.response_headers,
        "response_body": exchange.response_body,
    }


def address_attempt_record(
    address_save: AddressSave,
    exchange: ClarusExchange,
    *,
    by: Actor,
    outcome: AttemptOutcome,
    error: str = "",
) -> None:
    """Keep one request to save a delivery address in Clarus, and its answer, as they were.

    Apart from the order's own attempts: the order's reconciliation and its corrections read
    those as tries of the goods-out, which a delivery address is not.
    """
    AddressSaveAttempt.objects.create(
        address_save=address_save,
        tenant=address_save.tenant,
        user=by.user,
        **_exchange_columns(exchange),
        outcome=outcome,
        error=error,
    )


# The transition recorded when an order's personal data is removed: the status stays as it was.
PERSONAL_DATA_REMOVED = "Personal data removed"


@contextmanager
def append_only_released() -> Iterator[None]:
    """Allow, inside one transaction, the one change the append-only records ever take: the
    redaction of a caller's personal data (``orders.services.privacy``, docs/personal-data.md).

    On PostgreSQL a trigger refuses every UPDATE or DELETE of attempts, address-save attempts and
    transitions (migration 0024) unless this transaction-local flag is on; it goes off when the
    block ends, whichever way. The models refuse ``save()`` of an existing row and
    ``delete()`` in Python whatever the flag says: redaction writes with queryset updates.
    Nothing but ``orders.services.privacy`` may use this, apart from removing whole tenants'
    data on purpose (resetting generated bench data), which says so where it does.
    """
    guarded = connection.vendor == "postgresql"
    with transaction.atomic():
        if guarded:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL desk.redacting = 'on'")
        yield
        # Off again at once: inside an outer transaction this block is a savepoint, and the
        # flag would otherwise last to the outer one's end. (On an error the rollback to the
        # savepoint undoes the SET LOCAL itself.)
        if guarded:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL desk.redacting = 'off'")


def personal_data_removed_record(
    orders: Sequence[Order], *, by: Actor, reason: str, at: datetime
) -> None:
    """Record, on each order's trail, that its personal data was removed: when, by whom, why.

    Not a move of status (``states.MOVES``): the order stays as it was.
    """
    OrderTransition.objects.bulk_create(
        OrderTransition(
            order=order,
            at=at,
            from_status=order.status,
            to_status=order.status,
            user=by.user,
            actor=by.name[:50],
            reason=f"{PERSONAL_DATA_REMOVED}: {reason}"[:500],
        )
        for order in orders
    )


def order_had_unanswered_try(order: Order) -> bool:
    """Return whether a request for the order got no answer: it may have reached Clarus."""
    return order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER).exists()


def order_unanswered_since(order: Order) -> datetime | None:
    """Return when the order's newest unanswered request was sent, or None if none was."""
    return (
        order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: str
    new: str


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def _shown(value: Any) -> str:
    return MISSING if value is None else json.dumps(value, ensure_ascii=False).strip('"')


def body_changes(old_body: str, new_body: str) -> list[FieldChange]:
    """Return the fields that differ between two request bodies, old → new, in path order.

    Paths drop the JSON:API envelope (``data.attributes.``, ``data.relationships.address.data.
    attributes.`` become nothing and ``address.``) so they read like the form's fields.
    """
    try:
        old, new = _flatten(json.loads(old_body)), _flatten(json.loads(new_body))
    except ValueError:
        return [] if old_body == new_body else [FieldChange("body", old_body, new_body)]
    changes = [
        FieldChange(readable_path(path), _shown(old.get(path)), _shown(new.get(path)))
        for path in old.keys() | new.keys()
        if old.get(path) != new.get(path) or (path in old) != (path in new)
    ]
    return sorted(changes, key=lambda change: change.path)


def attempt_refusals(attempt: SubmissionAttempt) -> list[Refusal]:
    """Return Clarus's reasons for refusing an attempt; [] if it was not refused."""
    if attempt.outcome != AttemptOutcome.REJECTED:
        return []
    return refusals_in(attempt.response_body)


def attempts_with_changes(
    newest_first: Sequence[SubmissionAttempt],
) -> list[tuple[SubmissionAttempt, list[FieldChange]]]:
    """Pair each attempt with what its request changed since the attempt before it to the same
    address: a create with the create before, an amendment with the amendment before (a create
    and an amendment are different requests, whose bodies say different things)."""
    paired = []
    for index, attempt in enumerate(newest_first):
        older = next((each for each in newest_first[index + 1 :] if each.url == attempt.url), None)
        changes = body_changes(older.request_body, attempt.request_body) if older else []
        paired.append((attempt, changes))
    return paired


@dataclass(frozen=True)
class OrderVersion:
    """One version of a sent order's goods-out: as first sent, then as each amendment left it.

    ``changes`` is what the amendment changed, line by line (None for the first version).
    """

    number: int
    at: datetime | None
    by: str
    changes: Amendment | None


def order_versions(order: Order) -> list[OrderVersion]:
    """Return the order's versions in Clarus, oldest first: as sent, then each amendment applied.

    Each amendment's change is taken from the goods-out as it was read when the amendment was
    made, to the goods-out it asked for.
    """
    if order.clarus_id is None:
        return []
    applied = order.amendments.filter(status=AmendmentStatus.APPLIED).select_related("created_by")
    return versions_from(
        order,
        keyed_by=order.created_by.get_username(),
        amendments=applied.order_by("version", "id"),
    )


def versions_from(
    order: Order, *, keyed_by: str, amendments: Iterable[OrderAmendment]
) -> list[OrderVersion]:
    """Return ``order_versions`` from amendments already read (any status, any order; each
    with its ``created_by``) and the username of who keyed the order."""
    if order.clarus_id is None:
        return []
    versions = [OrderVersion(1, order.sent_at, keyed_by, None)]
    applied = [each for each in amendments if each.status == AmendmentStatus.APPLIED]
    for amendment in sorted(
        applied, key=lambda each: (each.version is None, each.version, each.pk)
    ):
        change = amendment_between(
            standing_from_json(amendment.before), standing_from_json(amendment.after)
        )
        versions.append(
            OrderVersion(
                amendment.version or len(versions) + 1,
                amendment.settled_at,
                amendment.created_by.get_username(),
                change,
            )
        )
    return versions
