"""Builders for sandbox tests: valid goods-out documents, and edits to them by path."""

import copy
from typing import Any

CLIENT_ID = "desk"
CLIENT_SECRET = "desk-secret-0123456789"
GOODS_OUTS = "/sandbox/api/goods_outs"
# Marks a member for edited() to delete.
REMOVE = object()


def goods_out_document() -> dict[str, Any]:
    """Return a valid create document with two lines and a delivery address."""
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "goods_out_type": "sales_order",
                "account_id": 1,
                "reference": "SO-1001",
                "expected_date_of_dispatch": "2026-03-02T09:00:00+00:00",
                "warehouse_id": 3,
                "priority": 5,
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": 123, "order_quantity": 2}},
                    {"type": "ADD", "attributes": {"product_id": 456, "order_quantity": 1.5}},
                ],
            },
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "Jo Bloggs",
                            "address_1": "1 High Street",
                            "address_3": "Leeds",
                            "postcode": "LS1 1AA",
                            "country_code": "GB",
                            "email_address": "jo@example.com",
                            "phone_number": "+44 113 496 0000",
                        },
                    }
                }
            },
        }
    }


def edited(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``document`` with the member at dotted ``path`` set (or REMOVEd).

    Numeric parts index lists: ``data.attributes.lines_changes.0.type``.
    """
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is REMOVE:
        del node[key]
    else:
        node[key] = value
    return result
