"""Reads of orders: one order with what its page shows, the webhooks about it, how Clarus says it
stands now, an earlier order of the same reference; always scoped to what the user may see."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Model, Prefetch, Q

from orders import permissions, states
from orders.clarus import ClarusQueryError
from orders.clarus.documents import stored_address, stored_header
from orders.clarus.errors import status_number_text
from orders.clarus.goods_outs import goods_out_status, status_label
from orders.domain import DeliveryAddress, GoodsOutStatus, KeyedOrder, LineInput
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    AmendmentStatus,
    Membership,
    Order,
    OrderAmendment,
    OrderHold,
    OrderLine,
    OrderTransition,
    SubmissionAttempt,
    Tenant,
    WebhookDelivery,
    WebhookStatus,
)


@dataclass(frozen=True)
class ClarusStatusAnswer:
    """How Clarus says the order's goods-out stands now, or why it could not say."""

    status: GoodsOutStatus | None
    problem: str = ""


def order_clarus_status(*, order: Order) -> ClarusStatusAnswer:
    """Ask Clarus, by the order's reference, how its goods-out stands now."""
    try:
        status = goods_out_status(tenant=order.tenant, reference=order.reference)
    except ClarusQueryError as exc:
        return ClarusStatusAnswer(None, f"Clarus could not be asked just now: {exc}")
    return ClarusStatusAnswer(
        status, "" if status else "Clarus has no goods-out with this reference."
    )


def order_get_for_detail(
    *, order_id: int, user: User, memberships: list[Membership]
) -> Order | None:
    """Return one order the user may see, with its lines and attempts ready, or None."""
    return (
        Order.objects.filter(permissions.orders_visible(user=user, memberships=memberships))
        .select_related("tenant", "created_by")
        # The attempts with who sent each, in one query rather than two.
        .prefetch_related(
            "lines", Prefetch("attempts", SubmissionAttempt.objects.select_related("user"))
        )
        .filter(pk=order_id)
        .first()
    )


def webhook_list_for_order(*, order: Order) -> list[WebhookDelivery]:
    """Return the webhooks Clarus sent about the order's goods-out, latest change first.

    They were matched to the order in its own tenant when they arrived (orders.services.webhooks).
    """
    return list(
        WebhookDelivery.objects.filter(order=order, tenant_id=order.tenant_id).order_by(
            "-happened_at", "-id"
        )
    )


def webhook_status_label(*, order: Order) -> str:
    """Return, in words, the newest status Clarus's webhooks gave for the order; "" if none."""
    newest = getattr(order, "webhook_status", None)
    return status_label(newest.delivery.status) if newest is not None else ""


def order_duplicate_of(*, tenant: Tenant, reference: str, form_token: uuid.UUID) -> Order | None:
    """Return the tenant's earlier order with ``reference``, other than this form's own."""
    return (
        Order.objects.filter(tenant=tenant, reference=reference)
        .exclude(form_token=form_token)
        .select_related("created_by")
        .first()
    )


def order_keyed(*, order: Order) -> KeyedOrder:
    """Return a stored order as it was keyed: its header, address, lines and what was seen."""
    return KeyedOrder(
        tenant=order.tenant,
        header=stored_header(order.header),
        lines=[
            LineInput(
                product_id=line.product_id,
                quantity=line.quantity,
                product_code=line.product_code,
                description=line.description,
            )
            for line in order.lines.all()
        ],
        address=stored_address(order.address),
        labels=dict(order.labels or {}),
        keying_started_at=order.keying_started_at,
    )


def order_address(*, order: Order) -> DeliveryAddress:
    """Return the delivery address a stored order was sent with."""
    return stored_address(order.address)


def order_amendment_waiting(*, order: Order) -> OrderAmendment | None:
    """Return the order's amendment that waits for Clarus's answer, if one does."""
    return (
        order.amendments.filter(status__in=[AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING])
        .order_by("-id")
        .first()
    )


@dataclass(frozen=True)
class PageLine:
    position: int
    product_id: int
    product_code: str
    description: str
    quantity: Decimal


@dataclass(frozen=True)
class PageTransition:
    at: datetime
    from_status: str
    to_status: str
    actor: str
    reason: str


@dataclass(frozen=True)
class OrderPage:
    """One order with everything its page shows, read in a fixed number of queries.

    ``order`` carries ``keyed_by`` (its agent's username) instead of its ``created_by`` row, and
    the tenant of the user's membership. Attempts (the order's, and its address save's) carry
    ``sender``, the username of who sent each ("" for the delivery worker). A section whose rows
    the order has none of (amendments, holds, webhooks, address save) cost no query: one read of
    the order says which it has.
    """

    order: Order
    lines: list[PageLine]
    attempts: Sequence[SubmissionAttempt]
    transitions: list[PageTransition]
    # Newest change first, as webhook_list_for_order.
    webhooks: list[WebhookDelivery] = field(default_factory=list)
    # The delivery the newest webhook status came from (None if no webhook gave one).
    webhook_said: WebhookDelivery | None = None
    # Every amendment of the order, oldest first, with who made it.
    amendments: list[OrderAmendment] = field(default_factory=list)
    holds: list[OrderHold] = field(default_factory=list)
    # The order's "save for this customer", if it had one, and its requests to Clarus.
    address_save: AddressSave | None = None
    address_attempts: Sequence[AddressSaveAttempt] = field(default_factory=list)

    @property
    def keyed_by(self) -> str:
        """The username of who keyed the order."""
        return str(getattr(self.order, "keyed_by", ""))

    @property
    def can_correct(self) -> bool:
        """``Order.can_correct``, from the attempts read here."""
        if self.order.personal_data_removed_at is not None:
            return False
        return states.can_correct(self.order.status, (a.outcome for a in self.attempts))

    @property
    def clarus_said(self) -> str:
        """``webhook_status_label``: the newest webhook status, in words; "" if none."""
        return status_label(self.webhook_said.status) if self.webhook_said is not None else ""

    @property
    def amendment_waiting(self) -> OrderAmendment | None:
        """``order_amendment_waiting``, from the amendments read here."""
        waiting = {AmendmentStatus.UNKNOWN, AmendmentStatus.SENDING}
        found = [each for each in self.amendments if each.status in waiting]
        return max(found, key=lambda each: each.pk) if found else None


# The order page reads the order and its rows by hand-written SQL. Each ORM query cost 0.5-1.5 ms
# of CPU to build and compile (the order's with permissions' Q and its EXISTS columns about 2 ms),
# where the statements themselves take tens of microseconds: the page's reads went from about
# 5.5 ms to 1.3 ms (bench/README.md, "The order page, halved"). Values are converted by the
# database backend's own converters, as a queryset converts them. Who may see the order is
# still permissions.orders_visible's Q, applied to the row read (_q_holds).


def _sql_name(model: type[Model], column: str | None = "") -> str:
    quote = connection.ops.quote_name
    return (
        f"{quote(model._meta.db_table)}.{quote(column)}" if column else quote(model._meta.db_table)
    )


def _rows(
    model: type[Model],
    names: Sequence[str],
    where: str,
    order_by: str,
    params: Sequence[Any],
    *,
    joined: str = "",
    also: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Return ``model``'s rows matching ``where`` as tuples of ``names``' values, converted,
    then the values of the SQL expressions ``also`` (from the tables ``joined``), as they come."""
    fields = [model._meta.get_field(name) for name in names]
    columns = [field.get_col(model._meta.db_table) for field in fields]  # type: ignore[union-attr]
    converters = [
        (index, connection.ops.get_db_converters(column) + column.get_db_converters(connection))
        for index, column in enumerate(columns)
    ]
    converters = [(index, found) for index, found in converters if found]
    selected = [_sql_name(model, column.target.column) for column in columns] + list(also)
    sql = (
        f"SELECT {', '.join(selected)} FROM {_sql_name(model)}{joined} "
        f"WHERE {where} ORDER BY {order_by}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in fetched]
    rows = []
    for row in fetched:
        values = list(row)
        for index, found in converters:
            for convert in found:
                values[index] = convert(values[index], columns[index], connection)
        rows.append(tuple(values))
    return rows


@lru_cache(maxsize=4)
def _order_flags(vendor: str) -> dict[str, str]:
    """Who keyed the order, which webhook said its newest status, and which of the sections
    that are usually empty it has: columns of the order's own query."""
    order_id, tenant_id = _sql_name(Order, "id"), _sql_name(Order, "tenant_id")
    user_id = _sql_name(Order, "created_by_id")

    def exists(model: type[Model], also: str = "") -> str:
        where = f"{_sql_name(model, 'order_id')} = {order_id}{also}"
        return f"EXISTS (SELECT 1 FROM {_sql_name(model)} WHERE {where})"

    return {
        "keyed_by": (
            f"(SELECT {_sql_name(User, 'username')} FROM {_sql_name(User)} "
            f"WHERE {_sql_name(User, 'id')} = {user_id})"
        ),
        "said_id": (
            f"(SELECT {_sql_name(WebhookStatus, 'delivery_id')} FROM {_sql_name(WebhookStatus)} "
            f"WHERE {_sql_name(WebhookStatus, 'order_id')} = {order_id})"
        ),
        "has_webhooks": exists(
            WebhookDelivery, f" AND {_sql_name(WebhookDelivery, 'tenant_id')} = {tenant_id}"
        ),
        "has_amendments": exists(OrderAmendment),
        "has_holds": exists(OrderHold),
        "has_address_save": exists(AddressSave),
    }


def _attempts(model: type[Model], key: str, key_id: int) -> list[Any]:
    """Return the requests of an order (or of its address save), newest first, each with
    ``sender``: who sent it ("" for the delivery worker), and ``status_text``: its answer's
    status as people read it ("" for no answer)."""
    fields = [field.attname for field in model._meta.concrete_fields]
    rows = _rows(
        model,
        fields,
        f"{_sql_name(model, key)} = %s",
        f"{_sql_name(model, 'started_at')} DESC, {_sql_name(model, 'id')} DESC",
        [key_id],
        joined=(
            f" LEFT OUTER JOIN {_sql_name(User)}"
            f" ON {_sql_name(User, 'id')} = {_sql_name(model, 'user_id')}"
        ),
        also=[_sql_name(User, "username")],
    )
    attempts = []
    for row in rows:
        attempt: Any = model.from_db(connection.alias, fields, row[:-1])
        attempt.sender = row[-1] or ""
        status = attempt.response_status
        attempt.status_text = status_number_text(status) if status else ""
        attempts.append(attempt)
    return attempts


def _order_read(order_id: int, *, tenant_ids: Sequence[int]) -> Any:
    """Return the order of one of ``tenant_ids`` with ``order_id`` and the columns of
    ``_order_flags``, or None."""
    # An id no column can hold is no order's (the ORM answers the same for such a lookup).
    low, high = connection.ops.integer_field_range(Order._meta.pk.get_internal_type())
    if not tenant_ids or not low <= order_id <= high:
        return None
    flags = _order_flags(connection.vendor)
    fields = [field.attname for field in Order._meta.concrete_fields]
    found = _rows(
        Order,
        fields,
        f"{_sql_name(Order, 'id')} = %s "
        f"AND {_sql_name(Order, 'tenant_id')} IN ({', '.join(['%s'] * len(tenant_ids))})",
        _sql_name(Order, "id"),
        [order_id, *tenant_ids],
        also=list(flags.values()),
    )
    if not found:
        return None
    row = found[0]
    order: Any = Order.from_db(connection.alias, fields, row[: len(fields)])
    for name, value in zip(flags, row[len(fields) :], strict=True):
        setattr(order, name, value)
    return order


def _q_holds(q: Q, order: Order) -> bool | None:
    """Return whether ``order`` meets ``q`` as the database would decide it, or None when ``q``
    asks what this does not tell: anything but ``exact`` and ``in`` on the order's id or the
    id of a row it refers to (never NULL), joined by AND or OR, none negated."""
    if q.negated or not q.children:
        return None
    held = []
    for child in q.children:
        if isinstance(child, Q):
            result = _q_holds(child, order)
        elif isinstance(child, tuple) and len(child) == 2:
            result = _lookup_holds(child[0], child[1], order)
        else:
            return None
        if result is None:
            return None
        held.append(result)
    return all(held) if q.connector == Q.AND else any(held)


def _lookup_holds(lookup: str, wanted: Any, order: Order) -> bool | None:
    name, _, kind = lookup.partition("__")
    try:
        field = Order._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Ids only: no NULL, no collation, no conversion between them and the database.
    if field.null or not field.concrete or not (field.many_to_one or field.primary_key):
        return None
    value = getattr(order, field.attname)

    def plain(each: Any) -> Any:
        return each.pk if isinstance(each, Model) else each

    if kind in ("", "exact") and wanted is not None:
        return bool(value == plain(wanted))
    if kind == "in" and isinstance(wanted, list | tuple | set | frozenset):
        return value in {plain(each) for each in wanted}
    return None


def order_page_get(*, order_id: int, user: User, memberships: list[Membership]) -> OrderPage | None:
    """Return one order the user may see with all its page shows, or None.

    Four queries for an order with no amendments, holds, webhooks or address save (the order,
    its lines, attempts and changes of state, whatever their number), one more for each of
    those it has.
    """
    order = _order_read(order_id, tenant_ids=[m.tenant_id for m in memberships])
    if order is None:
        return None
    # Who may see which orders is permissions.orders_visible's Q: told from the row read when
    # it can be, else asked of the database as every other page asks it.
    visible = permissions.orders_visible(user=user, memberships=memberships)
    held = _q_holds(visible, order)
    if held is None:
        held = Order.objects.filter(visible, pk=order.pk).exists()
    if not held:
        return None
    # The tenant as the user's membership read it this request: its secrets decrypted once.
    for membership in memberships:
        if membership.tenant_id == order.tenant_id:
            order.tenant = membership.tenant
            break
    lines = [
        PageLine(*row)
        for row in _rows(
            OrderLine,
            ("position", "product_id", "product_code", "description", "quantity"),
            f"{_sql_name(OrderLine, 'order_id')} = %s",
            _sql_name(OrderLine, "position"),
            [order.pk],
        )
    ]
    transitions = [
        PageTransition(*row)
        for row in _rows(
            OrderTransition,
            ("at", "from_status", "to_status", "actor", "reason"),
            f"{_sql_name(OrderTransition, 'order_id')} = %s",
            f"{_sql_name(OrderTransition, 'at')}, {_sql_name(OrderTransition, 'id')}",
            [order.pk],
        )
    ]
    attempts = _attempts(SubmissionAttempt, "order_id", order.pk)
    webhooks: list[WebhookDelivery] = []
    said = None
    if order.has_webhooks:
        webhooks = webhook_list_for_order(order=order)
        said = next((each for each in webhooks if each.pk == order.said_id), None)
        if said is None and order.said_id is not None:
            said = WebhookDelivery.objects.filter(
                pk=order.said_id, tenant_id=order.tenant_id
            ).first()
    amendments = (
        list(
            OrderAmendment.objects.filter(order_id=order.pk)
            .select_related("created_by")
            .order_by("created_at", "id")
        )
        if order.has_amendments
        else []
    )
    holds = (
        list(
            OrderHold.objects.filter(order_id=order.pk)
            .select_related("rule_version")
            .order_by("-at", "id")
        )
        if order.has_holds
        else []
    )
    address_attempts: list[AddressSaveAttempt] = []
    save = None
    if order.has_address_save:
        save = AddressSave.objects.get(order_id=order.pk)
        address_attempts = _attempts(AddressSaveAttempt, "address_save_id", save.pk)
    return OrderPage(
        order=order,
        lines=lines,
        attempts=attempts,
        transitions=transitions,
        webhooks=webhooks,
        webhook_said=said,
        amendments=amendments,
        holds=holds,
        address_save=save,
        address_attempts=address_attempts,
    )
