"""Reads of the signed-in user's tenants: their memberships."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from orders.models import Membership


def membership_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Return the user's memberships with their tenants, in a stable order."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk).select_related("tenant").order_by("tenant__name")
    )
