"""Saving an order's delivery address in Clarus for its end customer, once.

When the agent ticks "save for this customer", the order gets one ``AddressSave`` (a one-to-one:
a second tick, a resent form or a correction finds the same row). It is sent once the order is
sent, with the address the order went with, as its own request (CONTRACT.md §4), kept like any
other Clarus call (``audit.address_attempt_record``).

Exactly once: a save is *claimed* before it is sent (one conditional update under a row lock
moves it to ``sending`` with a lease), so two processes never send it together. Clarus documents
no idempotency key and no way to look a delivery address up (CONTRACT.md §3.5, §4), so unlike a
goods-out an unanswered request cannot be checked: the desk tries again by itself only when the
request surely did not reach Clarus (no connection, a refusal of its credentials, a 5xx or 429),
and never after a request that got no answer, or a sender that died holding one. Those end
``unknown``, and the order's page says to look for the address's code in Clarus.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from orders import audit, states
from orders.audit import Actor
from orders.clarus import Transport
from orders.clarus.delivery_addresses import (
    AddressAnswer,
    delivery_address_create,
    delivery_address_document,
)
from orders.clarus.documents import stored_address
from orders.domain import AnswerKind
from orders.models import AddressSave, AddressSaveStatus, Order, OrderStatus
from orders.services.delivery import backoff, lease_length
from orders.services.sweeps import sweep_schedule


def address_save_code(order: Order) -> str:
    """Return the code the desk gives the delivery address of an order: one per order."""
    return f"DESK-{order.pk}"


def delivery_address_request(*, order: Order, user: User, customer_id: int) -> AddressSave:
    """Ask for the order's address to be saved for ``customer_id``; at most once per order."""
    defaults = {
        "tenant": order.tenant,
        "requested_by": user,
        "customer_id": customer_id,
        "code": address_save_code(order),
        "note": "Saved in Clarus once the order is sent.",
    }
    try:
        save, _created = AddressSave.objects.get_or_create(order=order, defaults=defaults)
    except IntegrityError:
        # Another request for the same order won the race: theirs is the one.
        save = AddressSave.objects.get(order=order)
    return save


def _due() -> Q:
    now = timezone.now()
    return Q(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        status=AddressSaveStatus.WAITING,
        order__status=OrderStatus.SENT,
    )


def _claim(save_id: int) -> AddressSave | None:
    """Take the save for sending, or None if it is not due, done, or held by another."""
    with transaction.atomic():
        save = (
            AddressSave.objects.select_for_update(of=("self",))
            .filter(_due(), pk=save_id)
            .select_related("order", "tenant")
            .first()
        )
        if save is None:
            return None
        save.status = AddressSaveStatus.SENDING
        save.lease_until = timezone.now() + lease_length()
        save.note = "Being saved in Clarus."
        save.save(update_fields=["status", "lease_until", "note", "updated_at"])
    return save


def delivery_address_deliver(
    save_id: int, *, by: Actor = audit.WORKER, transport: Transport | None = None
) -> AddressSave:
    """Send one address to Clarus if it is due, once; return the save as it then stands."""
    save = _claim(save_id)
    if save is None:
        return AddressSave.objects.get(pk=save_id)
    document = delivery_address_document(
        code=save.code,
        customer_id=save.customer_id,
        address=stored_address(save.order.address),
    )
    exchanges, answers = delivery_address_create(
        tenant=save.tenant, document=document, transport=transport
    )
    with transaction.atomic():
        for exchange, answer in zip(exchanges, answers, strict=True):
            outcome = states.VERDICTS[answer.kind][0]
            error = "" if answer.kind == AnswerKind.CREATED else _words(answer)
            audit.address_attempt_record(save, exchange, by=by, outcome=outcome, error=error)
        _settle(save, answers[-1])
    if save.next_attempt_at is not None:
        sweep_schedule(at=save.next_attempt_at)
    return save


def _settle(save: AddressSave, answer: AddressAnswer) -> None:
    save.send_count += 1
    save.lease_until = None
    save.next_attempt_at = None
    match answer.kind:
        case AnswerKind.CREATED:
            save.status = AddressSaveStatus.SAVED
            save.clarus_id = answer.clarus_id
            save.note = f"Saved in Clarus as delivery address {answer.clarus_id} ({save.code})."
        case AnswerKind.NO_ID:
            save.status = AddressSaveStatus.SAVED
            save.note = f"Clarus took the address ({save.code}) but did not say its id."
        case AnswerKind.REFUSED:
            save.status = AddressSaveStatus.REFUSED
            save.note = "Clarus refused to save the address: " + _words(answer)
        case AnswerKind.NO_ANSWER:
            save.status = AddressSaveStatus.UNKNOWN
            save.note = (
                f"{answer.problem} Clarus may have saved the address: look for code {save.code} "
                "under the end customer in Clarus. The desk does not send it again by itself."
            )
        case _:
            save.status = AddressSaveStatus.WAITING
            if save.send_count < settings.DESK_DELIVERY_MAX_ATTEMPTS:
                save.next_attempt_at = timezone.now() + backoff(
                    save.send_count, retry_after=answer.retry_after
                )
                save.note = (
                    f"{answer.problem} Not saved yet: the desk tries again by itself at "
                    f"{timezone.localtime(save.next_attempt_at):%H:%M:%S}."
                )
            else:
                save.note = f"{answer.problem} The desk gave up after {save.send_count} tries."
    save.save()


def _words(answer: AddressAnswer) -> str:
    if answer.refusals:
        return "; ".join(refusal.details for refusal in answer.refusals)
    return answer.problem


def delivery_addresses_deliver_due(
    *, stop_claiming_at: datetime | None = None, transport: Transport | None = None
) -> int:
    """Save every address that is due, oldest first; return how many Clarus took.

    A save whose sender died mid-request (its lease ran out) may be in Clarus: it becomes
    ``unknown``, never sent again.
    """
    now = timezone.now()
    AddressSave.objects.filter(status=AddressSaveStatus.SENDING, lease_until__lt=now).update(
        status=AddressSaveStatus.UNKNOWN,
        lease_until=None,
        note=(
            "The desk stopped while saving the address, so Clarus may have it: look for its "
            "code under the end customer in Clarus."
        ),
        updated_at=now,
    )
    saved = 0
    due = list(
        AddressSave.objects.filter(_due())
        .order_by("requested_at", "id")
        .values_list("pk", flat=True)
    )
    for save_id in due:
        if stop_claiming_at is not None and timezone.now() >= stop_claiming_at:
            break
        if delivery_address_deliver(save_id, transport=transport).status == AddressSaveStatus.SAVED:
            saved += 1
    return saved


def delivery_address_save(
    *, order: Order, user: User, customer_id: int, transport: Transport | None = None
) -> AddressSave:
    """Ask for the order's address to be saved, and save it now if the order is sent.

    An order not sent yet keeps its save waiting: the delivery worker's sweep sends it once the
    order is sent (``delivery_addresses_deliver_due``).
    """
    save = delivery_address_request(order=order, user=user, customer_id=customer_id)
    if order.status == OrderStatus.SENT:
        return delivery_address_deliver(save.pk, by=Actor.of(user), transport=transport)
    return save
