"""What GraphQL reads of a received goods-out: its header columns and its line rows.

REST keeps each goods-out document exactly as it arrived; these pure functions copy the members
GraphQL filters and joins on into columns and line rows when it is stored.
"""

from datetime import datetime
from typing import Any

from sandbox.models import SandboxGoodsOut, SandboxGoodsOutLine

# Clarus's default goods-out statuses, id: (code, name) (GoodsOutStatusId, CONTRACT.md §2.6).
GOODS_OUT_STATUSES: dict[int, tuple[str, str]] = {
    1: ("DRAFT", "Draft"),
    2: ("PENDING", "Pending"),
    3: ("PICK", "Pick"),
    4: ("PART", "Part"),
    5: ("ALLOCATED", "Allocated"),
    6: ("COMPLETED", "Completed"),
    7: ("PART_ALLOCATED", "Part allocated"),
    8: ("CANCELLED", "Cancelled"),
}
# Clarus: a new goods-out is PENDING unless it says otherwise (CONTRACT.md §2.6).
PENDING = 2

# The widest integers the columns hold on SQLite and PostgreSQL alike; the validator accepts
# any JSON integer, so a larger one is kept in the document only.
_INT_MAX = 2**31 - 1
_BIGINT_MAX = 2**63 - 1


def goods_out_columns(attributes: dict[str, Any]) -> dict[str, Any]:
    """Return the ``SandboxGoodsOut`` column values a valid create's attributes give."""
    status = attributes.get("goods_out_status_id")
    return {
        "goods_out_status_id": _fit(status, _INT_MAX) if status is not None else PENDING,
        "priority": attributes.get("priority"),
        "expected_date_of_dispatch": datetime.fromisoformat(
            attributes["expected_date_of_dispatch"].upper()
        ),
        "account_id": _fit(attributes.get("account_id"), _BIGINT_MAX),
        "warehouse_id": _fit(attributes.get("warehouse_id"), _BIGINT_MAX),
        "carrier_id": _fit(attributes.get("carrier_id"), _BIGINT_MAX),
    }


def goods_out_lines(goods_out: SandboxGoodsOut) -> list[SandboxGoodsOutLine]:
    """Return unsaved rows for the ADD lines of a stored goods-out, in document order."""
    header_carrier = goods_out.attributes.get("carrier_id")
    lines: list[SandboxGoodsOutLine] = []
    for number, change in enumerate(goods_out.attributes.get("lines_changes") or [], start=1):
        if change.get("type") != "ADD":
            continue
        line = change.get("attributes") or {}
        # A line's own carrier overrides the order's (CONTRACT.md §2.4).
        carrier = line.get("carrier_id")
        lines.append(
            SandboxGoodsOutLine(
                goods_out=goods_out,
                line_number=number,
                product_id=_fit(line.get("product_id"), _BIGINT_MAX),
                carrier_id=_fit(carrier if carrier is not None else header_carrier, _BIGINT_MAX),
                order_quantity=float(line["order_quantity"]),
                created_at=goods_out.received_at,
            )
        )
    return lines


def _fit(value: int | None, largest: int) -> int | None:
    if value is None or not -largest - 1 <= value <= largest:
        return None
    return value
