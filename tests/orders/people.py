"""A caller's whole footprint on the desk: an order with every record that keeps their data.

Bodies are built by the desk's own builders (the goods-out document, the delivery-address
document, the amendment's standing orders), as a real order would have stored them; Clarus's
answers echo the address as Clarus's do, and a refusal names the postcode.
"""

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from orders.clarus.documents import address_attributes, goods_out_body, goods_out_document
from orders.domain import (
    DeliveryAddress,
    LineInput,
    OrderHeader,
    StandingLine,
    StandingOrder,
    contact_columns,
    standing_json,
)
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    AttemptOutcome,
    Draft,
    Order,
    OrderAmendment,
    OrderLine,
    OrderStatus,
    OrderTransition,
    SubmissionAttempt,
    Tenant,
    WebhookDelivery,
)


@dataclass(frozen=True)
class Caller:
    name: str
    address_1: str
    town: str
    postcode: str
    email: str
    phone: str
    notes: str = ""

    def address(self) -> DeliveryAddress:
        return DeliveryAddress(
            name=self.name,
            address_1=self.address_1,
            town=self.town,
            postcode=self.postcode,
            country="GB",
            email=self.email,
            phone=self.phone,
        )

    def values(self) -> list[str]:
        return [self.name, self.address_1, self.town, self.postcode, self.email, self.phone]


def footprint(
    tenant: Tenant,
    user: User,
    caller: Caller,
    *,
    reference: str,
    status: str = OrderStatus.SENT,
    created_at: datetime | None = None,
    with_draft: bool = True,
) -> Order:
    """Create an order to ``caller`` with attempts, amendment, address save, webhook, draft."""
    address = caller.address()
    header = OrderHeader(
        goods_out_type="sales_order",
        account_id=7,
        reference=reference,
        customer_id=55,
        delivery_notes=f"Ring {caller.name} on arrival" if caller.notes == "" else caller.notes,
    )
    lines = [LineInput(product_id=101, quantity=Decimal(2))]
    document = goods_out_document(header=header, lines=lines, address=address)
    body = goods_out_body(document)
    contact = contact_columns(address)
    order = Order.objects.create(
        tenant=tenant,
        created_by=user,
        reference=reference,
        account_id=7,
        status=status,
        clarus_id=9000 if status in (OrderStatus.SENT, OrderStatus.CANCELLED) else None,
        header=document["data"]["attributes"] | {"customer_id": 55},
        address=address_attributes(address),
        labels={"customer_id": {"code": "C-55", "name": f"{caller.name} (customer)"}},
        postcode=contact.postcode,
        contact_name=contact.contact_name,
        contact_email=contact.contact_email,
        contact_phone=contact.contact_phone,
        status_note=f"Clarus refused postcode {caller.postcode}",
    )
    if created_at is not None:
        Order.objects.filter(pk=order.pk).update(created_at=created_at)
        order.refresh_from_db()
    OrderLine.objects.create(order=order, position=1, product_id=101, quantity=Decimal(2))
    now = timezone.now()
    answer = {"data": {"id": "9000", "type": "goods_outs", "attributes": {"reference": reference}}}
    answer["data"]["relationships"] = {
        "address": {"data": {"type": "addresses", "attributes": address_attributes(address)}}
    }
    refusal = {"errors": [{"detail": f"postcode {caller.postcode} is not valid for {caller.town}"}]}
    for index, (outcome, response) in enumerate(
        [(AttemptOutcome.REJECTED, refusal), (AttemptOutcome.SENT, answer)]
    ):
        SubmissionAttempt.objects.create(
            order=order,
            tenant=tenant,
            user=user,
            started_at=now - timedelta(seconds=10 - index),
            duration_ms=120,
            method="POST",
            url="http://clarus.test/api/goods_outs",
            request_headers={"Authorization": "[redacted]"},
            request_body=body,
            response_status=201 if outcome == AttemptOutcome.SENT else 422,
            response_headers={},
            response_body=json.dumps(response),
            outcome=outcome,
            error="" if outcome == AttemptOutcome.SENT else f"refused for {caller.email}",
        )
    OrderTransition.objects.create(
        order=order,
        at=now,
        from_status=OrderStatus.SENDING,
        to_status=status,
        actor=user.username,
        user=user,
        reason=f"Clarus said: postcode {caller.postcode} unknown",
    )
    standing = StandingOrder(
        header, address, (StandingLine(product_id=101, quantity=Decimal(2), line_id=1),)
    )
    OrderAmendment.objects.create(
        order=order,
        token=uuid.uuid4(),
        created_by=user,
        status="applied",
        base_version="v1",
        before=standing_json(standing),
        after=standing_json(standing),
        document={"data": {"attributes": {"address": address_attributes(address)}}},
    )
    save = AddressSave.objects.create(
        order=order, tenant=tenant, requested_by=user, customer_id=55, code=f"DESK-{order.pk}"
    )
    AddressSaveAttempt.objects.create(
        address_save=save,
        tenant=tenant,
        user=user,
        started_at=now,
        duration_ms=50,
        method="POST",
        url="http://clarus.test/api/delivery_addresses",
        request_headers={},
        request_body=json.dumps(
            {"data": {"attributes": {"code": save.code, **address_attributes(address)}}}
        ),
        response_status=200,
        response_headers={},
        response_body=json.dumps({"data": {"id": "77"}}),
        outcome=AttemptOutcome.SENT,
    )
    WebhookDelivery.objects.create(
        tenant=tenant,
        fingerprint=uuid.uuid4().hex,
        headers={},
        body={"record": {"id": 9000, "address": address_attributes(address)}},
        order=order,
        happened_at=now,
    )
    if with_draft:
        Draft.objects.create(
            tenant=tenant,
            created_by=user,
            form_token=uuid.uuid4(),
            form_data={
                "reference": [f"{reference}-D"],
                **{f"delivery_{name}": [value] for name, value in asdict(address).items()},
            },
            updated_at=now,
        )
    return order


# Two people the personal-data tests find, export and erase.
ANN = Caller(
    name="Annabel Quist",
    address_1="4 Larch Row",
    town="Otley",
    postcode="LS21 3AB",
    email="annabel.quist@example.com",
    phone="0113 496 0777",
)

BEN = Caller(
    name="Benedict Crane",
    address_1="9 Elm Yard",
    town="Ilkley",
    postcode="LS29 8QQ",
    email="ben.crane@example.com",
    phone="0113 496 0888",
)
