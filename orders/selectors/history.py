"""Reads for supervisors: the history of orders, filtered, searched and paged by keyset.

Pages are cut by (created_at, id) rather than OFFSET, and nothing counts the whole table, so the
hundredth page costs what the first does whatever the table holds.
"""

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import User
from django.db.models import Count, F, IntegerField, OrderBy, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from orders.domain import normalised_name, normalised_postcode, phone_digits
from orders.inputs import id_from_text
from orders.models import Membership, Order, OrderLine, SubmissionAttempt
from orders.permissions import orders_visible

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

PAGE_SIZE = 50


@dataclass(frozen=True)
class HistoryFilters:
    tenant_id: int | None = None
    status: str = ""
    agent_id: int | None = None
    account_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


class LineCount(TypedDict):
    line_count: int
    attempt_count: int
    # How long Clarus took to answer the newest attempt, if there was one.
    response_ms: int | None


if TYPE_CHECKING:
    HistoryRow = WithAnnotations[Order, LineCount]
else:
    HistoryRow = Order


@dataclass(frozen=True)
class HistoryPage:
    orders: list[HistoryRow]
    next_cursor: str | None
    # The page asked for came after a cursor the desk did not make: this is the first page.
    cursor_refused: bool = False


def encode_cursor(order: Order) -> str:
    raw = f"{order.created_at.isoformat()}|{order.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# Longer than any cursor ``encode_cursor`` makes.
MAX_CURSOR = 100


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """Return (created_at, id) from a cursor, or None if it is not one of ours.

    A cursor comes back in the address, where anyone can edit it: its time must carry its zone
    and be one the database can hold in UTC (9999-12-31 at -05:00 is not), its id one the id
    column can hold.
    """
    if len(cursor) > MAX_CURSOR:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, _, pk_text = raw.partition("|")
        moment = parse_datetime(moment_text)
        if moment is None or timezone.is_naive(moment):
            return None
        moment = moment.astimezone(UTC)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None
    pk = id_from_text(pk_text)
    return None if pk is None else (moment, pk)


def postcode_forms(text: str) -> list[str]:
    """Return the stored forms a postcode search may mean: as typed, and with the space before
    the three-character inward code that ends every UK postcode ("ls14ap" is "LS1 4AP")."""
    postcode = normalised_postcode(text)
    compact = postcode.replace(" ", "")
    if not 5 <= len(compact) <= 7:
        return [postcode]
    return list(dict.fromkeys((postcode, f"{compact[:-3]} {compact[-3:]}")))


def phone_forms(text: str) -> list[str]:
    """Return the digits a phone search may be stored as.

    The desk keeps a number's digits as keyed, so one UK number is stored as 01134960123,
    441134960123, 4401134960123 or 00441134960123, depending on how the customer read it out:
    a UK number is searched in all four, any other as its digits.
    """
    digits = phone_digits(text)
    for prefix in ("00440", "0044", "440", "44", "0"):
        if digits.startswith(prefix) and not (prefix == "0" and digits.startswith("00")):
            national = digits[len(prefix) :]
            forms = (digits, f"0{national}", f"44{national}", f"440{national}", f"0044{national}")
            return list(dict.fromkeys(forms))
    return [digits]


def _search(text: str) -> Q:
    """Return the condition for a search box entry.

    An exact reference, Clarus id, postcode, email or phone number, or the start of the
    delivery name: each an indexed column, so the search stays fast at any table size.
    """
    return _exact_search(text) | Q(contact_name__startswith=normalised_name(text))


def _exact_search(text: str) -> Q:
    """Return the condition for the search's exact matches: everything but the name prefix."""
    text = text.strip()
    condition = (
        Q(reference=text) | Q(postcode__in=postcode_forms(text)) | Q(contact_email=text.lower())
    )
    clarus_id = id_from_text(text)
    if clarus_id is not None:
        condition |= Q(clarus_id=clarus_id)
    if len(phone_digits(text)) >= 6:
        condition |= Q(contact_phone__in=phone_forms(text))
    return condition


def _gathered_newest_first() -> tuple[OrderBy, OrderBy]:
    """Return newest first as an order no index provides: COALESCE(created_at, created_at).

    Ordered by created_at itself, a LIMIT tempts PostgreSQL to walk the created_at index
    backwards and filter, betting the matches are spread evenly over time. For a name prefix it
    guesses their number from its sample, at times ten times too many: "James Smith" (91 orders
    of a 190,000-order tenant) walked 240 ms, "Niamh Le" 750 ms, and fewer matches than a page
    would walk the whole table (bench/README.md). Gathering a search's matches through their
    indexes and sorting them is the plan whose cost follows the number of matches.
    """
    return Coalesce("created_at", "created_at").desc(), F("id").desc()


def _searched(orders: QuerySet[Order], text: str, *, size: int) -> QuerySet[Order]:
    """Return the orders of ``orders`` a search matches, for a page of ``size`` rows.

    The name prefix is looked up on its own, in one more query: only its newest ``size``
    matches can be on the page, and alone it needs nothing the (tenant, contact_name, …) index
    cannot hold. In one OR with the exact matches every match's row is read, 8,683 for "Jac"
    (160 ms); a prefix matches far more rows than an exact email, phone or postcode.
    """
    text = text.strip()
    named = list(
        orders.filter(contact_name__startswith=normalised_name(text))
        .order_by(*_gathered_newest_first())
        .values_list("pk", flat=True)[:size]
    )
    return orders.filter(_exact_search(text) | Q(pk__in=named))


def _line_count() -> Coalesce:
    """Return each order's number of lines, counted per row.

    A correlated count costs an index probe for each of the page's rows. ``Count("lines")`` over
    a join needs a GROUP BY, which PostgreSQL evaluates for every matching order before the
    LIMIT: 4.9 s for the first page of a 300,000-order tenant (bench/README.md).
    """
    lines = (
        OrderLine.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(lines, output_field=IntegerField()), 0)


def _attempt_count() -> Coalesce:
    """Return each order's number of requests to Clarus, counted per row like its lines."""
    attempts = (
        SubmissionAttempt.objects.filter(order=OuterRef("pk"))
        .order_by()
        .values("order")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(attempts, output_field=IntegerField()), 0)


def _response_ms() -> Subquery:
    """Return how long Clarus took over each order's newest attempt: one index probe per row."""
    newest = SubmissionAttempt.objects.filter(order=OuterRef("pk")).order_by("-started_at", "-id")
    return Subquery(newest.values("duration_ms")[:1], output_field=IntegerField())


def _filtered(
    *, user: User, memberships: list[Membership], filters: HistoryFilters
) -> QuerySet[Order]:
    tenants = [m for m in memberships if filters.tenant_id in (None, m.tenant_id)]
    orders = Order.objects.filter(orders_visible(user=user, memberships=tenants))
    if filters.status:
        orders = orders.filter(status=filters.status)
    return orders_narrowed(orders, filters=filters)


def orders_narrowed(orders: QuerySet[Order], *, filters: HistoryFilters) -> QuerySet[Order]:
    """Narrow orders by the history's agent, account, dates and search (the approvals queue too)."""
    if filters.agent_id:
        orders = orders.filter(created_by_id=filters.agent_id)
    if filters.account_id:
        orders = orders.filter(account_id=filters.account_id)
    zone = timezone.get_current_timezone()
    # A date within a day of the calendar's ends bounds nothing, and its midnight in UTC (or the
    # day after it) would not be a datetime at all: an OverflowError, a 500 for ?date_to=9999-12-31.
    if filters.date_from and filters.date_from > date.min + timedelta(days=1):
        orders = orders.filter(created_at__gte=datetime.combine(filters.date_from, time.min, zone))
    if filters.date_to and filters.date_to < date.max - timedelta(days=1):
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, zone)
        orders = orders.filter(created_at__lt=end)
    if filters.search.strip():
        orders = orders.filter(_search(filters.search))
    return orders


# Columns no history row (page or CSV) reads: of the agent who keyed it, only the username.
HISTORY_DEFERRED = (
    "header",
    "address",
    "contact_name",
    "contact_email",
    "contact_phone",
    "status_note",
    "created_by__password",
    "created_by__last_login",
    "created_by__is_superuser",
    "created_by__first_name",
    "created_by__last_name",
    "created_by__email",
    "created_by__is_staff",
    "created_by__date_joined",
)


def history_page(
    *,
    user: User,
    memberships: list[Membership],
    filters: HistoryFilters,
    after: str = "",
    size: int = PAGE_SIZE,
) -> HistoryPage:
    """Return one page of the history, newest first, and the cursor of the next page."""
    orders = _filtered(user=user, memberships=memberships, filters=replace(filters, search=""))
    position = decode_cursor(after) if after else None
    if position is not None:
        moment, pk = position
        # (created_at, id) < (moment, pk), written so that created_at <= moment bounds the scan
        # of the (tenant, -created_at, -id) index and the id only settles ties at the edge.
        orders = orders.filter(
            Q(created_at__lte=moment) & (Q(created_at__lt=moment) | Q(id__lt=pk))
        )
    ordering: tuple[str | OrderBy, ...] = ("-created_at", "-id")
    if filters.search.strip():
        orders = _searched(orders, filters.search, size=size + 1)
        ordering = _gathered_newest_first()
    rows = list(
        orders.select_related("created_by")
        # What a row shows, and no more (the order's document would be parsed from JSON). The
        # tenant is not joined: its Clarus secrets would be decrypted again for every row.
        .defer(*HISTORY_DEFERRED)
        .annotate(
            line_count=_line_count(),
            attempt_count=_attempt_count(),
            response_ms=_response_ms(),
        )
        .order_by(*ordering)[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    # Every row's tenant is one of the user's, read with their memberships already.
    tenants = {membership.tenant_id: membership.tenant for membership in memberships}
    for row in rows:
        if row.tenant_id in tenants:
            row.tenant = tenants[row.tenant_id]
    return HistoryPage(
        orders=rows,
        next_cursor=encode_cursor(rows[-1]) if more and rows else None,
        cursor_refused=bool(after) and position is None,
    )


def history_rows_for_export(
    *, user: User, memberships: list[Membership], filters: HistoryFilters, chunk: int = 2000
) -> Iterator[HistoryRow]:
    """Yield every order the filters match, newest first, a chunk of rows at a time."""
    after = ""
    while True:
        page = history_page(
            user=user, memberships=memberships, filters=filters, after=after, size=chunk
        )
        yield from page.orders
        if page.next_cursor is None:
            return
        after = page.next_cursor
