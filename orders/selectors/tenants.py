"""Reads of tenants' staff: the user's own memberships, and a tenant's staff list."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from orders.models import Membership


def membership_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Return the user's memberships with their tenants, in a stable order."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk).select_related("tenant").order_by("tenant__name")
    )


def membership_list_for_tenant(*, tenant_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(tenant_id=tenant_id)
        .select_related("user")
        .order_by("user__username")
    )


def membership_get(*, membership_id: int, tenant_id: int) -> Membership | None:
    return (
        Membership.objects.filter(pk=membership_id, tenant_id=tenant_id)
        .select_related("user")
        .first()
    )
