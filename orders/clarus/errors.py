"""Reading what Clarus says when it refuses: its 422 errors (CONTRACT.md §3.2), the fields they
name, and how long it asks the desk to wait (``Retry-After``)."""

import json
import re
from typing import Any

from orders.clarus.documents import ADDRESS_ATTRIBUTES, HEADER_ATTRIBUTES
from orders.clarus.rest import ClarusExchange
from orders.domain import FieldRef, Refusal
from orders.inputs import is_ascii_digits

# "lines_changes[3].product_id" and "lines_changes[0].product_id" are the same reason.
_INDEX = re.compile(r"\[\d+\]")

# A line's attributes and the desk's line field each stands for.
_LINE_FIELDS = {".product_id": "product_id", ".order_quantity": "quantity"}


def source_target(source: str | None) -> FieldRef | None:
    """Return the field of the keyed order a Clarus error ``source`` names, or None if unknown.

    Sources look like ``reference``, ``lines_changes[2].order_quantity`` or ``address.postcode``;
    ``lines_changes[n]…`` (the dashboard's grouping of every line) names a line's field on no
    line in particular.
    """
    if not source:
        return None
    if source in HEADER_ATTRIBUTES:
        return FieldRef("header", source)
    if source.startswith("address."):
        attribute = source.removeprefix("address.")
        for name, each in ADDRESS_ATTRIBUTES.items():
            if each == attribute:
                return FieldRef("address", name)
        return None
    if source.startswith("lines_changes["):
        index_text, _, rest = source.removeprefix("lines_changes[").partition("]")
        if not (index_text == "n" or (is_ascii_digits(index_text) and len(index_text) <= 6)):
            return None
        line_field = _LINE_FIELDS.get(rest)
        if line_field is None:
            return None
        return FieldRef("line", line_field, int(index_text) if index_text != "n" else None)
    return None


def source_key(source: str | None) -> str:
    """Return a source with its line index left out: every line's same field is one reason."""
    return _INDEX.sub("[n]", source or "")


def _whole_number(value: Any) -> int | None:
    # JSON's true and false are ints to Python; a code is a number.
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def refusals_of(body: Any) -> list[Refusal]:
    """Return the errors of a parsed Clarus 422 body; one saying so if it names none."""
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list) or not any(isinstance(item, dict) for item in items):
        return [Refusal(details="Clarus rejected the order without saying why.")]
    refusals = []
    for item in items:
        if not isinstance(item, dict):
            continue
        source = item.get("source")
        source = source if isinstance(source, str) else None
        refusals.append(
            Refusal(
                details=str(item.get("details") or item.get("symbol") or "Invalid value."),
                code=_whole_number(item.get("code")),
                symbol=str(item.get("symbol") or ""),
                source=source,
                target=source_target(source),
            )
        )
    return refusals


def refusals_in(response_body: str) -> list[Refusal]:
    """Return the errors of a Clarus 422 body as it was kept (text)."""
    try:
        body = json.loads(response_body)
    except ValueError:
        body = None
    return refusals_of(body)


def first_detail(exchange: ClarusExchange) -> str:
    """Return what Clarus said first in an error answer, or its status if it said nothing."""
    body = exchange.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("details") or errors[0].get("symbol") or "refused")
    return status_text(exchange)


def status_text(exchange: ClarusExchange) -> str:
    """Return an answer's status as people read it, e.g. ``HTTP 503``."""
    return status_number_text(exchange.status)


def status_number_text(status: int | None) -> str:
    """Return a kept answer's status as people read it, e.g. ``HTTP 503``."""
    return f"HTTP {status}"


def retry_after(exchange: ClarusExchange) -> float | None:
    """Return how many seconds Clarus asked the desk to wait (``Retry-After``), if it did."""
    headers = {name.lower(): value for name, value in (exchange.response_headers or {}).items()}
    try:
        return max(0.0, float(headers.get("retry-after", "")))
    except ValueError:
        return None
