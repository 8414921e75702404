"""Keying an order: save what the agent typed, once per form, then hand it to delivery.

The order is saved before Clarus is called, so whatever happens on the wire the agent's work is
kept (see ``orders.services.delivery`` for how it then reaches Clarus exactly once).
"""

import uuid

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from orders import audit, states
from orders.clarus import Transport
from orders.clarus.documents import address_attributes, header_attributes
from orders.domain import KeyedOrder, contact_columns
from orders.log_context import log_note
from orders.models import Order, OrderLine, OrderStatus
from orders.permissions import order_may_correct_by_form
from orders.selectors.orders import order_duplicate_of
from orders.selectors.tenants import membership_list_for_user
from orders.services.approvals import order_hold_if_ruled
from orders.services.delivery import SubmitResult, already_message, deliver


class DuplicateReference(Exception):
    """The tenant already has an order with this reference."""

    def __init__(self, earlier: Order) -> None:
        super().__init__(f"Reference {earlier.reference} is already used.")
        self.earlier = earlier


def _store_keyed_order(order: Order, keyed: KeyedOrder, *, user: User) -> None:
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
    first = order.pk is None
    if first:
        order.keying_started_at = keyed.keying_started_at
        order.save()
    reason = "Keyed by the agent." if first else f"Corrected by {user.get_username()}."
    audit.order_transition(order, OrderStatus.DRAFT, by=audit.Actor.of(user), reason=reason)
    if first:
        # Just written: only what the transition changed, and no lines to replace yet.
        order.save(update_fields=["status", "status_note", "updated_at"])
    else:
        order.save()
        order.lines.all().delete()
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            product_id=line.product_id,
            quantity=line.quantity,
            product_code=line.product_code,
            description=line.description,
        )
        for position, line in enumerate(keyed.lines, start=1)
    )


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
    DuplicateReference if another order of the tenant has the reference.
    """
    reference = keyed.header.reference.strip()
    try:
        with transaction.atomic():
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
            earlier = order_duplicate_of(
                tenant=keyed.tenant, reference=reference, form_token=form_token
            )
            if earlier is not None:
                raise DuplicateReference(earlier)
            _store_keyed_order(order, keyed, user=user)
            # An approval rule of the tenant may hold it for a supervisor instead of sending it.
            held = order_hold_if_ruled(order, keyed, user=user)
    except IntegrityError:
        # Another request won the race: with the same form (it sends the order) or with the
        # same reference on another form.
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
    return deliver(order.pk, by=audit.Actor.of(user), transport=transport)


def order_resend(*, order: Order, user: User, transport: Transport | None = None) -> SubmitResult:
    """Send a stored order that did not reach Clarus again, as it was keyed.

    If an earlier try may have arrived, Clarus is asked first (see ``deliver``).
    """
    return deliver(order.pk, by=audit.Actor.of(user), transport=transport)
