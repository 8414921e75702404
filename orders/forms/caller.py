"""The caller box's pieces of the entry form: an address as the form's fields, an earlier
order's lines as new line rows."""

import json
from dataclasses import dataclass, fields

from orders.domain import DeliveryAddress
from orders.forms.entry import (
    ADDRESS_PREFIX,
    MAX_LINES,
    BaseOrderLineFormSet,
    OrderLineForm,
    line_form,
    order_entry_initial,
)
from orders.models import Order


@dataclass(frozen=True)
class AddressChoice:
    """An address to reuse: every address field of the form, and the words the agent reads."""

    fields_json: str
    words: str


def address_choice(address: DeliveryAddress) -> AddressChoice:
    """Return an address as "Use this address" fills it: every ``delivery_*`` field, the empty
    ones too, so nothing of the address keyed before stays."""
    values = {ADDRESS_PREFIX + each.name: getattr(address, each.name) for each in fields(address)}
    shown = (address.name, address.address_1, address.address_2, address.town, address.postcode)
    return AddressChoice(
        fields_json=json.dumps(values, ensure_ascii=False),
        words=", ".join(part for part in shown if part.strip()),
    )


@dataclass(frozen=True)
class RepeatedRow:
    """A line row of an earlier order, in the shape the entry page's ``pasted-lines`` takes."""

    form: OrderLineForm
    problem: str = ""
    focus_product: bool = False
    focus_quantity: bool = False
    # It takes the place of the blank row the agent was on (an out-of-band swap).
    replaces: bool = False


@dataclass(frozen=True)
class RepeatedLines:
    rows: list[RepeatedRow]
    blank: OrderLineForm | None
    total_forms: int
    said: str


def repeated_lines(
    *, order: Order, formset: BaseOrderLineFormSet, total: int, into: int | None
) -> RepeatedLines:
    """Return an earlier order's lines as rows after the page's ``total`` rows (the first in
    place of the blank row ``into``), as "Copy into a new order" copies them, and a blank row."""
    lines = order_entry_initial(order, fresh=True).lines
    kept = lines[: MAX_LINES - total + (into is not None)]
    indexes = ([into] if into is not None else []) + list(range(total, MAX_LINES))
    rows = [
        RepeatedRow(line_form(formset, index, **line), replaces=(index == into))
        for index, line in zip(indexes, kept, strict=False)
    ]
    next_index = total + len(rows) - (into is not None and bool(rows))
    blank = line_form(formset, next_index) if rows and next_index < MAX_LINES else None
    count = len(rows)
    said = (
        f"{count} line{'s' if count != 1 else ''} of {order.reference} added: check the quantities."
    )
    if len(kept) < len(lines):
        said += f" {len(lines) - len(kept)} left out: an order has at most {MAX_LINES} lines."
    return RepeatedLines(
        rows=rows, blank=blank, total_forms=next_index + (blank is not None), said=said
    )
