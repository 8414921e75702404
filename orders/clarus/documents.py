"""The desk's keyed order as Clarus's JSON:API goods-out document, and back.

Pure functions, no I/O: services hand in the desk's dataclasses (``orders.domain``) and get the
exact document to send; a stored order's header and address (kept in Clarus's attribute names,
as they were sent) are read back into the same dataclasses.
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from orders.domain import DeliveryAddress, LineInput, OrderHeader

# Header attributes sent as keyed, under the same name Clarus uses (CONTRACT.md §2.3): the
# desk's header fields, in the order they are sent.
HEADER_ATTRIBUTES = tuple(each.name for each in fields(OrderHeader))

# Each delivery-address field and the Clarus Address attribute it fills, in the order sent.
# Clarus: no town/county keys; city goes in address_3, county in address_4 (CONTRACT.md §2.5).
ADDRESS_ATTRIBUTES = {
    "name": "name",
    "address_1": "address_1",
    "address_2": "address_2",
    "town": "address_3",
    "county": "address_4",
    "address_5": "address_5",
    "postcode": "postcode",
    "country": "country_code",
    "email": "email_address",
    "phone": "phone_number",
}
assert tuple(ADDRESS_ATTRIBUTES) == tuple(each.name for each in fields(DeliveryAddress))


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


def header_attributes(header: OrderHeader) -> dict[str, Any]:
    """Return the Clarus header attributes of a keyed header, leaving out empty fields."""
    # Clarus: omit unknown optional fields rather than send empty strings (CONTRACT.md §1.6).
    return {
        name: _json_value(getattr(header, name))
        for name in HEADER_ATTRIBUTES
        if not _is_empty(getattr(header, name))
    }


def address_attributes(address: DeliveryAddress) -> dict[str, Any]:
    """Return the Clarus Address attributes of a keyed address, leaving out empty fields.

    A country alone (the form's default) is no address: then there is nothing to send.
    """
    attributes = {
        attribute: _json_value(getattr(address, name))
        for name, attribute in ADDRESS_ATTRIBUTES.items()
        if not _is_empty(getattr(address, name))
    }
    return {} if set(attributes) <= {"country_code"} else attributes


def stored_header(attributes: Mapping[str, Any]) -> OrderHeader:
    """Return the header of a stored order (its Clarus attributes, as sent)."""
    values = {name: attributes[name] for name in HEADER_ATTRIBUTES if name in attributes}
    dispatch = values.get("expected_date_of_dispatch")
    if isinstance(dispatch, str):
        try:
            moment = datetime.fromisoformat(dispatch)
        except ValueError:
            moment = None
        # A value that is not a date-time with its zone is sent again as it was kept.
        if moment is not None and moment.tzinfo is not None:
            values["expected_date_of_dispatch"] = moment
    return OrderHeader(**values)


def stored_address(attributes: Mapping[str, Any]) -> DeliveryAddress:
    """Return the address of a stored order (its Clarus Address attributes, as sent)."""
    return DeliveryAddress(
        **{
            name: str(attributes[attribute])
            for name, attribute in ADDRESS_ATTRIBUTES.items()
            if attribute in attributes
        }
    )


def quantity_json(quantity: Decimal) -> int | float:
    """Return a quantity as a JSON number: whole numbers as integers."""
    if quantity == quantity.to_integral_value():
        return int(quantity)
    return float(quantity)


def goods_out_document(
    *, header: OrderHeader, lines: Sequence[LineInput], address: DeliveryAddress
) -> dict[str, Any]:
    """Return the body of ``POST /api/goods_outs`` for a keyed order (CONTRACT.md §2.2)."""
    body_attributes: dict[str, Any] = header_attributes(header)
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
    address_json = address_attributes(address)
    if address_json:
        # Clarus: the address goes under relationships, never in attributes (CONTRACT.md §2.5).
        data["relationships"] = {
            "address": {"data": {"type": "addresses", "attributes": address_json}}
        }
    return {"data": data}


def goods_out_body(document: Mapping[str, Any]) -> str:
    """Return a document as the text sent over the wire (compact, UTF-8 as it is)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


def readable_path(path: str) -> str:
    """Return a flattened path of a sent document as the form reads it: without the JSON:API
    envelope (``data.attributes.`` goes, ``data.relationships.address.data.attributes.``
    becomes ``address.``)."""
    for envelope, short in (
        ("data.relationships.address.data.attributes.", "address."),
        ("data.attributes.", ""),
    ):
        if path.startswith(envelope):
            return short + path.removeprefix(envelope)
    return path
