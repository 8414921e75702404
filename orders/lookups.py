"""Reads from Clarus: what Clarus knows, asked over GraphQL."""

from dataclasses import dataclass

import httpx

from orders import clarus
from orders.models import Tenant

GOODS_OUT_BY_REFERENCE = """
query($filter: GoodsOutsFilterType) {
  goods_outs { all(filter: $filter, first: 2) { edges { node { id reference } } } }
}
"""


def clarus_goods_out_id_by_reference(
    *, tenant: Tenant, reference: str, transport: httpx.BaseTransport | None = None
) -> int | None:
    """Return the id of the goods-out Clarus holds under ``reference``, or None.

    Raises ClarusQueryError when Clarus cannot be asked. Clarus documents no ``id`` filter but
    does document ``reference`` (CONTRACT.md §2.8); the desk keeps references unique per tenant.
    """
    data = clarus.query(
        tenant,
        GOODS_OUT_BY_REFERENCE,
        {"filter": {"reference": {"eq": reference}}},
        transport=transport,
    )
    matches = [
        node for node in clarus.edges(data, "goods_outs") if node.get("reference") == reference
    ]
    if not matches:
        return None
    return int(matches[0]["id"])


GOODS_OUT_STATUS_BY_REFERENCE = """
query($filter: GoodsOutsFilterType) {
  goods_outs {
    all(filter: $filter, first: 2) {
      edges { node { id reference goods_out_status { code name } } }
    }
  }
}
"""


@dataclass(frozen=True)
class ClarusGoodsOutStatus:
    goods_out_id: int
    code: str
    name: str


def clarus_goods_out_status(
    *, tenant: Tenant, reference: str, transport: httpx.BaseTransport | None = None
) -> ClarusGoodsOutStatus | None:
    """Return the goods-out's status as Clarus has it now, or None if Clarus has no such order.

    Raises ClarusQueryError when Clarus cannot be asked.
    """
    data = clarus.query(
        tenant,
        GOODS_OUT_STATUS_BY_REFERENCE,
        {"filter": {"reference": {"eq": reference}}},
        transport=transport,
    )
    for node in clarus.edges(data, "goods_outs"):
        if node.get("reference") == reference:
            status = node.get("goods_out_status") or {}
            return ClarusGoodsOutStatus(
                goods_out_id=int(node["id"]),
                code=str(status.get("code") or ""),
                name=str(status.get("name") or status.get("code") or "Unknown"),
            )
    return None
