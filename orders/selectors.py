"""Reads: the user's tenants, orders and their attempts, scoped to what the user may see."""

import hmac
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet

from orders import permissions
from orders.clarus import ClarusQueryError
from orders.clarus.goods_outs import goods_out_status, status_label
from orders.domain import GoodsOutStatus
from orders.models import Membership, Order, Tenant, WebhookDelivery


def membership_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Return the user's memberships with their tenants, in a stable order."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk).select_related("tenant").order_by("tenant__name")
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
        .prefetch_related("lines", "attempts__user")
        .filter(pk=order_id)
        .first()
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


def tenant_for_webhook(*, subdomain: str, secret: str) -> Tenant | None:
    """Return the tenant whose webhook address this is, comparing secrets in constant time."""
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None or not hmac.compare_digest(tenant.webhook_secret, secret):
        return None
    return tenant
