"""Keying an order: save what the agent typed, once per form, then hand it to delivery.

The order is saved before Clarus is called, so whatever happens on the wire the agent's work is
kept (see ``orders.services.delivery`` for how it then reaches Clarus exactly once).
"""

import uuid
from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from orders import audit, states
from orders.clarus import Transport
from orders.clarus.documents import address_attributes, header_attributes
from orders.domain import KeyedOrder, contact_columns
from orders.log_context import log_note
from orders.models import ApprovalRuleVersion, Order, OrderLine, OrderStatus
from orders.permissions import order_may_correct_by_form
from orders.rows import row_update, rows_insert
from orders.selectors.approvals import approval_rules_active
from orders.selectors.orders import order_duplicate_of
from orders.selectors.submission import submission_start
from orders.selectors.tenants import membership_list_for_user
from orders.services.approvals import order_hold_if_ruled
from orders.services.delivery import (
    SubmitResult,
    already_message,
    claim_as_stored,
    deliver,
    deliver_claimed,
)
from orders.services.drafts import drafts_discard


class DuplicateReference(Exception):
    """The tenant already has an order with this reference."""

    def __init__(self, earlier: Order) -> None:
        super().__init__(f"Reference {earlier.reference} is already used.")
        self.earlier = earlier


def _keyed_columns(order: Order, keyed: KeyedOrder) -> None:
    """Set the order's columns to what the agent keyed."""
    order.tenant = keyed.tenant
    # Kept as sent: Clarus's attribute names, optional fields left out.
    order.header = header_attributes(keyed.header)
    order.address = address_attributes(keyed.address)
    order.labels = dict(keyed.labels)
    order.reference = str(order.header["reference"])
    order.account_id = int(order.header["account_id"])
    contact = contact_columns(keyed.address)
    order.postcode = contact.postcode
    order.contact_name = contact.contact_name
    order.contact_email = contact.contact_email
    order.contact_phone = contact.contact_phone
    order.next_attempt_at = None


def _lines_write(order: Order, keyed: KeyedOrder) -> list[OrderLine]:
    """Write the keyed lines in one statement; return them with their ids."""
    lines = [
        OrderLine(
            order=order,
            position=position,
            product_id=line.product_id,
            quantity=line.quantity,
            product_code=line.product_code,
            description=line.description,
        )
        for position, line in enumerate(keyed.lines, start=1)
    ]
    rows_insert(lines)
    return lines


def _store_new_order(
    order: Order, keyed: KeyedOrder, *, user: User, rules: Sequence[ApprovalRuleVersion]
) -> tuple[str | None, list[OrderLine] | None]:
    """Write a new order with its lines and its trail; return the hold's message if an approval
    rule holds it, else its lines, the order claimed for sending as it was written.

    With no rule to check (most tenants) the order is written once, claimed
    (``delivery.claim_as_stored``), and both moves of its trail in one statement.
    """
    by = audit.Actor.of(user)
    _keyed_columns(order, keyed)
    order.keying_started_at = keyed.keying_started_at
    moves = [audit.order_move(order, OrderStatus.DRAFT, by=by, reason=KEYED_REASON)]
    if not rules:
        moves.append(claim_as_stored(order, by=by))
    rows_insert([order])
    audit.transitions_record(moves)
    lines = _lines_write(order, keyed)
    if not rules:
        return None, lines
    held = order_hold_if_ruled(order, keyed, user=user, versions=rules)
    if held is not None:
        return held, None
    claimed = claim_as_stored(order, by=by)
    row_update(order, ["status", "status_note", "lease_until", "updated_at"])
    audit.transitions_record([claimed])
    return None, lines


KEYED_REASON = "Keyed by the agent."


def _store_correction(order: Order, keyed: KeyedOrder, *, user: User) -> None:
    """Write an order corrected on its own form over the one stored, lines and all."""
    _keyed_columns(order, keyed)
    reason = f"Corrected by {user.get_username()}."
    audit.order_transition(order, OrderStatus.DRAFT, by=audit.Actor.of(user), reason=reason)
    order.save()
    order.lines.all().delete()
    _lines_write(order, keyed)


def order_submit(
    *,
    form_token: uuid.UUID,
    keyed: KeyedOrder,
    user: User,
    transport: Transport | None = None,
) -> SubmitResult:
    """Save the keyed order and send it to Clarus, once per form token.

    A repeated POST of the same form (a double click, a browser resend) finds the order the first
    one saved: if that order is sent or being sent, nothing is sent again. Raises
    DuplicateReference if another order of the tenant has the reference. The form's draft, if
    one was kept, goes with the order's first write (``orders.services.drafts``).
    """
    reference = keyed.header.reference.strip()
    lines: list[OrderLine] | None = None
    try:
        with transaction.atomic():
            start = submission_start(form_token=form_token, tenant_id=keyed.tenant.pk)
            order = None
            if start.order_id is not None:
                # Sent again, or corrected: the order is read whole and held from here on.
                order = Order.objects.select_for_update().filter(form_token=form_token).first()
            if order is None:
                order = Order(form_token=form_token, created_by=user)
            elif order.status not in states.EDITABLE:
                return SubmitResult(order=order, outcome=None, message=already_message(order))
            elif order.status != OrderStatus.DRAFT and not order.can_correct:
                message = (
                    "An earlier try of this order may have reached Clarus, so it cannot be "
                    "changed now: “Send again” asks Clarus first and sends it as it was."
                )
                return SubmitResult(order=order, outcome=None, message=message)
            elif order.tenant_id != keyed.tenant.pk or not order_may_correct_by_form(
                order=order, user=user, memberships=membership_list_for_user(user=user)
            ):
                # A form token names one order: only its own people may correct it, in its tenant.
                raise PermissionDenied("You cannot correct this order.")
            # An approval rule of the tenant may hold it for a supervisor instead of sending it.
            rules = approval_rules_active(tenant_id=keyed.tenant.pk) if start.rules_active else []
            if order.pk is None:
                # A reference another order of the tenant has is refused by the unique
                # constraint as the order is written (IntegrityError, below).
                held, lines = _store_new_order(order, keyed, user=user, rules=rules)
            else:
                earlier = order_duplicate_of(
                    tenant=keyed.tenant, reference=reference, form_token=form_token
                )
                if earlier is not None:
                    raise DuplicateReference(earlier)
                _store_correction(order, keyed, user=user)
                held = order_hold_if_ruled(order, keyed, user=user, versions=rules)
            # The form's order exists now: its draft has done its work.
            drafts_discard(form_token=form_token)
    except IntegrityError:
        # Another request won the race: with the same form (it sends the order) or with the
        # same reference on another form (or an earlier order has the reference).
        order = Order.objects.filter(form_token=form_token).first()
        if order is None:
            earlier = order_duplicate_of(
                tenant=keyed.tenant, reference=reference, form_token=form_token
            )
            if earlier is None:
                raise
            raise DuplicateReference(earlier) from None
        return SubmitResult(order=order, outcome=None, message=already_message(order))
    # The request's own log line names the order it keyed.
    log_note(order_id=order.pk)
    if held is not None:
        return SubmitResult(order=order, outcome=None, message=held)
    if lines is not None:
        return deliver_claimed(order, lines, by=audit.Actor.of(user), transport=transport)
    return deliver(order.pk, by=audit.Actor.of(user), transport=transport)


def order_resend(*, order: Order, user: User, transport: Transport | None = None) -> SubmitResult:
    """Send a stored order that did not reach Clarus again, as it was keyed.

    If an earlier try may have arrived, Clarus is asked first (see ``deliver``).
    """
    return deliver(order.pk, by=audit.Actor.of(user), transport=transport)
