"""Labels and formats the pages and the template filters share: fields in the entry form's
words, Clarus's reasons beside the fields they name, durations, counts and shares."""

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import formats, timezone

from orders.domain import Amendment, DeliveryAddress, FieldEdit, FieldRef, Refusal
from orders.forms.entry import (
    ADDRESS_PREFIX,
    DispatchDateField,
    OrderForm,
    OrderLineForm,
    form_field_name,
    picked_label,
)
from orders.forms.lookups import LOOKUPS


def field_label(target: FieldRef | None, fallback: str = "") -> str:
    """Return the field a refusal names, in the entry form's words; ``fallback`` if unknown.

    A line's field reads "Line 2, product"; on no line in particular (as the dashboard groups
    reasons), "Product, on a line".
    """
    if target is None:
        return fallback
    name = form_field_name(target)
    if target.part == "line":
        line_field = OrderLineForm.base_fields.get(name.removesuffix("_id"))
        label = str(line_field.label if line_field is not None else name).lower()
        if target.line is None:
            return f"{label.capitalize()}, on a line"
        return f"Line {target.line + 1}, {label}"
    if name in LOOKUPS:
        return LOOKUPS[name].noun.capitalize()
    field = OrderForm.base_fields.get(name)
    return str(field.label) if field is not None else name


def refusal_rows(refusals: Iterable[Refusal]) -> list[dict[str, str]]:
    """Return Clarus's reasons for refusing an order, each with the field it names."""
    rows = []
    for refusal in refusals:
        field = field_label(refusal.target, refusal.source or "")
        # Clarus may name the line in its words too ("Line 2: …"): say it once.
        line = field.partition(",")[0]
        details = (
            refusal.details.removeprefix(f"{line}: ")
            if line.startswith("Line ")
            else refusal.details
        )
        rows.append({"field": field, "details": details})
    return rows


def _display_value(field: forms.Field, value: Any) -> str:
    if isinstance(field, DispatchDateField) and isinstance(value, str):
        return _moment(value)
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


def _moment(text: str) -> str:
    """A stored ISO 8601 time (``2026-12-10T14:30:00+00:00``) as people read it, in the desk's
    time zone (``10 Dec 2026 14:30``); anything else as it is."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if timezone.is_naive(moment):
        return text
    return formats.date_format(timezone.localtime(moment), "j M Y H:i")


def header_rows(
    header: Mapping[str, Any], labels: Mapping[str, Any] | None = None
) -> list[tuple[str, str]]:
    """Return a stored header as (label, value) pairs in the entry form's words.

    An id the agent picked by name shows the code and name they saw beside it.
    """
    fields = OrderForm.base_fields
    return [
        (_header_label(name), _with_label(_display_value(fields[name], value), name, labels))
        for name, value in header.items()
        if name in fields
    ]


def _header_label(name: str) -> str:
    if name in LOOKUPS:
        return f"{LOOKUPS[name].noun.capitalize()} id"
    return str(OrderForm.base_fields[name].label)


def _with_label(value: str, name: str, labels: Mapping[str, Any] | None) -> str:
    label = picked_label((labels or {}).get(name))
    if not label:
        return value
    seen = " · ".join(part for part in (label["code"], label["name"]) if part)
    return f"{value} ({seen})"


def address_rows(address: DeliveryAddress) -> list[tuple[str, str]]:
    """Return an address as (label, value) pairs in the entry form's words, filled fields only."""
    fields = OrderForm.base_fields
    return [
        (str(fields[ADDRESS_PREFIX + name].label), str(value))
        for name, value in asdict(address).items()
        if value
    ]


def as_minutes_and_seconds(duration: timedelta | None) -> str:
    """Return a duration as ``4 min 05 s`` (or ``42 s``), for people and SVG titles."""
    if duration is None:
        return "—"
    seconds = round(duration.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def count(value: float) -> str:
    return f"{value:,.0f}"


def percent(value: float) -> str:
    """Return a share as a whole percent when it is one, else to a tenth."""
    return f"{value:.0%}" if value * 100 == round(value * 100) else f"{value:.1%}"


def share(value: float | None) -> str:
    """Return a share such as 0.0485 as ``4.9%``, or a dash for none."""
    return "—" if value is None else f"{value:.1%}"


def _product(product_id: int, code: str) -> str:
    return code or f"product {product_id}"


def _quantity(quantity: Any) -> str:
    return "—" if quantity is None else format(quantity.normalize(), "f")


def _field_value(edit: FieldEdit) -> tuple[str, str]:
    def shown(value: Any) -> str:
        if value is None:
            return "(empty)"
        if isinstance(value, datetime):
            return f"{timezone.localtime(value):%d %b %Y %H:%M}"
        return f"“{value}”"

    return shown(edit.old), shown(edit.new)


def amendment_rows(amendment: Amendment) -> list[str]:
    """Return an amendment line by line, as Clarus receives it, in the agents' words: a line
    added (plus sign, quantity, times sign, SKU), a line's quantity or product old → new, a line
    removed (minus sign, SKU), then each header or address field, old → new."""
    rows = []
    for line in amendment.lines:
        product = _product(line.product_id, line.product_code)
        if line.op == "add":
            rows.append(f"+ {_quantity(line.quantity_new)} × {product}")
        elif line.op == "remove":
            rows.append(f"− {product}")
        else:
            parts = []
            if line.product_id_old is not None:
                old = _product(line.product_id_old, line.product_code_old)
                parts.append(f"product {old} → {product}")
            if line.quantity_new != line.quantity_old:
                parts.append(
                    f"quantity {_quantity(line.quantity_old)} → {_quantity(line.quantity_new)}"
                )
            rows.append(f"{product}: {', '.join(parts)}")
    for edit in amendment.fields:
        name = ADDRESS_PREFIX + edit.name if edit.part == "address" else edit.name
        field = OrderForm.base_fields.get(name)
        label = str(field.label) if field is not None else name
        if edit.part == "address":
            label = f"Delivery address, {label.lower()}"
        old, new = _field_value(edit)
        rows.append(f"{label}: {old} → {new}")
    return rows


def pretty_json(text: str) -> str:
    """Return JSON text indented for reading, or the text unchanged if it is not JSON.

    What ``json.dumps(value, indent=2, ensure_ascii=False)`` writes: with an indent, the json
    module writes through its pure-Python encoder, a generator per level and item, about three
    times slower than this for the bodies the order page shows.
    """
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return text
    written: list[str] = []
    _indented(value, written, "\n")
    return "".join(written)


def _indented(value: Any, written: list[str], newline: str) -> None:
    if isinstance(value, str):
        written.append(_json_string(value))
    elif isinstance(value, dict):
        if not value:
            written.append("{}")
            return
        inner = newline + "  "
        written.append("{")
        for index, (key, item) in enumerate(value.items()):
            written.append(inner if index == 0 else "," + inner)
            written.append(_json_string(key) + ": ")
            _indented(item, written, inner)
        written.append(newline + "}")
    elif isinstance(value, list):
        if not value:
            written.append("[]")
            return
        inner = newline + "  "
        written.append("[")
        for index, item in enumerate(value):
            written.append(inner if index == 0 else "," + inner)
            _indented(item, written, inner)
        written.append(newline + "]")
    elif value is True or value is False or value is None:
        written.append(_JSON_WORDS[value])
    elif type(value) is int:
        written.append(int.__repr__(value))
    else:
        # Floats as json writes them (NaN and Infinity included).
        written.append(json.dumps(value))


_JSON_WORDS = {True: "true", False: "false", None: "null"}


_json_string = json.encoder.encode_basestring
