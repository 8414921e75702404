"""Amending a sent order in Clarus, exactly once, and never over someone else's change.

The amend form is filled from the goods-out as Clarus holds it (``order_amend_open``: a GraphQL
read, whose version the form carries). Sending (``order_amend``):

1. **Claim** the order under a row lock: it is sent, nobody else is sending an amendment of it (a
   lease, as delivery's), no earlier amendment waits for an answer, and the version the form was
   filled from is the one the desk last knew. Else the agent is told so, and nothing is sent.
2. **Read Clarus again**: if the goods-out is not as the form was filled (someone changed it in
   Clarus, or another desk amendment landed), nothing is sent: a conflict.
3. **Send** the PATCH; every exchange is an attempt of the order. Applied: the order's lines,
   header and address become the amended ones, with Clarus's line ids. Refused (422, 404): nothing
   changes on the desk. No answer: the amendment is ``unknown`` and **reconciled**: Clarus is read
   again and compared with what the amendment would produce: the same, it is adopted (applied); as
   before, and the request has surely settled (a lease after it), it is sent again; neither, the
   agent is asked (abandoned: they amend again from what Clarus now holds). Clarus documents no
   idempotency key (CONTRACT.md §3.5), and an ADD sent twice would add two lines: nothing is sent
   again blindly.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from orders import audit, states
from orders.clarus import ClarusExchange, ClarusQueryError, Transport
from orders.clarus.amendments import amendment_document, document_applied, standing_matches
from orders.clarus.documents import (
    address_attributes,
    header_attributes,
    stored_address,
    stored_header,
)
from orders.clarus.goods_outs import AmendAnswer, goods_out_amend, goods_out_read
from orders.domain import (
    AmendmentKind,
    GoodsOutRead,
    Refusal,
    StandingLine,
    StandingOrder,
    amendment_between,
    contact_columns,
    standing_from_json,
    standing_json,
)
from orders.models import AmendmentStatus, AttemptOutcome, Order, OrderAmendment, OrderLine
from orders.services.delivery import lease_length

CHANGED_SINCE_OPENED = (
    "The order changed since you opened it: nothing was sent. Open it again to see it as it "
    "stands now, then make your change."
)


@dataclass(frozen=True)
class AmendOpen:
    """The goods-out as Clarus holds it, to fill the amend form; or why it cannot be had."""

    read: GoodsOutRead | None
    problem: str = ""


@dataclass(frozen=True)
class AmendResult:
    """What became of an amendment, for the page to show."""

    applied: bool
    message: str
    refusals: Sequence[Refusal] = ()
    # Not sent: the order changed since the form was opened, or someone else is amending it.
    conflict: bool = False
    # An amendment waits on Clarus's answer: "Check with Clarus" decides it.
    waiting: bool = False
    amendment: OrderAmendment | None = None


def _dispatch_hint(order: Order) -> Any:
    return standing_order_of(order).header.expected_date_of_dispatch


def standing_order_of(order: Order) -> StandingOrder:
    """Return the order as the desk last knew it in Clarus (its stored header, address, lines)."""
    return StandingOrder(
        header=stored_header(order.header),
        address=stored_address(order.address),
        lines=tuple(
            StandingLine(
                line.clarus_line_id,
                line.product_id,
                line.quantity,
                line.product_code,
                line.description,
            )
            for line in order.lines.all()
        ),
    )


def _read(order: Order, *, transport: Transport | None, hint: Any = None) -> GoodsOutRead | None:
    assert order.clarus_id is not None
    return goods_out_read(
        tenant=order.tenant,
        goods_out_id=order.clarus_id,
        reference=order.reference,
        dispatch_hint=hint if hint is not None else _dispatch_hint(order),
        transport=transport,
    )


# A redacted order's address is gone (docs/personal-data.md): nothing of it may be sent again.
REDACTED_REFUSAL = (
    "This order's personal data was removed, so it can no longer be amended here: change it "
    "in Clarus."
)


def order_amend_open(*, order: Order, transport: Transport | None = None) -> AmendOpen:
    """Read the order's goods-out from Clarus to amend it; keep Clarus's line ids on its lines
    and the version read, unless an amendment is being sent right now."""
    if not states.amendable(order.status) or order.clarus_id is None:
        return AmendOpen(None, "Only an order Clarus has accepted can be amended.")
    if order.personal_data_removed_at is not None:
        return AmendOpen(None, REDACTED_REFUSAL)
    try:
        read = _read(order, transport=transport)
    except ClarusQueryError as exc:
        return AmendOpen(None, f"Clarus could not be asked how the order stands now ({exc}).")
    if read is None:
        return AmendOpen(None, f"Clarus has no goods-out {order.clarus_id} any more.")
    read = _with_codes(order, read)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if _lease_live(locked):
            return AmendOpen(read)
        locked.clarus_version = read.version
        locked.save(update_fields=["clarus_version", "updated_at"])
        _keep_line_ids(locked, read.standing)
    return AmendOpen(read)


def _with_codes(order: Order, read: GoodsOutRead) -> GoodsOutRead:
    """Give lines Clarus names by id alone the SKU and words the agent keyed them with."""
    keyed = {line.product_id: line for line in order.lines.all()}
    lines = tuple(
        line
        if line.product_code or line.product_id not in keyed
        else StandingLine(
            line.line_id,
            line.product_id,
            line.quantity,
            keyed[line.product_id].product_code,
            keyed[line.product_id].description,
        )
        for line in read.standing.lines
    )
    standing = StandingOrder(read.standing.header, read.standing.address, lines)
    return GoodsOutRead(read.goods_out_id, read.status, standing, read.version)


def _keep_line_ids(order: Order, standing: StandingOrder) -> None:
    """Give the order's lines Clarus's ids where they have none, matching them in order."""
    lines = list(order.lines.all())
    if len(lines) != len(standing.lines) or all(line.clarus_line_id for line in lines):
        return
    if any(
        line.product_id != clarus.product_id or line.quantity != clarus.quantity
        for line, clarus in zip(lines, standing.lines, strict=True)
    ):
        return
    for line, clarus in zip(lines, standing.lines, strict=True):
        line.clarus_line_id = clarus.line_id
    OrderLine.objects.bulk_update(lines, ["clarus_line_id"])


def _lease_live(order: Order) -> bool:
    return order.amend_lease_until is not None and order.amend_lease_until > timezone.now()


def order_amend(
    *,
    order: Order,
    user: User,
    token: uuid.UUID,
    base: GoodsOutRead,
    after: StandingOrder,
    transport: Transport | None = None,
) -> AmendResult:
    """Send the amendment that turns the goods-out as read (``base``) into ``after``, once."""
    amendment = amendment_between(base.standing, after)
    if amendment.empty:
        return AmendResult(False, "Nothing is changed yet: change a line or a field first.")
    document = amendment_document(amendment=amendment, after=after)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        earlier = locked.amendments.filter(token=token).order_by("-id").first()
        if earlier is not None and earlier.status == AmendmentStatus.APPLIED:
            return AmendResult(True, "This amendment was sent already.", amendment=earlier)
        refused = _claim_refusal(locked, base)
        if refused is not None:
            return refused
        record = OrderAmendment.objects.create(
            order=locked,
            token=token,
            created_by=user,
            base_version=base.version,
            before=standing_json(base.standing),
            after=standing_json(after),
            document=document,
        )
        locked.amend_lease_until = timezone.now() + lease_length()
        locked.save(update_fields=["amend_lease_until", "updated_at"])
    by = audit.Actor.of(user)
    try:
        current = _read(
            locked, transport=transport, hint=base.standing.header.expected_date_of_dispatch
        )
    except ClarusQueryError as exc:
        return _finish(
            record,
            AmendmentStatus.FAILED,
            f"Clarus could not be asked how the order stands ({exc}): nothing was sent. "
            "Send it again in a moment.",
        )
    if current is None or current.version != base.version:
        return _finish(record, AmendmentStatus.CONFLICT, CHANGED_SINCE_OPENED, conflict=True)
    return _send(record, by=by, transport=transport)


def _claim_refusal(order: Order, base: GoodsOutRead) -> AmendResult | None:
    """Return why the order cannot be amended now, or None; the caller holds its row."""
    if not states.amendable(order.status) or order.clarus_id is None:
        return AmendResult(False, "Only an order Clarus has accepted can be amended.")
    if order.personal_data_removed_at is not None:
        return AmendResult(False, REDACTED_REFUSAL)
    if _lease_live(order):
        return AmendResult(
            False,
            "Someone is sending an amendment of this order right now: nothing was sent. Open "
            "it again in a moment to see it as it then stands.",
            conflict=True,
        )
    pending = order.amendments.filter(
        status__in=[AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING]
    ).first()
    if pending is not None:
        return AmendResult(
            False,
            "An earlier amendment of this order got no answer from Clarus: check it with "
            "Clarus first (nothing is sent again without asking).",
            waiting=True,
            amendment=pending,
        )
    if order.clarus_version and order.clarus_version != base.version:
        return AmendResult(False, CHANGED_SINCE_OPENED, conflict=True)
    return None


def _send(record: OrderAmendment, *, by: audit.Actor, transport: Transport | None) -> AmendResult:
    """Send the amendment's request (the caller holds the order's amend lease) and settle it."""
    order = record.order
    assert order.clarus_id is not None
    exchanges, answer = goods_out_amend(
        tenant=order.tenant,
        goods_out_id=order.clarus_id,
        document=record.document,
        transport=transport,
    )
    match answer.kind:
        case AmendmentKind.APPLIED:
            _record(record, exchanges, AttemptOutcome.AMENDED, by)
            return _applied(record, answer, transport=transport)
        case AmendmentKind.REFUSED | AmendmentKind.NOT_FOUND:
            message = "Clarus refused the amendment: nothing changed. " + "; ".join(
                refusal.details for refusal in answer.refusals if refusal.target is None
            )
            _record(record, exchanges, AttemptOutcome.AMEND_REFUSED, by, message)
            result = _finish(record, AmendmentStatus.REFUSED, message.strip().rstrip(".") + ".")
            return AmendResult(False, result.message, refusals=answer.refusals, amendment=record)
        case AmendmentKind.NO_ANSWER:
            message = f"{answer.problem} Clarus may have applied the amendment."
            _record(record, exchanges, AttemptOutcome.AMEND_NO_ANSWER, by, message)
            with transaction.atomic():
                record.status = AmendmentStatus.UNKNOWN
                record.note = message[:500]
                record.save(update_fields=["status", "note"])
            return _reconcile(record, by=by, transport=transport)
    message = (
        f"{answer.problem or 'Clarus did not take the amendment.'} Nothing changed: send it again."
    )
    _record(record, exchanges, AttemptOutcome.AMEND_FAILED, by, message)
    return _finish(record, AmendmentStatus.FAILED, message)


def _record(
    record: OrderAmendment,
    exchanges: list[ClarusExchange],
    outcome: AttemptOutcome,
    by: audit.Actor,
    error: str = "",
) -> None:
    with transaction.atomic():
        for exchange in exchanges:
            audit.attempt_record(record.order, exchange, by=by, outcome=outcome, error=error)


def _finish(
    record: OrderAmendment, status: AmendmentStatus, message: str, *, conflict: bool = False
) -> AmendResult:
    """Settle an amendment that changed nothing in Clarus, and let go of the order."""
    with transaction.atomic():
        record.status = status
        record.note = message[:500]
        record.settled_at = timezone.now()
        record.save(update_fields=["status", "note", "settled_at"])
        Order.objects.filter(pk=record.order_id).update(amend_lease_until=None)
    return AmendResult(False, message, conflict=conflict, amendment=record)


def _applied(
    record: OrderAmendment,
    answer: AmendAnswer | None,
    *,
    transport: Transport | None,
    note: str = "Applied in Clarus.",
) -> AmendResult:
    """Make the amended goods-out the order's, with Clarus's line ids and its new version."""
    before = standing_from_json(record.before)
    after = standing_from_json(record.after)
    added = answer.added_line_ids if answer is not None else ()
    now = document_applied(before, record.document, added_ids=added)
    # The SKUs and words the agent saw stay with their lines.
    kept = {line.line_id: line for line in after.lines if line.line_id is not None}
    before_ids = {line.line_id for line in before.lines}
    new_lines = iter(line for line in after.lines if line.line_id is None)
    lines = []
    for line in now.lines:
        seen = kept.get(line.line_id or 0) if line.line_id in before_ids else next(new_lines, None)
        seen = seen or line
        lines.append(
            StandingLine(
                line.line_id, line.product_id, line.quantity, seen.product_code, seen.description
            )
        )
    order = record.order
    version = ""
    try:
        fresh = _read(order, transport=transport, hint=after.header.expected_date_of_dispatch)
    except ClarusQueryError:
        fresh = None
    if fresh is not None and standing_matches(fresh.standing, now):
        version = fresh.version
        if not added:
            ids = iter(line.line_id for line in fresh.standing.lines)
            lines = [StandingLine(next(ids), *_rest(line)) for line in lines]
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        _store(locked, StandingOrder(now.header, now.address, tuple(lines)))
        locked.clarus_version = version
        locked.amend_lease_until = None
        locked.save()
        applied_before = locked.amendments.filter(status=AmendmentStatus.APPLIED).count()
        record.status = AmendmentStatus.APPLIED
        record.version = applied_before + 2
        record.settled_at = timezone.now()
        record.note = note
        record.save(update_fields=["status", "version", "settled_at", "note"])
    message = f"Goods-out {order.clarus_id} amended in Clarus: version {record.version}."
    return AmendResult(True, message, amendment=record)


def _rest(line: StandingLine) -> tuple[Any, ...]:
    return (line.product_id, line.quantity, line.product_code, line.description)


def _store(order: Order, standing: StandingOrder) -> None:
    """Keep the goods-out as it now stands in Clarus as the order's own header, address, lines."""
    order.header = header_attributes(standing.header)
    order.address = address_attributes(standing.address)
    contact = contact_columns(standing.address)
    order.postcode = contact.postcode
    order.contact_name = contact.contact_name
    order.contact_email = contact.contact_email
    order.contact_phone = contact.contact_phone
    order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            product_id=line.product_id,
            quantity=line.quantity,
            product_code=line.product_code[:100],
            description=line.description[:255],
            clarus_line_id=line.line_id,
        )
        for position, line in enumerate(standing.lines, start=1)
    )


def order_amend_check(
    *, order: Order, user: User, transport: Transport | None = None
) -> AmendResult:
    """Decide an amendment that got no answer: adopt it, send it again, or ask the agent."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        record = (
            locked.amendments.filter(status__in=[AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING])
            .order_by("-id")
            .first()
        )
        if record is None:
            return AmendResult(False, "No amendment of this order is waiting for Clarus.")
        if _lease_live(locked):
            return AmendResult(
                False,
                "The amendment is being sent or checked right now: look again in a moment.",
                waiting=True,
                amendment=record,
            )
        locked.amend_lease_until = timezone.now() + lease_length()
        locked.save(update_fields=["amend_lease_until", "updated_at"])
        if record.status == AmendmentStatus.SENDING:
            # Its sender died holding the lease: its request may or may not have gone.
            record.status = AmendmentStatus.UNKNOWN
            record.save(update_fields=["status"])
    record.order = locked
    return _reconcile(record, by=audit.Actor.of(user), transport=transport)


def _reconcile(
    record: OrderAmendment, *, by: audit.Actor, transport: Transport | None
) -> AmendResult:
    """Compare Clarus's goods-out with what the amendment would make of it; adopt, resend, or
    leave it to the agent. The caller holds the order's amend lease."""
    order = record.order
    before = standing_from_json(record.before)
    after = standing_from_json(record.after)
    expected = document_applied(before, record.document)
    try:
        current = _read(order, transport=transport, hint=after.header.expected_date_of_dispatch)
    except ClarusQueryError as exc:
        return _wait(
            record, f"Clarus did not answer, and cannot be asked now ({exc}). Check again soon."
        )
    if current is None:
        return _finish(
            record,
            AmendmentStatus.ABANDONED,
            f"Clarus has no goods-out {order.clarus_id} any more: the amendment was not applied.",
        )
    if standing_matches(current.standing, expected):
        found = "Found applied in Clarus after it went unanswered: not sent again."
        return _applied(record, None, transport=transport, note=found)
    if current.version == record.base_version:
        settled = _unanswered_since(record) + lease_length()
        if timezone.now() < settled:
            return _wait(
                record,
                "Clarus did not answer and does not show the amendment yet; it may still be "
                f"applying it. Check again after {timezone.localtime(settled):%H:%M:%S}: nothing "
                "is sent again before then.",
            )
        return _send(record, by=by, transport=transport)
    return _finish(
        record,
        AmendmentStatus.ABANDONED,
        "Clarus did not answer, and its goods-out is now neither as it was nor as amended "
        "(someone else changed it): nothing was sent again. Open Amend to see it as it stands "
        "and make your change again.",
    )


def _unanswered_since(record: OrderAmendment) -> Any:
    """Return when the amendment's last request that got no answer was sent."""
    moment = (
        record.order.attempts.filter(outcome=AttemptOutcome.AMEND_NO_ANSWER)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    return moment or record.created_at


def _wait(record: OrderAmendment, message: str) -> AmendResult:
    """Leave the amendment waiting for "Check with Clarus", and let go of the order."""
    with transaction.atomic():
        record.status = AmendmentStatus.UNKNOWN
        record.note = message[:500]
        record.save(update_fields=["status", "note"])
        Order.objects.filter(pk=record.order_id).update(amend_lease_until=None)
    return AmendResult(False, message, waiting=True, amendment=record)
