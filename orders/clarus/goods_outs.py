"""Clarus's goods-outs: create one, cancel one, find one by reference, and read its status.

Each call returns the exchanges that went over the wire (for the audit trail) and the answer in
the desk's words: what kind of answer it was, the goods-out id, Clarus's reasons for refusing.
The desk's decisions about its order (``states.VERDICTS``) are not taken here.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from orders.clarus.amendments import read_version
from orders.clarus.documents import stored_address
from orders.clarus.errors import first_detail, refusals_of, retry_after, status_text
from orders.clarus.graphql import edges, query
from orders.clarus.http import Endpoint, Transport
from orders.clarus.rest import ClarusExchange, patch_json, post_json
from orders.domain import (
    AmendmentKind,
    AnswerKind,
    GoodsOutRead,
    GoodsOutStatus,
    OrderHeader,
    Refusal,
    StandingLine,
    StandingOrder,
)
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
    # The ids Clarus gave the lines, in the order they were sent, when it said them.
    line_ids: tuple[int | None, ...] = ()


def _line_ids(body: Any) -> tuple[int | None, ...]:
    """Return the line ids of a create's answer (``lines_changes[i].id``), None where unsaid."""
    try:
        changes = body["data"]["attributes"]["lines_changes"]
    except (KeyError, TypeError):
        return ()
    if not isinstance(changes, list):
        return ()
    return tuple(
        _whole(change.get("id")) if isinstance(change, dict) else None for change in changes
    )


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
        return CreateAnswer(AnswerKind.CREATED, goods_out_id=goods_out_id, line_ids=_line_ids(body))
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


# Amending: the goods-out as it stands, read over GraphQL, and the PATCH that changes it.

_ADDRESS_FIELDS = (
    "name address_1 address_2 address_3 address_4 address_5 postcode country_code "
    "email_address phone_number"
)
# The header attributes read back, under the names the create sends (CONTRACT.md §2.3); Clarus
# documents "more fields via introspection" on goods_outs (§2.8), the sandbox answers these.
_HEADER_TEXT = (
    "goods_out_type",
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
_HEADER_IDS = (
    "account_id",
    "warehouse_id",
    "customer_id",
    "carrier_id",
    "carrier_service_id",
    "order_type_id",
)
_LINE_NODE = "id product_id order_quantity product { id code description }"
GOODS_OUT_FOR_AMENDING = f"""
query($filter: GoodsOutsFilterType, $lines: GoodsOutLineFilterType) {{
  goods_outs {{ all(filter: $filter, first: 2) {{ edges {{ node {{
    id reference priority expected_date_of_dispatch goods_out_status {{ code name }}
    {" ".join(_HEADER_TEXT + _HEADER_IDS)}
    address {{ {_ADDRESS_FIELDS} }}
  }} }} }} }}
  goods_out_lines {{ all(filter: $lines, first: 100) {{
    edges {{ node {{ {_LINE_NODE} }} }} pageInfo {{ hasNextPage endCursor }}
  }} }}
}}
"""
GOODS_OUT_MORE_LINES = f"""
query($lines: GoodsOutLineFilterType, $after: String) {{
  goods_out_lines {{ all(filter: $lines, first: 100, after: $after) {{
    edges {{ node {{ {_LINE_NODE} }} }} pageInfo {{ hasNextPage endCursor }}
  }} }}
}}
"""
# More lines than an order may have: a goods-out read stops here rather than loop for ever.
_MAX_LINE_PAGES = 10


def _whole(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


def _dispatch(value: Any, hint: datetime | None) -> datetime | str | None:
    """Return the dispatch Clarus gave as a date-time with its zone.

    Clarus's GraphQL example gives it as a bare date (CONTRACT.md §2.8): the time of day is then
    the desk's own (``hint``), in the desk's time zone, so an unchanged date reads unchanged.
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        return moment
    if hint is None:
        return timezone.make_aware(moment)
    local = timezone.localtime(hint)
    if len(value) <= len("2026-01-01"):
        return local.replace(year=moment.year, month=moment.month, day=moment.day)
    return timezone.make_aware(moment)


def _standing(
    node: dict[str, Any], lines: list[dict[str, Any]], hint: datetime | None
) -> StandingOrder:
    header: dict[str, Any] = {name: node.get(name) or "" for name in _HEADER_TEXT}
    header.update({name: _whole(node.get(name)) for name in _HEADER_IDS})
    header.update(
        reference=str(node.get("reference") or ""),
        priority=_whole(node.get("priority")),
        expected_date_of_dispatch=_dispatch(node.get("expected_date_of_dispatch"), hint),
    )
    standing_lines = []
    for line in lines:
        product = line.get("product") or {}
        product_id = _whole(line.get("product_id")) or _whole(product.get("id"))
        if product_id is None:
            continue
        standing_lines.append(
            StandingLine(
                line_id=_whole(line.get("id")),
                product_id=product_id,
                quantity=Decimal(str(line.get("order_quantity") or 0)).normalize(),
                product_code=str(product.get("code") or ""),
                description=str(product.get("description") or ""),
            )
        )
    return StandingOrder(
        header=OrderHeader(**header),
        address=stored_address(
            {key: value for key, value in (node.get("address") or {}).items() if value}
        ),
        lines=tuple(standing_lines),
    )


def goods_out_read(
    *,
    tenant: Tenant,
    goods_out_id: int,
    reference: str,
    dispatch_hint: datetime | None = None,
    transport: Transport | None = None,
) -> GoodsOutRead | None:
    """Return the goods-out as Clarus holds it now, lines with their ids; None if Clarus has no
    such goods-out under ``reference``. Raises ClarusQueryError when Clarus cannot be asked.

    Clarus documents no ``id`` filter on goods-outs, so it is found by reference and its id
    checked; lines are filtered by ``goods_out_id`` (CONTRACT.md §2.8).
    """
    lines_filter = {"goods_out_id": {"eq": str(goods_out_id)}}
    data = query(
        tenant,
        GOODS_OUT_FOR_AMENDING,
        {"filter": {"reference": {"eq": reference}}, "lines": lines_filter},
        endpoint=Endpoint.GOODS_OUT_READ,
        transport=transport,
    )
    node = next((n for n in edges(data, "goods_outs") if _whole(n.get("id")) == goods_out_id), None)
    if node is None:
        return None
    lines = edges(data, "goods_out_lines")
    page = (data.get("goods_out_lines") or {}).get("all") or {}
    for _ in range(_MAX_LINE_PAGES):
        info = page.get("pageInfo") or {}
        if not info.get("hasNextPage"):
            break
        more = query(
            tenant,
            GOODS_OUT_MORE_LINES,
            {"lines": lines_filter, "after": info.get("endCursor")},
            endpoint=Endpoint.GOODS_OUT_READ,
            transport=transport,
        )
        lines += edges(more, "goods_out_lines")
        page = (more.get("goods_out_lines") or {}).get("all") or {}
    status = node.get("goods_out_status") or {}
    # The version covers all Clarus said of the order, its status aside: picking starting does
    # not make an amendment conflict, Clarus refuses it by itself.
    said = {key: value for key, value in node.items() if key != "goods_out_status"}
    return GoodsOutRead(
        goods_out_id=goods_out_id,
        status=GoodsOutStatus(
            goods_out_id=goods_out_id,
            code=str(status.get("code") or ""),
            name=str(status.get("name") or status.get("code") or "Unknown"),
        ),
        standing=_standing(node, lines, dispatch_hint),
        version=read_version({"goods_out": said, "lines": sorted(map(_line_said, lines))}),
    )


def _line_said(line: dict[str, Any]) -> tuple[int, int, str]:
    """Return what Clarus said of a line that an amendment could change (not the catalogue's
    words for its product)."""
    return (
        _whole(line.get("id")) or 0,
        _whole(line.get("product_id")) or 0,
        str(line.get("order_quantity")),
    )


@dataclass(frozen=True)
class AmendAnswer:
    """What one request to amend a goods-out came to."""

    kind: AmendmentKind
    refusals: tuple[Refusal, ...] = ()
    # The ids Clarus gave the lines the amendment added, in the order they were added.
    added_line_ids: tuple[int, ...] = ()
    problem: str = ""


def amend_answer(exchange: ClarusExchange) -> AmendAnswer:
    """Read one exchange of ``PATCH goods_outs/{id}`` (CONTRACT.md §2.1, §3)."""
    if exchange.status is None:
        if exchange.auth_failed:
            return AmendAnswer(AmendmentKind.NO_TOKEN, problem=exchange.transport_error)
        if exchange.may_have_arrived:
            return AmendAnswer(AmendmentKind.NO_ANSWER, problem=exchange.transport_error)
        return AmendAnswer(AmendmentKind.UNREACHABLE, problem=exchange.transport_error)
    body = exchange.json()
    if exchange.status == 200:
        changes: list[Any] = []
        with contextlib.suppress(KeyError, TypeError):
            changes = body["data"]["attributes"]["lines_changes"] or []
        added = tuple(
            line_id
            for change in changes
            if isinstance(change, dict) and change.get("type") == "ADD"
            if (line_id := _whole(change.get("id"))) is not None
        )
        return AmendAnswer(AmendmentKind.APPLIED, added_line_ids=added)
    if exchange.status == 422:
        return AmendAnswer(AmendmentKind.REFUSED, refusals=tuple(refusals_of(body)))
    if exchange.status == 404:
        return AmendAnswer(
            AmendmentKind.NOT_FOUND,
            refusals=(
                Refusal(details=f"Clarus has no such goods-out ({first_detail(exchange)})."),
            ),
        )
    if exchange.status == 401:
        return AmendAnswer(AmendmentKind.UNAUTHORIZED, problem="Clarus refused the desk's access.")
    return AmendAnswer(
        AmendmentKind.SERVER_ERROR,
        problem=f"Clarus answered with an error ({status_text(exchange)}).",
    )


def goods_out_amend(
    *,
    tenant: Tenant,
    goods_out_id: int,
    document: dict[str, Any],
    transport: Transport | None = None,
) -> tuple[list[ClarusExchange], AmendAnswer]:
    """Send an amendment (``PATCH goods_outs/{id}``); return every exchange and the last answer."""
    exchanges = patch_json(
        tenant,
        f"{GOODS_OUTS_PATH}/{goods_out_id}",
        document,
        endpoint=Endpoint.GOODS_OUT_AMEND,
        transport=transport,
    )
    return exchanges, amend_answer(exchanges[-1])
