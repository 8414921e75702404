"""Reads: tenants an agent may key for, orders and their attempts."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet

from orders.models import Order, Tenant


def tenant_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Tenant]:
    """Return the tenants ``user`` may key orders for."""
    # Every signed-in member of staff may use every tenant until per-tenant staff arrive (issue 3).
    if not user.is_authenticated:
        return []
    return list(Tenant.objects.order_by("name"))


def order_list_recent(*, limit: int = 50) -> QuerySet[Order]:
    """Return the most recent orders with what the list shows, newest first."""
    return (
        Order.objects.select_related("tenant", "created_by")
        .annotate(line_count=Count("lines", distinct=True))
        .order_by("-created_at", "-id")[:limit]
    )


def order_get_for_detail(*, order_id: int) -> Order | None:
    """Return one order with its lines and attempts ready to show, or None."""
    return (
        Order.objects.select_related("tenant", "created_by")
        .prefetch_related("lines", "attempts__user")
        .filter(pk=order_id)
        .first()
    )
