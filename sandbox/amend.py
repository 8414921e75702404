"""Amending a goods-out, as Clarus does: ``PATCH /api/goods_outs/{id}`` (CONTRACT.md §2.4, §2.5).

The body is a goods-out document like a create's (the spec's PATCH request schema uses the same
``GoodsOutAttributes``, required members included): header attributes, the delivery address under
``relationships`` (it replaces the one the goods-out had), and ``lines_changes`` of ``ADD`` (new
line, attributes), ``UPDATE`` (``id`` and the attributes that change) and ``DESTROY`` (``id``).
The update page's prose names the last ``REMOVE``; the schema says ``DESTROY``, and so does the
stand-in: ``REMOVE`` is refused like any other unknown type.

A goods-out may be amended while it is a draft or pending (awaiting allocation); once Clarus has
allocated it or picking has started, the amendment is refused with 422 and a reason
(the update page warns that such orders "may have restrictions"). Line ids are the ids GraphQL's
``goods_out_lines`` gives, and are kept across amendments.
"""

import copy
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sandbox.catalogue_rules import unknown_product_problems
from sandbox.goods_out_records import GOODS_OUT_STATUSES, PENDING, goods_out_columns
from sandbox.goods_out_schema import INTEGER, LINE_ADD_REQUIRED, LINE_CHANGE_TYPES, LINE_RULES
from sandbox.models import SandboxGoodsOut, SandboxGoodsOutLine, SandboxSubdomain
from sandbox.validation import (
    Code,
    Problem,
    Where,
    _listing,
    _missing,
    _others,
    _unknown,
    goods_out_create_problems,
    members_problems,
    value_problems,
)

DRAFT = 1
# Clarus: changes are restricted once picking starts (the update page); the stand-in allows them
# only before allocation.
AMENDABLE = frozenset({DRAFT, PENDING})


@dataclass(frozen=True)
class AmendOutcome:
    """What became of one PATCH: not found, refused (with reasons), or the amended goods-out."""

    found: bool
    problems: list[Problem] = field(default_factory=list)
    goods_out: SandboxGoodsOut | None = None
    # The ids of the lines this amendment added, in the order of its ADD changes.
    added_line_ids: list[int] = field(default_factory=list)


def goods_out_update_problems(document: object, *, line_ids: set[int]) -> list[Problem]:
    """Return every reason Clarus would refuse ``document`` as an amendment of a goods-out whose
    lines have ``line_ids``; [] if none."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        return goods_out_create_problems(document)
    data = document["data"]
    attributes = data.get("attributes")
    if not isinstance(attributes, dict) or "lines_changes" not in attributes:
        return goods_out_create_problems(document)
    # Everything but the lines is checked as on a create: the schema is the same.
    header_only = copy.deepcopy(document)
    lines = header_only["data"]["attributes"].pop("lines_changes")
    problems = goods_out_create_problems(header_only)
    if not isinstance(lines, list):
        where = Where()
        return [
            *problems,
            where.problem(Code.INVALID_TYPE, "lines_changes", "Lines must be a list of changes."),
        ]
    named: set[int] = set()
    for index, change in enumerate(lines):
        problems += _change_problems(index, change, line_ids=line_ids, named=named)
    return problems


def _change_problems(
    index: int, change: object, *, line_ids: set[int], named: set[int]
) -> list[Problem]:
    where = Where(f"lines_changes[{index}].", f"Line change {index + 1}: ")
    if not isinstance(change, dict):
        return [
            Problem(
                Code.INVALID_TYPE,
                f"Line change {index + 1} must be an object.",
                f"lines_changes[{index}]",
            )
        ]
    kind = change.get("type")
    if kind is None:
        return [where.problem(Code.REQUIRED, "type", "the change type is required.")]
    if not isinstance(kind, str) or kind not in LINE_CHANGE_TYPES:
        return [
            where.problem(
                Code.NOT_IN_LIST,
                "type",
                f"the change type must be one of {_listing(LINE_CHANGE_TYPES)}.",
            )
        ]
    problems = [
        _unknown(name, where, "part of a line change")
        for name in _others(change, "type", "id", "attributes")
    ]
    if kind == "ADD":
        if "id" in change:
            problems.append(
                where.problem(
                    Code.NOT_ALLOWED_ON_CREATE, "id", "a line being added must not have an id."
                )
            )
    elif "id" not in change:
        problems.append(where.problem(Code.REQUIRED, "id", f"{kind} needs the line's id."))
    else:
        id_problems = value_problems(change["id"], INTEGER, "id", where)
        line_id = change["id"]
        if not id_problems and line_id is None:
            id_problems = [where.problem(Code.REQUIRED, "id", f"{kind} needs the line's id.")]
        if not id_problems and line_id not in line_ids:
            id_problems = [
                where.problem(Code.RECORD_NOT_FOUND, "id", f"the goods-out has no line {line_id}.")
            ]
        if not id_problems and line_id in named:
            id_problems = [
                where.problem(
                    Code.NOT_IN_LIST, "id", f"line {line_id} is changed twice in one request."
                )
            ]
        if not id_problems:
            named.add(line_id)
        problems += id_problems
    attributes = change.get("attributes")
    if attributes is None:
        if kind == "ADD":
            problems.append(
                where.problem(Code.REQUIRED, "attributes", "a line being added needs attributes.")
            )
    elif not isinstance(attributes, dict):
        problems.append(
            where.problem(Code.INVALID_TYPE, "attributes", "attributes must be an object.")
        )
    else:
        problems += members_problems(attributes, LINE_RULES, where, "a line attribute")
        if kind == "ADD":
            problems += _missing(attributes, LINE_ADD_REQUIRED, where)
    return problems


def goods_out_amend(
    *, subdomain: SandboxSubdomain, goods_out_id: int, document: dict[str, Any]
) -> AmendOutcome:
    """Apply an amendment to the subdomain's goods-out, all of it or nothing."""
    with transaction.atomic():
        goods_out = (
            SandboxGoodsOut.objects.select_for_update()
            .filter(subdomain=subdomain, pk=goods_out_id)
            .first()
        )
        if goods_out is None:
            return AmendOutcome(found=False)
        status = goods_out.goods_out_status_id or PENDING
        if status not in AMENDABLE:
            _code, name = GOODS_OUT_STATUSES.get(status, (str(status), str(status)))
            reason = (
                f"Goods-out {goods_out.pk} can no longer be changed: it is {name.lower()} "
                "(picking has started or stock is allocated)."
            )
            return AmendOutcome(found=True, problems=[Problem(Code.NOT_AMENDABLE, reason, None)])
        lines = {line.pk: line for line in goods_out.lines.all()}
        if problems := goods_out_update_problems(document, line_ids=set(lines)):
            return AmendOutcome(found=True, problems=problems)
        if problems := unknown_product_problems(subdomain=subdomain, document=document):
            return AmendOutcome(found=True, problems=problems)
        changes = document["data"]["attributes"].get("lines_changes") or []
        added = _lines_apply(goods_out, lines, changes)
        if added is None:
            reason = "The amendment would leave the goods-out without lines: cancel it instead."
            return AmendOutcome(
                found=True, problems=[Problem(Code.NO_LINES_LEFT, reason, "lines_changes")]
            )
        goods_out.amendments = [
            *(goods_out.amendments or []),
            {"received_at": timezone.now().isoformat(), "document": document},
        ]
        address = document["data"].get("relationships", {}).get("address", {}).get("data", {})
        if "attributes" in address:
            goods_out.address = address["attributes"]
        for name, value in goods_out_columns(goods_out.current_attributes).items():
            setattr(goods_out, name, value)
        goods_out.reference = goods_out.current_attributes["reference"]
        goods_out.save()
    return AmendOutcome(found=True, goods_out=goods_out, added_line_ids=added)


def _lines_apply(
    goods_out: SandboxGoodsOut,
    lines: dict[int, SandboxGoodsOutLine],
    changes: list[dict[str, Any]],
) -> list[int] | None:
    """Apply checked line changes; return the new lines' ids, or None if no line would be left.

    Nothing is written when None is returned.
    """
    destroyed = {c["id"] for c in changes if c["type"] == "DESTROY"}
    adding = [c for c in changes if c["type"] == "ADD"]
    if len(lines) - len(destroyed) + len(adding) < 1:
        return None
    header_carrier = goods_out.current_attributes.get("carrier_id")
    for change in changes:
        if change["type"] == "UPDATE":
            line = lines[change["id"]]
            attributes = change.get("attributes") or {}
            if "product_id" in attributes:
                line.product_id = attributes["product_id"]
            if "order_quantity" in attributes:
                line.order_quantity = float(attributes["order_quantity"])
            if "carrier_id" in attributes:
                line.carrier_id = attributes["carrier_id"]
            line.save()
    SandboxGoodsOutLine.objects.filter(goods_out=goods_out, pk__in=destroyed).delete()
    number = (goods_out.lines.aggregate(last=Max("line_number"))["last"] or 0) + 1
    added = []
    for change in adding:
        attributes = change["attributes"]
        carrier = attributes.get("carrier_id")
        line = SandboxGoodsOutLine.objects.create(
            goods_out=goods_out,
            line_number=number,
            product_id=attributes["product_id"],
            carrier_id=carrier if carrier is not None else header_carrier,
            order_quantity=float(attributes["order_quantity"]),
        )
        added.append(line.pk)
        number += 1
    return added


def goods_out_status_set(*, goods_out_id: int, code: str) -> SandboxGoodsOut:
    """Move a goods-out to the status with ``code`` (e.g. ``PICK``), as Clarus's own work would:
    for tests and demos. Raise KeyError for a code Clarus does not define."""
    by_code = {status_code: pk for pk, (status_code, _name) in GOODS_OUT_STATUSES.items()}
    status_id = by_code[code.upper()]
    goods_out = SandboxGoodsOut.objects.get(pk=goods_out_id)
    goods_out.goods_out_status_id = status_id
    goods_out.save(update_fields=["goods_out_status_id"])
    return goods_out
