"""The body of a Clarus Automations webhook for a goods-out, as the stand-in sends it.

Clarus posts the full record, not just an id (CONTRACT.md §5), but documents no schema. The
stand-in follows the hints there are: the record sits flat under ``data`` (conditions read
``data.account_id``), it carries the reference fields, its status, and for a completed order the
dispatch date and the picked and dispatched quantities. No I/O here.
"""

from datetime import datetime
from typing import Any

from sandbox.goods_out_records import GOODS_OUT_STATUSES, PENDING
from sandbox.models import SandboxGoodsOut, SandboxGoodsOutLine

COMPLETED, CANCELLED = 6, 8
# The status an event means by itself, when the sender is not told one.
EVENT_STATUS = {"completed": COMPLETED, "cancelled": CANCELLED}
EVENTS = ("created", "updated", "processed", "completed", "cancelled")


def goods_out_webhook_body(
    goods_out: SandboxGoodsOut,
    *,
    event: str,
    lines: list[SandboxGoodsOutLine],
    updated_at: datetime,
) -> dict[str, Any]:
    """Return the webhook body for ``event`` on ``goods_out`` as it stands at ``updated_at``."""
    status_id = goods_out.goods_out_status_id or PENDING
    code, name = GOODS_OUT_STATUSES.get(status_id, (str(status_id), str(status_id)))
    dispatched = status_id == COMPLETED
    # The record lists its lines, not the changes that made them.
    record: dict[str, Any] = {
        key: value for key, value in goods_out.attributes.items() if key != "lines_changes"
    }
    record.update(
        {
            "id": goods_out.pk,
            "reference": goods_out.reference,
            "goods_out_status_id": status_id,
            "goods_out_status": {"id": status_id, "code": code, "name": name},
            "created_at": goods_out.received_at.isoformat(),
            "updated_at": updated_at.isoformat(),
            # Clarus sets the actual dispatch time itself (CONTRACT.md §2.3).
            "actual_date_of_dispatch": updated_at.isoformat() if dispatched else None,
            "address": goods_out.address,
            "lines": [_line(line, dispatched=dispatched) for line in lines],
        }
    )
    return {"resource_name": "goods_out", "event": event, "data": record}


def _line(line: SandboxGoodsOutLine, *, dispatched: bool) -> dict[str, Any]:
    # The stand-in picks nothing itself; a goods-out it calls completed went out in full.
    return {
        "line_number": line.line_number,
        "product_id": line.product_id,
        "order_quantity": line.order_quantity,
        "allocated_quantity": line.allocated_quantity,
        "picked_quantity": line.order_quantity if dispatched else line.pick_quantity,
        "dispatched_quantity": line.order_quantity if dispatched else line.dispatch_quantity,
    }
