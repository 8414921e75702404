"""Clarus's goods-outs: create one, cancel one, find one by reference, and read its status.

Each call returns the exchanges that went over the wire (for the audit trail) and the answer in
the desk's words: what kind of answer it was, the goods-out id, Clarus's reasons for refusing.
The desk's decisions about its order (``states.VERDICTS``) are not taken here.
"""

from dataclasses import dataclass
from typing import Any

from orders.clarus.errors import first_detail, refusals_of, retry_after, status_text
from orders.clarus.graphql import edges, query
from orders.clarus.http import Endpoint, Transport
from orders.clarus.rest import ClarusExchange, post_json
from orders.domain import AnswerKind, GoodsOutStatus, Refusal
from orders.models import Tenant

GOODS_OUTS_PATH = "goods_outs"


@dataclass(frozen=True)
class CreateAnswer:
    """What one request to create a goods-out came to."""

    kind: AnswerKind
    goods_out_id: int | None = None
    refusals: tuple[Refusal, ...] = ()
    # Seconds Clarus asked the desk to wait before trying again.
    retry_after: float | None = None
    # What went wrong, in words (it may name Clarus's HTTP status).
    problem: str = ""


def _goods_out_id(body: Any) -> int | None:
    try:
        value = body["data"]["id"]
    except (KeyError, TypeError):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def create_answer(exchange: ClarusExchange) -> CreateAnswer:
    """Read one exchange of ``POST goods_outs`` (CONTRACT.md §2.2, §3)."""
    if exchange.status is None:
        if exchange.auth_failed:
            return CreateAnswer(AnswerKind.NO_TOKEN, problem=exchange.transport_error)
        if exchange.may_have_arrived:
            return CreateAnswer(AnswerKind.NO_ANSWER, problem=exchange.transport_error)
        return CreateAnswer(AnswerKind.UNREACHABLE, problem=exchange.transport_error)
    body = exchange.json()
    if exchange.status == 200:
        goods_out_id = _goods_out_id(body)
        if goods_out_id is None:
            return CreateAnswer(AnswerKind.NO_ID)
        return CreateAnswer(AnswerKind.CREATED, goods_out_id=goods_out_id)
    if exchange.status == 422:
        return CreateAnswer(AnswerKind.REFUSED, refusals=tuple(refusals_of(body)))
    if exchange.status == 401:
        detail = body.get("error") if isinstance(body, dict) else None
        problem = "Clarus refused the desk's access" + (f" ({detail})." if detail else ".")
        return CreateAnswer(AnswerKind.UNAUTHORIZED, problem=problem)
    if exchange.status == 429:
        return CreateAnswer(
            AnswerKind.THROTTLED,
            problem=f"Clarus asked the desk to slow down ({status_text(exchange)}).",
            retry_after=retry_after(exchange),
        )
    return CreateAnswer(
        AnswerKind.SERVER_ERROR,
        problem=f"Clarus answered with an error ({status_text(exchange)}).",
    )


def goods_out_create(
    *, tenant: Tenant, document: dict[str, Any], transport: Transport | None = None
) -> tuple[list[ClarusExchange], list[CreateAnswer]]:
    """Send the document; return every exchange it took, each with what it came to."""
    exchanges = post_json(
        tenant, GOODS_OUTS_PATH, document, endpoint=Endpoint.GOODS_OUT_CREATE, transport=transport
    )
    return exchanges, [create_answer(exchange) for exchange in exchanges]


@dataclass(frozen=True)
class CancelAnswer:
    cancelled: bool
    # Clarus answered and would not cancel it (no such goods-out, or one it cannot cancel).
    refused: bool = False
    # Clarus's reason when it refused; why it could not be asked otherwise.
    details: str = ""


def goods_out_cancel(
    *, tenant: Tenant, goods_out_id: int, transport: Transport | None = None
) -> tuple[list[ClarusExchange], CancelAnswer]:
    """Ask Clarus to cancel a goods-out (CONTRACT.md §2.7); return the exchanges and its answer.

    Clarus deletes a draft or pending goods-out and cancels an allocated one; a dispatched one
    cannot be cancelled.
    """
    # Clarus: the cancel action takes no body (CONTRACT.md §2.7).
    exchanges = post_json(
        tenant,
        f"{GOODS_OUTS_PATH}/{goods_out_id}/cancel",
        None,
        endpoint=Endpoint.GOODS_OUT_CANCEL,
        transport=transport,
    )
    last = exchanges[-1]
    if last.status == 200:
        return exchanges, CancelAnswer(cancelled=True)
    if last.status in (404, 422):
        return exchanges, CancelAnswer(cancelled=False, refused=True, details=first_detail(last))
    return exchanges, CancelAnswer(
        cancelled=False, details=last.transport_error or status_text(last)
    )


GOODS_OUT_BY_REFERENCE = """
query($filter: GoodsOutsFilterType) {
  goods_outs { all(filter: $filter, first: 2) { edges { node { id reference } } } }
}
"""


def goods_out_id_by_reference(
    *, tenant: Tenant, reference: str, transport: Transport | None = None
) -> int | None:
    """Return the id of the goods-out Clarus holds under ``reference``, or None.

    Raises ClarusQueryError when Clarus cannot be asked. Clarus documents no ``id`` filter but
    does document ``reference`` (CONTRACT.md §2.8); the desk keeps references unique per tenant.
    """
    data = query(
        tenant,
        GOODS_OUT_BY_REFERENCE,
        {"filter": {"reference": {"eq": reference}}},
        endpoint=Endpoint.GOODS_OUT_LOOKUP,
        transport=transport,
    )
    matches = [node for node in edges(data, "goods_outs") if node.get("reference") == reference]
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


def goods_out_status(
    *, tenant: Tenant, reference: str, transport: Transport | None = None
) -> GoodsOutStatus | None:
    """Return the goods-out's status as Clarus has it now, or None if Clarus has no such order.

    Raises ClarusQueryError when Clarus cannot be asked.
    """
    data = query(
        tenant,
        GOODS_OUT_STATUS_BY_REFERENCE,
        {"filter": {"reference": {"eq": reference}}},
        endpoint=Endpoint.GOODS_OUT_LOOKUP,
        transport=transport,
    )
    for node in edges(data, "goods_outs"):
        if node.get("reference") == reference:
            status = node.get("goods_out_status") or {}
            return GoodsOutStatus(
                goods_out_id=int(node["id"]),
                code=str(status.get("code") or ""),
                name=str(status.get("name") or status.get("code") or "Unknown"),
            )
    return None


def status_label(code: str) -> str:
    """Return a goods-out status code in words; COMPLETED is Clarus's "dispatched"
    (CONTRACT.md §2.6)."""
    if code == "COMPLETED":
        return "Completed (dispatched)"
    return code.replace("_", " ").capitalize()
