"""Cancelling a goods-out, as Clarus does (CONTRACT.md §2.7).

Draft and pending orders are deleted; allocated or picking ones become cancelled (status 8);
a dispatched order cannot be cancelled (422).
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from sandbox.models import SandboxGoodsOut, SandboxSubdomain

DRAFT, PENDING, COMPLETED, CANCELLED = 1, 2, 6, 8
DELETED_ON_CANCEL = frozenset({DRAFT, PENDING})


@dataclass(frozen=True)
class CancelOutcome:
    found: bool
    refused: str = ""
    data: dict[str, Any] | None = None


def goods_out_cancel(*, subdomain: SandboxSubdomain, goods_out_id: int) -> CancelOutcome:
    with transaction.atomic():
        goods_out = (
            SandboxGoodsOut.objects.select_for_update()
            .filter(subdomain=subdomain, pk=goods_out_id)
            .first()
        )
        if goods_out is None:
            return CancelOutcome(found=False)
        status = goods_out.goods_out_status_id or PENDING
        if status == COMPLETED:
            return CancelOutcome(found=True, refused="The goods-out has been dispatched already.")
        if status == CANCELLED:
            return CancelOutcome(found=True, refused="The goods-out is cancelled already.")
        attributes = {**goods_out.attributes, "goods_out_status_id": CANCELLED}
        data = {"id": goods_out.pk, "type": "goods_outs", "attributes": attributes}
        if status in DELETED_ON_CANCEL:
            goods_out.delete()
        else:
            goods_out.goods_out_status_id = CANCELLED
            goods_out.save(update_fields=["goods_out_status_id"])
    return CancelOutcome(found=True, data=data)
