"""Who is calling: the callers an agent may recognise by what they say, and what they ordered.

A caller is known by the delivery contact of earlier orders, searched as the history searches
(``orders.selectors.history``): a phone number in any UK form, an email, a postcode, or the start
of a name, each an indexed column of the order. Only orders the user may see count, as in the
history (``permissions.orders_visible``), and only in the tenant the order is keyed for: an agent
recognises the callers of their own orders, a supervisor those of the whole tenant.

A caller's orders are those to the same name at the same postcode, or to the same email: an
earlier order to another address of theirs is found by the email. (A phone number finds them,
but does not tie orders together: one number is often a household's or a company's.)
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import F, OrderBy, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from orders.clarus.documents import stored_address
from orders.domain import DeliveryAddress, normalised_name, phone_digits
from orders.inputs import clean_text
from orders.models import Membership, Order, OrderLine, Tenant
from orders.permissions import orders_visible
from orders.selectors.history import phone_forms, postcode_forms

MAX_SUGGESTIONS = 8
# The newest matching orders read to find distinct callers among them: a name prefix ("Jo")
# matches thousands of orders, and the callers worth suggesting are the recent ones. Each is a
# row read from the table (the postcode is not in the name's index), so fewer is cheaper; 60
# still holds the 8 callers to suggest (bench/README.md).
GATHERED = 60
PANEL_ORDERS = 5
# The caller's newest orders read for their distinct addresses.
ADDRESS_ORDERS = 50
MAX_ADDRESSES = 6
# Longer than any phone, email, postcode or name start anyone types into the box.
MAX_TEXT = 120


@dataclass(frozen=True)
class CallerMatch:
    """A caller as a suggestion: who, where, when they last ordered, and an order of theirs."""

    # Their newest order: it names the caller when the agent picks them (``caller_panel``).
    order_id: int
    name: str
    postcode: str
    last_order_at: datetime


@dataclass(frozen=True)
class LineSummary:
    product: str
    quantity: str


@dataclass(frozen=True)
class CallerOrder:
    order: Order
    lines: list[LineSummary]


@dataclass(frozen=True)
class CallerPanel:
    caller: CallerMatch
    orders: list[CallerOrder]
    addresses: list[DeliveryAddress]


def _newest_first() -> tuple[OrderBy, OrderBy]:
    """Newest first, gathered through the search's indexes and sorted, as the history does
    (``orders.selectors.history._gathered_newest_first``, bench/README.md)."""
    return Coalesce("created_at", "created_at").desc(), F("id").desc()


def _visible(*, user: User, memberships: Sequence[Membership], tenant: Tenant) -> QuerySet[Order]:
    """Return the tenant's orders the user may see, as the history shows them."""
    in_tenant = [m for m in memberships if m.tenant_id == tenant.pk]
    return Order.objects.filter(orders_visible(user=user, memberships=in_tenant))


def caller_text(text: str) -> str:
    """Return the caller box's text as searched: cleaned, trimmed, bounded."""
    return " ".join(clean_text(text)[:MAX_TEXT].split())


def _looks_like_postcode(text: str) -> bool:
    compact = text.replace(" ", "")
    return 5 <= len(compact) <= 8 and compact.isalnum() and any(c.isdigit() for c in compact)


def _exact(text: str) -> Q | None:
    """Return the condition for the exact keys the text may be: email, phone, postcode."""
    condition: Q | None = None

    def either(more: Q) -> None:
        nonlocal condition
        condition = more if condition is None else condition | more

    if "@" in text:
        either(Q(contact_email=text.lower()))
    if len(phone_digits(text)) >= 6:
        either(Q(contact_phone__in=phone_forms(text)))
    if _looks_like_postcode(text):
        either(Q(postcode__in=postcode_forms(text)))
    return condition


def _named(orders: QuerySet[Order], text: str) -> list[int]:
    """Return the newest orders whose delivery name starts with the text (index only)."""
    if "@" in text or not any(character.isalpha() for character in text):
        return []
    return list(
        orders.filter(contact_name__startswith=normalised_name(text))
        .order_by(*_newest_first())
        .values_list("pk", flat=True)[:GATHERED]
    )


def caller_search(
    *, user: User, memberships: Sequence[Membership], tenant: Tenant, text: str
) -> list[CallerMatch]:
    """Return the callers the text may name, most recent first: at most MAX_SUGGESTIONS."""
    text = caller_text(text)
    if len(text) < 2:
        return []
    orders = _visible(user=user, memberships=memberships, tenant=tenant)
    exact, named = _exact(text), _named(orders, text)
    if exact is None and not named:
        return []
    condition = Q(pk__in=named) if named else Q()
    if exact is not None:
        condition = exact | condition if named else exact
    rows = (
        orders.filter(condition)
        .order_by(*_newest_first())
        .values_list("pk", "contact_name", "postcode", "address", "created_at")[:GATHERED]
    )
    return _callers(rows)[:MAX_SUGGESTIONS]


def _callers(rows: Iterable[tuple[int, str, str, object, datetime]]) -> list[CallerMatch]:
    """Return one match per caller (name and postcode) of rows newest first: their newest."""
    seen: set[tuple[str, str]] = set()
    callers = []
    for pk, contact_name, postcode, address, created_at in rows:
        key = (contact_name, postcode)
        if key in seen or not (contact_name or postcode):
            continue
        seen.add(key)
        name = address.get("name") if isinstance(address, dict) else None
        callers.append(
            CallerMatch(
                order_id=pk,
                name=str(name or contact_name.title()),
                postcode=postcode,
                last_order_at=created_at,
            )
        )
    return callers


def _line_summaries(order: Order) -> list[LineSummary]:
    return [
        LineSummary(
            product=line.product_code or str(line.product_id),
            quantity=format(line.quantity.normalize(), "f"),
        )
        for line in order.lines.all()
    ]


def distinct_addresses(
    orders: Iterable[Order], *, limit: int = MAX_ADDRESSES
) -> list[DeliveryAddress]:
    """Return the different delivery addresses of orders newest first, in that order.

    Two addresses are one when every field is the same but for case and spacing.
    """
    seen: set[tuple[str, ...]] = set()
    addresses = []
    for order in orders:
        address = stored_address(order.address)
        key = tuple(
            " ".join(str(getattr(address, each.name)).upper().split())
            for each in fields(DeliveryAddress)
        )
        if key in seen or not any(key):
            continue
        seen.add(key)
        addresses.append(address)
        if len(addresses) == limit:
            break
    return addresses


def caller_panel(
    *, user: User, memberships: Sequence[Membership], tenant: Tenant, order_id: int
) -> CallerPanel | None:
    """Return the caller of an order the user may see: their last orders and addresses.

    None when the user may not see the order in this tenant: an id from a suggestion of another
    tenant, or another agent's, names no caller here.
    """
    orders = _visible(user=user, memberships=memberships, tenant=tenant)
    anchor = (
        orders.filter(pk=order_id)
        .only("pk", "contact_name", "postcode", "contact_email", "address", "created_at")
        .first()
    )
    if anchor is None:
        return None
    same = Q(pk=anchor.pk)
    if anchor.contact_name or anchor.postcode:
        same |= Q(contact_name=anchor.contact_name, postcode=anchor.postcode)
    if anchor.contact_email:
        same |= Q(contact_email=anchor.contact_email)
    theirs = list(
        orders.filter(same)
        .order_by(*_newest_first())
        .only("pk", "reference", "created_at", "status", "address", "tenant_id")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("position")))[
            :ADDRESS_ORDERS
        ]
    )
    newest = theirs[0] if theirs else anchor
    caller = _callers(
        [(newest.pk, anchor.contact_name, anchor.postcode, newest.address, newest.created_at)]
    ) or [CallerMatch(anchor.pk, "", "", anchor.created_at)]
    return CallerPanel(
        caller=caller[0],
        orders=[CallerOrder(order, _line_summaries(order)) for order in theirs[:PANEL_ORDERS]],
        addresses=distinct_addresses(theirs),
    )


def recent_addresses(
    *,
    user: User,
    memberships: Sequence[Membership],
    tenant: Tenant,
    account_id: int | None = None,
    customer_id: int | None = None,
) -> list[DeliveryAddress]:
    """Return the newest distinct delivery addresses of an end customer's (else an account's)
    orders the user may see; [] if neither is given."""
    orders = _visible(user=user, memberships=memberships, tenant=tenant)
    if customer_id is not None:
        orders = orders.filter(tenant=tenant, header__customer_id=customer_id)
    elif account_id is not None:
        orders = orders.filter(tenant=tenant, account_id=account_id)
    else:
        return []
    return distinct_addresses(
        orders.order_by("-created_at", "-id").only("pk", "address")[:ADDRESS_ORDERS]
    )
