"""The entry page's reference check: an earlier order of the tenant with the reference being keyed.

A duplicate order is what agents most want to be told of before they send. The desk refuses a
reference another order of the tenant already has when the order is sent (the unique constraint
on ``(tenant, reference)``, ``orders.services.submission``); this says so while the reference is
typed, and also finds one that differs only in its capitals (``so-1001`` beside ``SO-1001``),
which the desk lets through but which is most likely the same order keyed twice.

Only the tenant the order is keyed for is asked, never another. Of an earlier order the agent
may not see (a colleague's, for an agent who sees only their own: ``permissions.orders_visible``)
nothing is told but that it exists: no link, who keyed it or when.

One indexed read: ``UPPER(reference)`` compared as the index ``order_tenant_reference_upper``
holds it, on SQLite and PostgreSQL alike. SQLite's UPPER changes ASCII letters only, so there
``É`` and ``é`` are not the same; PostgreSQL's changes every letter.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import BooleanField, Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Upper

from orders.models import Membership, Order, Tenant
from orders.permissions import orders_visible

# Longer than any reference the entry form takes (50): a longer text is not looked up.
MAX_REFERENCE = 50


@dataclass(frozen=True)
class EarlierReference:
    """An earlier order of the tenant with the reference being keyed, as the agent may know it.

    ``exact``: the very same reference, which the desk refuses when the order is sent; otherwise
    it differs only in capitals. ``order_id``, ``reference``, ``keyed_at`` and ``keyed_by`` are
    only given of an order the agent may see (``visible``).
    """

    exact: bool
    visible: bool
    order_id: int | None = None
    reference: str = ""
    keyed_at: datetime | None = None
    keyed_by: str = ""


def reference_earlier(
    *,
    tenant: Tenant,
    reference: str,
    form_token: uuid.UUID | None,
    user: User,
    memberships: Sequence[Membership],
) -> EarlierReference | None:
    """Return the earlier order of ``tenant`` whose reference is ``reference`` or differs from it
    only in capitals, other than the form's own order (``form_token``: the order being
    corrected); None when there is none.

    ``tenant`` must be one the user keys for (``access.keying_tenant``).
    """
    if not reference or len(reference) > MAX_REFERENCE:
        return None
    rows = (
        Order.objects.alias(ref=Upper("reference"))
        .filter(tenant=tenant, ref=Upper(Value(reference)))
        .annotate(
            visible=Case(
                When(orders_visible(user=user, memberships=memberships), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            same=Case(
                When(Q(reference=reference), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            keyed_by=F("created_by__username"),
        )
        .order_by("same", "-visible", "-created_at", "-id")
        .values_list("pk", "reference", "created_at", "keyed_by", "visible")
    )
    if form_token is not None:
        rows = rows.exclude(form_token=form_token)
    # The one to tell of: an exact match first, then one the agent may open, then the newest.
    found = rows.first()
    if found is None:
        return None
    order_id, found_reference, keyed_at, keyed_by, visible = found
    exact = found_reference == reference
    if not visible:
        return EarlierReference(exact=exact, visible=False)
    return EarlierReference(
        exact=exact,
        visible=True,
        order_id=order_id,
        reference=found_reference,
        keyed_at=keyed_at,
        keyed_by=keyed_by,
    )
