"""Pure functions between the keyed order and Clarus's JSON:API goods-out document.

No I/O here: the service layer hands in what was keyed and gets back the exact document to send.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

# A Clarus id is a database id: more digits than this is a barcode that matched nothing.
MAX_ID_DIGITS = 9

# Header attributes sent as keyed, under the same name Clarus uses (CONTRACT.md §2.3).
HEADER_ATTRIBUTES = (
    "goods_out_type",
    "account_id",
    "reference",
    "expected_date_of_dispatch",
    "warehouse_id",
    "priority",
    "customer_id",
    "carrier_id",
    "carrier_service_id",
    "order_type_id",
    "dispatch_strategy",
    "pack_strategy",
    "pick_type",
    "delivery_notes",
    "order_notes",
    "pick_notes",
    "packing_notes",
    "load_reference",
    "pick_reference",
    "external_system_reference1",
    "external_system_reference2",
    "external_system_reference3",
)

# The desk's delivery-address fields and the Clarus Address attribute each one fills.
# Clarus: no town/county keys; city goes in address_3, county in address_4 (CONTRACT.md §2.5).
ADDRESS_ATTRIBUTES = {
    "delivery_name": "name",
    "delivery_address_1": "address_1",
    "delivery_address_2": "address_2",
    "delivery_town": "address_3",
    "delivery_county": "address_4",
    "delivery_address_5": "address_5",
    "delivery_postcode": "postcode",
    "delivery_country": "country_code",
    "delivery_email": "email_address",
    "delivery_phone": "phone_number",
}


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: Decimal
    # What the agent saw when picking the product: kept for the audit, never sent.
    product_code: str = ""
    description: str = ""


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _json_value(value: object) -> object:
    """Return ``value`` as Clarus expects it in JSON."""
    if isinstance(value, datetime):
        # Clarus: ISO 8601 with a timezone (CONTRACT.md §1.6).
        if value.tzinfo is None:
            raise ValueError("Dispatch date-times must carry a time zone.")
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def header_attributes(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Clarus header attributes for cleaned form data, leaving out empty fields."""
    # Clarus: omit unknown optional fields rather than send empty strings (CONTRACT.md §1.6).
    return {
        name: _json_value(cleaned[name])
        for name in HEADER_ATTRIBUTES
        if name in cleaned and not _is_empty(cleaned[name])
    }


def address_attributes(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """Return the Clarus Address attributes for cleaned form data, leaving out empty fields.

    A country alone (the form's default) is no address: then there is nothing to send.
    """
    attributes = {
        attribute: _json_value(cleaned[field])
        for field, attribute in ADDRESS_ATTRIBUTES.items()
        if field in cleaned and not _is_empty(cleaned[field])
    }
    return {} if set(attributes) <= {"country_code"} else attributes


def address_fields(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Return the desk's address form fields for stored Clarus Address attributes."""
    return {
        field: attributes[attribute]
        for field, attribute in ADDRESS_ATTRIBUTES.items()
        if attribute in attributes
    }


def quantity_json(quantity: Decimal) -> int | float:
    """Return a quantity as a JSON number: whole numbers as integers."""
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return float(quantity)


def goods_out_document(
    *,
    attributes: Mapping[str, Any],
    lines: Sequence[LineInput],
    address: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the body of ``POST /api/goods_outs`` for a keyed order (CONTRACT.md §2.2)."""
    body_attributes: dict[str, Any] = dict(attributes)
    if lines:
        body_attributes["lines_changes"] = [
            {
                "type": "ADD",
                "attributes": {
                    "product_id": line.product_id,
                    "order_quantity": quantity_json(line.quantity),
                },
            }
            for line in lines
        ]
    data: dict[str, Any] = {"type": "goods_outs", "attributes": body_attributes}
    if address:
        # Clarus: the address goes under relationships, never in attributes (CONTRACT.md §2.5).
        data["relationships"] = {
            "address": {"data": {"type": "addresses", "attributes": dict(address)}}
        }
    return {"data": data}


def goods_out_body(document: Any) -> str:
    """Return the exact text the desk sends for ``document``: compact JSON, UTF-8 as it is.

    The Clarus client serialises every body with it, so a stored request body is this, byte for
    byte.
    """
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def error_field(source: str | None) -> tuple[int | None, str] | None:
    """Return ``(line index, form field)`` for a Clarus error ``source``, or None if unknown.

    The line index is None for header and address fields. Sources look like ``reference``,
    ``lines_changes[2].order_quantity`` or ``address.postcode``.
    """
    if not source:
        return None
    if source in HEADER_ATTRIBUTES:
        return None, source
    if source.startswith("address."):
        attribute = source.removeprefix("address.")
        for field, name in ADDRESS_ATTRIBUTES.items():
            if name == attribute:
                return None, field
        return None
    if source.startswith("lines_changes["):
        index_text, _, rest = source.removeprefix("lines_changes[").partition("]")
        if not index_text.isdigit():
            return None
        line_field = {".product_id": "product_id", ".order_quantity": "quantity"}.get(rest)
        if line_field is None:
            return None
        return int(index_text), line_field
    return None
