"""Reads of drafts: "My drafts" (a supervisor's: the tenant's), and one draft to resume.

Who sees a draft is who would see its order (``permissions.orders_visible``): its agent, and the
supervisors of its tenant. A draft whose order exists already is done, and not listed.
"""

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, QuerySet

from orders.models import Draft, Membership, Order, Tenant
from orders.permissions import orders_visible

MAX_LISTED = 200


def _visible(*, user: User, memberships: Sequence[Membership]) -> QuerySet[Draft]:
    return Draft.objects.filter(orders_visible(user=user, memberships=memberships)).exclude(
        Exists(Order.objects.filter(form_token=OuterRef("form_token")))
    )


def draft_list(*, user: User, memberships: Sequence[Membership], tenant: Tenant) -> list[Draft]:
    """Return the tenant's drafts the user may see, newest first."""
    return list(
        _visible(user=user, memberships=memberships)
        .filter(tenant=tenant)
        .select_related("created_by")
        .defer("form_data")
        .order_by("-updated_at", "-id")[:MAX_LISTED]
    )


def draft_get(*, draft_id: int, user: User, memberships: Sequence[Membership]) -> Draft | None:
    """Return a draft the user may see and resume (its order may exist meanwhile), or None."""
    visible = Draft.objects.filter(orders_visible(user=user, memberships=memberships))
    return visible.select_related("tenant").filter(pk=draft_id).first()


def draft_order(*, draft: Draft) -> Order | None:
    """Return the order made from the draft's form, if it was sent meanwhile."""
    return Order.objects.filter(form_token=draft.form_token).first()
