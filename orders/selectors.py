"""Reads: the user's tenants, orders and their attempts, scoped to what the user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils import timezone

from orders.models import (
    ALL_ORDERS_ROLES,
    KEYING_ROLES,
    OPEN_INVITATION_STATUSES,
    InvitationStatus,
    Membership,
    Order,
    StaffInvitation,
    WebhookDelivery,
)


def membership_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Return the user's memberships with their tenants, in a stable order."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk).select_related("tenant").order_by("tenant__name")
    )


def visible_orders(*, user: User, memberships: list[Membership]) -> Q:
    """Return the condition for orders ``user`` may see: all of a supervisor's tenants, and
    their own orders in tenants where they key."""
    every = [m.tenant_id for m in memberships if m.role in ALL_ORDERS_ROLES]
    own = [m.tenant_id for m in memberships if m.can_key and m.role not in ALL_ORDERS_ROLES]
    return Q(tenant_id__in=every) | Q(tenant_id__in=own, created_by=user)


def order_may_rekey(
    *, order: Order, user: User, memberships: list[Membership] | None = None
) -> bool:
    """Return whether ``user`` may correct the order or copy it: whoever keyed it, while they
    still key for its tenant, and the tenant's supervisors."""
    if memberships is None:
        memberships = membership_list_for_user(user=user)
    role = next((m.role for m in memberships if m.tenant_id == order.tenant_id), None)
    return role in ALL_ORDERS_ROLES or (role in KEYING_ROLES and order.created_by_id == user.pk)


def order_get_for_detail(
    *, order_id: int, user: User, memberships: list[Membership]
) -> Order | None:
    """Return one order the user may see, with its lines and attempts ready, or None."""
    return (
        Order.objects.filter(visible_orders(user=user, memberships=memberships))
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


def invitation_list_for_tenant(*, tenant_id: int) -> QuerySet[StaffInvitation]:
    """Return the tenant's invitations still waiting, as its admin sees them.

    A declined invitation is among them until it expires, as one nobody could answer is: the
    list reads the same whether or not a login of that name exists.
    """
    return StaffInvitation.objects.filter(
        tenant_id=tenant_id, status__in=OPEN_INVITATION_STATUSES, expires_at__gt=timezone.now()
    ).order_by("username")


def invitation_get_for_tenant(*, invitation_id: int, tenant_id: int) -> StaffInvitation | None:
    return invitation_list_for_tenant(tenant_id=tenant_id).filter(pk=invitation_id).first()


def _invitations_open_to(user_id: int) -> QuerySet[StaffInvitation]:
    """Only the invited login ever reaches an invitation, and only while it is open."""
    return StaffInvitation.objects.filter(
        invitee_id=user_id, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )


def invitation_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[StaffInvitation]:
    """Return the invitations ``user`` may still accept or decline, with their tenants."""
    if not user.is_authenticated:
        return []
    return list(
        _invitations_open_to(user.pk)
        .select_related("tenant", "invited_by")
        .order_by("created_at", "pk")
    )


def invitation_get_for_user(*, invitation_id: int, user: User) -> StaffInvitation | None:
    return _invitations_open_to(user.pk).filter(pk=invitation_id).first()


def webhook_list_for_order(*, order: Order) -> list[WebhookDelivery]:
    """Return the webhooks Clarus sent about the order's goods-out, latest change first.

    They were matched to the order in its own tenant when they arrived (orders.webhooks).
    """
    return list(
        WebhookDelivery.objects.filter(order=order, tenant_id=order.tenant_id).order_by(
            "-happened_at", "-id"
        )
    )
