"""Valid keyed orders, as form data and as cleaned data, to vary one field at a time."""

from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.utils import timezone

from orders import audit
from orders.clarus import ClarusExchange
from orders.domain import DeliveryAddress, LineInput, OrderHeader
from orders.models import AttemptOutcome, Membership, Order, Role, Tenant

LONDON = ZoneInfo("Europe/London")


def cleaned_order(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "goods_out_type": "sales_order",
        "account_id": 7,
        "reference": "SO-1001",
        "expected_date_of_dispatch": datetime(2026, 12, 1, 14, 30, tzinfo=LONDON),
        "warehouse_id": None,
        "priority": None,
        "customer_id": None,
        "carrier_id": None,
        "carrier_service_id": None,
        "order_type_id": None,
        "dispatch_strategy": "",
        "pack_strategy": "",
        "pick_type": "",
        "delivery_notes": "",
        "order_notes": "",
        "pick_notes": "",
        "packing_notes": "",
        "load_reference": "",
        "pick_reference": "",
        "external_system_reference1": "",
        "external_system_reference2": "",
        "external_system_reference3": "",
        "delivery_name": "Jo Bloggs Ltd",
        "delivery_address_1": "1 High Street",
        "delivery_address_2": "",
        "delivery_town": "Leeds",
        "delivery_county": "West Yorkshire",
        "delivery_address_5": "",
        "delivery_postcode": "LS1 4AP",
        "delivery_country": "GB",
        "delivery_email": "jo@example.com",
        "delivery_phone": "",
    }
    data.update(overrides)
    return data


def header_of(cleaned: dict[str, Any]) -> OrderHeader:
    """Return the header fields of cleaned entry-form data as the desk's ``OrderHeader``."""
    return OrderHeader(
        **{f.name: cleaned[f.name] for f in fields(OrderHeader) if f.name in cleaned}
    )


def address_of(cleaned: dict[str, Any]) -> DeliveryAddress:
    """Return the ``delivery_*`` fields of cleaned entry-form data as a ``DeliveryAddress``."""
    return DeliveryAddress(
        **{
            f.name: cleaned[f"delivery_{f.name}"]
            for f in fields(DeliveryAddress)
            if f"delivery_{f.name}" in cleaned
        }
    )


def lines(count: int) -> list[LineInput]:
    return [LineInput(product_id=100 + n, quantity=Decimal(n + 1)) for n in range(count)]


def order_post_data(
    tenant_id: int,
    form_token: str,
    line_values: list[tuple[str, str]] | None = None,
    **overrides: str,
) -> dict[str, str]:
    """Return the POST body of the entry form for a valid order."""
    line_values = [("101", "2"), ("102", "1")] if line_values is None else line_values
    data = {
        "form_token": form_token,
        "tenant": str(tenant_id),
        "goods_out_type": "sales_order",
        "account_id": "7",
        "reference": "SO-1001",
        "expected_date_of_dispatch": "2026-12-01T14:30",
        "delivery_name": "Jo Bloggs Ltd",
        "delivery_address_1": "1 High Street",
        "delivery_town": "Leeds",
        "delivery_postcode": "ls1 4ap",
        "delivery_country": "GB",
        "delivery_email": "jo@example.com",
        "lines-TOTAL_FORMS": str(len(line_values)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for index, (product_id, quantity) in enumerate(line_values):
        data[f"lines-{index}-product_id"] = product_id
        data[f"lines-{index}-quantity"] = quantity
    data.update(overrides)
    return data


def unanswered_try_record(order: Order, user: User) -> None:
    """Keep a try of ``order`` that got no answer from Clarus: it may have reached Clarus."""
    exchange = ClarusExchange(
        method="POST",
        url="https://clarus.example/api/goods_outs",
        request_headers={},
        request_body="{}",
        started_at=timezone.now(),
        duration_ms=20_000,
        transport_error="Clarus did not answer within 20 s.",
        may_have_arrived=True,
    )
    audit.attempt_record(order, exchange, by=audit.Actor.of(user), outcome=AttemptOutcome.NO_ANSWER)


def staff_of_two_tenants(
    make_tenant: Callable[..., Tenant], *, agent: str, stranger_role: Role
) -> tuple[Tenant, Tenant, dict[str, User]]:
    """Return a tenant with an agent (named ``agent``), a colleague and a supervisor ("boss"),
    and another tenant whose one member, the "stranger", has ``stranger_role``."""
    tenant = make_tenant()
    other = make_tenant(subdomain="other", name="Other")
    people: dict[str, User] = {}
    for name, role in ((agent, Role.AGENT), ("colleague", Role.AGENT), ("boss", Role.SUPERVISOR)):
        people[name] = User.objects.create_user(name)
        Membership.objects.create(user=people[name], tenant=tenant, role=role)
    people["stranger"] = User.objects.create_user("stranger")
    Membership.objects.create(user=people["stranger"], tenant=other, role=stranger_role)
    return tenant, other, people
