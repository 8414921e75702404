"""Reads of a tenant's staff: its members, and the invitations its admin sent and its invitees
answer."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from orders.models import (
    OPEN_INVITATION_STATUSES,
    GivenPassword,
    InvitationStatus,
    Membership,
    StaffInvitation,
)


def membership_list_for_tenant(*, tenant_id: int) -> QuerySet[Membership]:
    """Return the tenant's members, each with ``password_given``: whether they still sign in
    with a password somebody else chose."""
    return (
        Membership.objects.filter(tenant_id=tenant_id)
        .select_related("user")
        .annotate(password_given=Exists(GivenPassword.objects.filter(user_id=OuterRef("user_id"))))
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


def _any_invitation_open_to(user_id: int) -> bool:
    """Whether an invitation is open to the user: ``_invitations_open_to``, asked as SQL.

    Every page asks it for its banner and almost always finds none: built by the ORM, the list's
    query (two joins, the tenant's encrypted columns) cost about 1.3 ms of CPU per page; this
    statement, written by hand, about 0.05 ms (bench/README.md, "Requests bench").
    """
    quote = connection.ops.quote_name
    table = StaffInvitation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {quote(table)} WHERE {quote('invitee_id')} = %s "
            f"AND {quote('status')} = %s AND {quote('expires_at')} > %s LIMIT 1",
            [
                user_id,
                str(InvitationStatus.PENDING),
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        return cursor.fetchone() is not None


def invitation_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[StaffInvitation]:
    """Return the invitations ``user`` may still accept or decline, with their tenants."""
    if not user.is_authenticated or not _any_invitation_open_to(user.pk):
        return []
    return list(
        _invitations_open_to(user.pk)
        .select_related("tenant", "invited_by")
        .order_by("created_at", "pk")
    )


def invitation_get_for_user(*, invitation_id: int, user: User) -> StaffInvitation | None:
    return _invitations_open_to(user.pk).filter(pk=invitation_id).first()
