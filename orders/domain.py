"""The desk's own words for an order: the dataclasses services take and return.

An order as keyed (``KeyedOrder``: ``OrderHeader``, ``DeliveryAddress``, ``LineInput``), a reason
Clarus gave for refusing it and the field it names (``Refusal``, ``FieldRef``), and the searchable
copies of its contact. ``orders.clarus`` turns them into Clarus's JSON and back; nothing here
knows Clarus's wire format.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from orders.models import Tenant

# A Clarus id is a database id: more digits than this is a barcode that matched nothing.
CLARUS_ID_MAX_DIGITS = 9


@dataclass(frozen=True)
class OrderHeader:
    """The order header as keyed; empty text and None are left for Clarus to default.

    The entry form requires the first four; a stored order is read back as it was kept, so
    they default to empty too (an order made outside the form may lack them).
    """

    goods_out_type: str = ""
    account_id: int | None = None
    reference: str = ""
    # As keyed, with its time zone; a stored value that is not a date-time is kept as text.
    expected_date_of_dispatch: datetime | str | None = None
    warehouse_id: int | None = None
    priority: int | None = None
    customer_id: int | None = None
    carrier_id: int | None = None
    carrier_service_id: int | None = None
    order_type_id: int | None = None
    dispatch_strategy: str = ""
    pack_strategy: str = ""
    pick_type: str = ""
    delivery_notes: str = ""
    order_notes: str = ""
    pick_notes: str = ""
    packing_notes: str = ""
    load_reference: str = ""
    pick_reference: str = ""
    external_system_reference1: str = ""
    external_system_reference2: str = ""
    external_system_reference3: str = ""


@dataclass(frozen=True)
class DeliveryAddress:
    """Where the goods go, in the entry form's words (its fields are ``delivery_<name>``)."""

    name: str = ""
    address_1: str = ""
    address_2: str = ""
    town: str = ""
    county: str = ""
    address_5: str = ""
    postcode: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: Decimal
    # What the agent saw when picking the product: kept for the audit, never sent.
    product_code: str = ""
    description: str = ""


@dataclass(frozen=True)
class KeyedOrder:
    """An order as the agent keyed it, ready to store and send."""

    tenant: Tenant
    header: OrderHeader
    lines: Sequence[LineInput]
    address: DeliveryAddress = field(default_factory=DeliveryAddress)
    # The codes and names the agent saw beside the ids they picked (OrderForm.labels).
    labels: Mapping[str, Any] = field(default_factory=dict)
    # When the agent opened the entry page, for the keying time on the dashboard.
    keying_started_at: datetime | None = None


@dataclass(frozen=True)
class FieldRef:
    """A field of the keyed order that Clarus named when it refused it.

    ``part`` says where: a header field, an address field or a line's field (``product_id``
    or ``quantity``); ``line`` is the line's index among the keyed lines, or None for "a line"
    (the dashboard groups a reason over every line).
    """

    part: Literal["header", "address", "line"]
    name: str
    line: int | None = None


@dataclass(frozen=True)
class Refusal:
    """One reason Clarus gave for refusing an order (or a cancel)."""

    details: str
    code: int | None = None
    symbol: str = ""
    # Clarus's own name of the field, as it said it: shown, never parsed outside orders.clarus.
    source: str | None = None
    target: FieldRef | None = None


@dataclass(frozen=True)
class Choice:
    """An account, warehouse, customer, carrier, carrier service or order type."""

    id: int
    code: str
    name: str
    is_default: bool = False

    @property
    def label(self) -> str:
        """Return the words the agent sees: the code, then the name if it says more."""
        if not self.name or self.name == self.code:
            return self.code
        return f"{self.code} · {self.name}"


@dataclass(frozen=True)
class ProductChoice:
    """A product as a suggestion: what tells it apart, and what is free to send."""

    id: int
    code: str
    description: str
    barcode: str = ""
    # Unallocated stock in the chosen warehouse, or in all of the account's warehouses when none
    # is chosen; None when Clarus could not say.
    available: float | None = None
    # True when what was typed or scanned is one of its codes, or its Clarus id.
    exact: bool = False


@dataclass(frozen=True)
class ProductSearch:
    """Suggestions for what was typed in a line's product box."""

    options: list[ProductChoice]
    # The one product the text names exactly (SKU, barcode, case/inner/outer barcode or id).
    exact: ProductChoice | None
    # Digits that name no product Clarus could find: sent as a Clarus id if the agent insists.
    typed_id: int | None


def normalised_postcode(text: str) -> str:
    return " ".join(text.upper().split())


def normalised_name(text: str) -> str:
    return " ".join(text.upper().split())


def phone_digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


@dataclass(frozen=True)
class ContactColumns:
    """The delivery contact as supervisors search it: exact or by prefix."""

    postcode: str
    contact_name: str
    contact_email: str
    contact_phone: str


def contact_columns(address: DeliveryAddress) -> ContactColumns:
    """Return the searchable copies of an address: name in capitals, email in lower case, phone
    as its digits alone."""
    if not _has_more_than_a_country(address):
        address = DeliveryAddress()
    return ContactColumns(
        postcode=address.postcode.strip(),
        contact_name=normalised_name(address.name),
        contact_email=address.email.strip().lower(),
        contact_phone=phone_digits(address.phone),
    )


def _has_more_than_a_country(address: DeliveryAddress) -> bool:
    return any(
        value.strip()
        for name, value in address.__dict__.items()
        if name != "country" and isinstance(value, str)
    )


class AnswerKind(StrEnum):
    """What an attempt to create a goods-out in Clarus came to (``states.VERDICTS``)."""

    CREATED = "created"
    # Accepted, but the answer named no goods-out: whether it exists is unknown.
    NO_ID = "no_id"
    REFUSED = "refused"
    # No token could be had: Clarus refused the desk's credentials, or the token service failed.
    NO_TOKEN = "no_token"
    UNAUTHORIZED = "unauthorized"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    # Sent, and no answer came back: it may have arrived.
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class GoodsOutStatus:
    """A goods-out's status as Clarus has it now."""

    goods_out_id: int
    code: str
    name: str


@dataclass(frozen=True)
class GoodsOutNews:
    """What one webhook delivery says about a goods-out."""

    event: str
    goods_out_id: int | None
    reference: str
    # The stock account the goods-out is for, if the delivery says.
    account_id: int | None
    # Clarus's status code for the goods-out, blank if the delivery gave none.
    status: str
    # When the change happened in Clarus, if the record says so with a time zone.
    updated_at: datetime | None
    # False for an automation on another resource, which must not touch orders.
    about_goods_out: bool = True
    # The goods-out is cancelled in Clarus.
    cancelled: bool = False
