"""Stored orders of repeat callers, as the desk keeps them, for the caller box's tests."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from orders.clarus.documents import address_attributes
from orders.domain import DeliveryAddress, contact_columns
from orders.models import Order, OrderLine, OrderStatus, Tenant

AMELIA = DeliveryAddress(
    name="Amelia Smith",
    address_1="12 Park Road",
    town="Leeds",
    postcode="LS6 2AB",
    country="GB",
    email="Amelia.Smith@example.com",
    phone="0113 496 0123",
)
AMELIA_WORK = DeliveryAddress(
    name="Amelia Smith",
    address_1="Unit 4, Mill Lane",
    address_2="Kirkstall",
    town="Leeds",
    county="West Yorkshire",
    postcode="LS5 3RT",
    country="GB",
    email="amelia.smith@example.com",
)


def keyed_order(
    *,
    tenant: Tenant,
    user: User,
    reference: str,
    address: DeliveryAddress = AMELIA,
    lines: tuple[tuple[str, int, str], ...] = (("SKU-1", 501, "2"),),
    account_id: int = 7,
    customer_id: int | None = None,
    days_ago: float = 1,
    status: str = OrderStatus.SENT,
) -> Order:
    """Store an order as the desk would have stored it when keyed ``days_ago``."""
    header: dict[str, Any] = {
        "goods_out_type": "sales_order",
        "account_id": account_id,
        "reference": reference,
        "expected_date_of_dispatch": "2026-12-01T14:30:00+00:00",
    }
    if customer_id is not None:
        header["customer_id"] = customer_id
    contact = contact_columns(address)
    order = Order.objects.create(
        tenant=tenant,
        created_by=user,
        reference=reference,
        account_id=account_id,
        header=header,
        address=address_attributes(address),
        status=status,
        postcode=contact.postcode,
        contact_name=contact.contact_name,
        contact_email=contact.contact_email,
        contact_phone=contact.contact_phone,
    )
    created: datetime = timezone.now() - timedelta(days=days_ago)
    Order.objects.filter(pk=order.pk).update(created_at=created)
    order.created_at = created
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            position=position,
            product_id=product_id,
            product_code=code,
            quantity=Decimal(quantity),
        )
        for position, (code, product_id, quantity) in enumerate(lines, start=1)
    )
    return order
