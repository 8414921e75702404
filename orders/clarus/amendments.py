"""An amendment as Clarus receives it: the body of ``PATCH /api/goods_outs/{id}``, and back.

Pure functions, no I/O. ``amendment_document`` turns the desk's ``Amendment`` (what changes
between two ``StandingOrder``s, ``orders.domain.amendment_between``) into Clarus's document:
the header attributes Clarus requires and those that change, the whole new address under
``relationships`` when any of it changes, and ``lines_changes`` of ``ADD``, ``UPDATE`` (the
line's id and what changes) and ``DESTROY`` (the line's id) (CONTRACT.md §2.4, §2.5).
``document_applied`` is what Clarus makes of such a document, so the desk can tell, after a
request that got no answer, whether Clarus holds the amended order.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from orders.clarus.documents import (
    address_attributes,
    header_attributes,
    quantity_json,
    stored_address,
    stored_header,
)
from orders.domain import Amendment, LineEdit, StandingLine, StandingOrder

# Clarus: the schema's name for removing a line is DESTROY; the update page's prose and example
# say REMOVE (CONTRACT.md §2.4, gotcha 5). Should a tenant answer only to REMOVE, change it here.
LINE_REMOVE = "DESTROY"
# Clarus: the spec's PATCH body uses GoodsOutAttributes, whose required members are these; they
# are sent as they stand with every amendment (CONTRACT.md §2.3).
REQUIRED_HEADER = ("goods_out_type", "account_id", "reference", "expected_date_of_dispatch")


def _line_change(edit: LineEdit) -> dict[str, Any]:
    if edit.op == "add":
        assert edit.quantity_new is not None
        attributes = {"product_id": edit.product_id, "order_quantity": _number(edit.quantity_new)}
        return {"type": "ADD", "attributes": attributes}
    if edit.op == "remove":
        return {"type": LINE_REMOVE, "id": edit.line_id}
    changed: dict[str, Any] = {}
    if edit.product_id_old is not None:
        changed["product_id"] = edit.product_id
    if edit.quantity_new is not None and edit.quantity_new != edit.quantity_old:
        changed["order_quantity"] = _number(edit.quantity_new)
    return {"type": "UPDATE", "id": edit.line_id, "attributes": changed}


def _number(quantity: Decimal) -> int | float:
    return quantity_json(quantity)


def amendment_document(*, amendment: Amendment, after: StandingOrder) -> dict[str, Any]:
    """Return the body of ``PATCH /api/goods_outs/{id}`` that turns the goods-out into ``after``.

    A header field emptied is sent as null (every optional attribute is nullable).
    """
    now = header_attributes(after.header)
    attributes: dict[str, Any] = {name: now[name] for name in REQUIRED_HEADER if name in now}
    for edit in amendment.fields:
        if edit.part == "header":
            attributes[edit.name] = now.get(edit.name)
    if amendment.lines:
        attributes["lines_changes"] = [_line_change(edit) for edit in amendment.lines]
    data: dict[str, Any] = {"type": "goods_outs", "attributes": attributes}
    if any(edit.part == "address" for edit in amendment.fields):
        # Clarus: a changed address goes under relationships, whole (CONTRACT.md §2.5).
        data["relationships"] = {
            "address": {
                "data": {"type": "addresses", "attributes": address_attributes(after.address)}
            }
        }
    return {"data": data}


def document_applied(
    before: StandingOrder, document: Mapping[str, Any], *, added_ids: Sequence[int] = ()
) -> StandingOrder:
    """Return ``before`` as Clarus leaves it after the amendment ``document``: header attributes
    replaced (null empties them), the address replaced, lines updated, destroyed or added at the
    end (with ``added_ids`` as their ids, else None). Pure."""
    data = document["data"]
    changed = dict(data["attributes"])
    changes = changed.pop("lines_changes", [])
    header = {**header_attributes(before.header), **changed}
    header = {name: value for name, value in header.items() if value is not None}
    address = before.address
    relationship = data.get("relationships", {}).get("address", {}).get("data")
    if relationship is not None:
        address = stored_address(relationship.get("attributes") or {})
    lines = {line.line_id: line for line in before.lines}
    order = [line.line_id for line in before.lines]
    added_iter = iter(added_ids)
    added: list[StandingLine] = []
    for change in changes:
        kind = change["type"]
        if kind == LINE_REMOVE:
            order.remove(change["id"])
        elif kind == "UPDATE":
            line = lines[change["id"]]
            attributes = change.get("attributes") or {}
            lines[change["id"]] = replace(
                line,
                product_id=attributes.get("product_id", line.product_id),
                quantity=Decimal(str(attributes.get("order_quantity", line.quantity))),
            )
        else:
            attributes = change["attributes"]
            added.append(
                StandingLine(
                    line_id=next(added_iter, None),
                    product_id=attributes["product_id"],
                    quantity=Decimal(str(attributes["order_quantity"])),
                )
            )
    return StandingOrder(
        header=stored_header(header),
        address=address,
        lines=tuple(lines[line_id] for line_id in order) + tuple(added),
    )


def standing_essence(standing: StandingOrder) -> dict[str, Any]:
    """Return what Clarus holds of a standing order, as compared: header and address as Clarus
    attributes, lines as (id, product, quantity); the SKUs and descriptions shown do not count."""
    return {
        "header": header_attributes(standing.header),
        "address": address_attributes(standing.address),
        "lines": [
            [line.line_id, line.product_id, quantity_json(line.quantity)] for line in standing.lines
        ],
    }


def standing_matches(current: StandingOrder, expected: StandingOrder) -> bool:
    """Return whether Clarus's ``current`` goods-out is ``expected``, where a line ``expected``
    adds (no id yet) matches whatever id Clarus gave it."""
    now, wanted = standing_essence(current), standing_essence(expected)
    if now["header"] != wanted["header"] or now["address"] != wanted["address"]:
        return False
    if len(now["lines"]) != len(wanted["lines"]):
        return False
    return all(
        (want[0] is None or want[0] == have[0]) and want[1:] == have[1:]
        for have, want in zip(now["lines"], wanted["lines"], strict=True)
    )


def read_version(nodes: Any) -> str:
    """Return the version of what Clarus answered to a read: a digest of its answer."""
    text = json.dumps(nodes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
