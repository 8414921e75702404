"""The desk's own words for an order: the dataclasses services take and return.

An order as keyed (``KeyedOrder``: ``OrderHeader``, ``DeliveryAddress``, ``LineInput``), a reason
Clarus gave for refusing it and the field it names (``Refusal``, ``FieldRef``), and the searchable
copies of its contact. ``orders.clarus`` turns them into Clarus's JSON and back; nothing here
knows Clarus's wire format.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
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

    @property
    def code_adds(self) -> bool:
        """Whether Clarus's code says more than its name ("Pending" already says "PENDING";
        "Awaiting stock" does not say "BACKORDER"), so the code is shown beside the name."""
        spelled = self.code.replace("_", " ").replace("-", " ").casefold()
        return bool(self.code) and spelled != " ".join(self.name.casefold().split())


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


# Amending a sent order: the goods-out as Clarus holds it, and what an amendment changes.


@dataclass(frozen=True)
class StandingLine:
    """A line of a goods-out as Clarus holds it; ``line_id`` None for a line not in Clarus yet."""

    line_id: int | None
    product_id: int
    quantity: Decimal
    # What the agent sees for the product (its SKU and description), never sent.
    product_code: str = ""
    description: str = ""


@dataclass(frozen=True)
class StandingOrder:
    """A goods-out's header, address and lines: as Clarus holds it, or as an amendment leaves it."""

    header: OrderHeader
    address: DeliveryAddress
    lines: tuple[StandingLine, ...]


@dataclass(frozen=True)
class GoodsOutRead:
    """A goods-out read from Clarus for amending, with the version of what was read."""

    goods_out_id: int
    status: GoodsOutStatus
    standing: StandingOrder
    # A digest of what Clarus answered: a different one means the goods-out changed meanwhile.
    version: str


class AmendmentKind(StrEnum):
    """What a request to amend a goods-out came to."""

    APPLIED = "applied"
    REFUSED = "refused"
    NOT_FOUND = "not_found"
    NO_TOKEN = "no_token"
    UNAUTHORIZED = "unauthorized"
    SERVER_ERROR = "server_error"
    # Sent, and no answer came back: it may have been applied.
    NO_ANSWER = "no_answer"
    UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class FieldEdit:
    """A header or address field an amendment changes, old → new (None: empty)."""

    part: Literal["header", "address"]
    name: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LineEdit:
    """One line change: ``add`` a line, ``update`` a line's product or quantity, ``remove`` it."""

    op: Literal["add", "update", "remove"]
    line_id: int | None
    product_id: int
    product_code: str = ""
    quantity_old: Decimal | None = None
    quantity_new: Decimal | None = None
    # Set when an update changes the line's product.
    product_id_old: int | None = None
    product_code_old: str = ""


@dataclass(frozen=True)
class Amendment:
    """What changes between two states of a goods-out, in the order Clarus receives it."""

    fields: tuple[FieldEdit, ...] = ()
    lines: tuple[LineEdit, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.fields and not self.lines


def _plain(value: Any) -> Any:
    """Return a field's value as compared: empty text is None, text trimmed."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def amendment_between(before: StandingOrder, after: StandingOrder) -> Amendment:
    """Return what turns ``before`` into ``after``: header and address fields that differ, and
    per line an update (same line id, other product or quantity), a removal (a line id ``after``
    no longer has) or an addition (a line without an id). Pure.

    Changes come in the order they are sent: updates and removals in ``before``'s line order,
    then additions in ``after``'s.
    """
    edits = [
        FieldEdit("header", name, _plain(getattr(before.header, name)), new)
        for name in (each.name for each in fields(OrderHeader))
        if _plain(getattr(before.header, name)) != (new := _plain(getattr(after.header, name)))
    ]
    edits += [
        FieldEdit("address", name, _plain(getattr(before.address, name)), new)
        for name in (each.name for each in fields(DeliveryAddress))
        if _plain(getattr(before.address, name)) != (new := _plain(getattr(after.address, name)))
    ]
    kept = {line.line_id: line for line in after.lines if line.line_id is not None}
    changes: list[LineEdit] = []
    for old in before.lines:
        new_line = kept.get(old.line_id) if old.line_id is not None else None
        if new_line is None:
            changes.append(
                LineEdit(
                    "remove",
                    old.line_id,
                    old.product_id,
                    old.product_code,
                    quantity_old=old.quantity,
                )
            )
        elif new_line.product_id != old.product_id or new_line.quantity != old.quantity:
            moved = new_line.product_id != old.product_id
            changes.append(
                LineEdit(
                    "update",
                    old.line_id,
                    new_line.product_id,
                    new_line.product_code,
                    quantity_old=old.quantity,
                    quantity_new=new_line.quantity,
                    product_id_old=old.product_id if moved else None,
                    product_code_old=old.product_code if moved else "",
                )
            )
    changes += [
        LineEdit("add", None, line.product_id, line.product_code, quantity_new=line.quantity)
        for line in after.lines
        if line.line_id is None
    ]
    return Amendment(fields=tuple(edits), lines=tuple(changes))


def standing_json(standing: StandingOrder) -> dict[str, Any]:
    """Return a standing order as JSON-safe data (the desk's own form, for storing and signing)."""
    header = {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in asdict(standing.header).items()
    }
    return {
        "header": header,
        "address": asdict(standing.address),
        "lines": [
            {**asdict(line), "quantity": format(line.quantity, "f")} for line in standing.lines
        ],
    }


def standing_from_json(data: Mapping[str, Any]) -> StandingOrder:
    """Return the standing order ``standing_json`` made; raise ValueError if it is not one."""
    try:
        header = dict(data["header"])
        dispatch = header.get("expected_date_of_dispatch")
        if isinstance(dispatch, str):
            moment = datetime.fromisoformat(dispatch)
            header["expected_date_of_dispatch"] = moment if moment.tzinfo else dispatch
        lines = tuple(
            StandingLine(**{**line, "quantity": Decimal(str(line["quantity"]))})
            for line in data["lines"]
        )
        return StandingOrder(OrderHeader(**header), DeliveryAddress(**data["address"]), lines)
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise ValueError(f"Not a standing order: {exc}") from exc
