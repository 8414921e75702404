"""Writes for a tenant's staff: invitations, the tenant's own new logins, roles, the last tenant.

Who may join a tenant's staff, and how:

- A login that already exists, anywhere on the desk, joins only by its own consent. The tenant
  admin invites a username; the login of that name sees the invitation when signed in and
  accepts or declines it. Until it accepts, the admin learns nothing about it: the answer to
  the invitation, the list of invitations and every page read the same whether or not such a
  login exists (a declined invitation still reads "waiting for an answer" until it expires),
  and a login's email is shown only once it is a member.
- A new login is created by the tenant admin only in the tenant's own name space: the name
  ``jo`` becomes the login ``jo@<subdomain>``. Subdomains are unique and never change, so such
  a name can only be taken by a login this tenant (or a superuser) created before, and
  "already exists" tells the admin nothing about another tenant.
- A superuser adds any login directly (``manage.py clarus_staff``, Django admin).

Every name is cleaned by ``orders.usernames`` before it is looked up or stored.
"""

from collections.abc import Sequence
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import permissions
from orders.domain import Choice
from orders.models import (
    OPEN_INVITATION_STATUSES,
    GivenPassword,
    InvitationStatus,
    Membership,
    Role,
    StaffInvitation,
    Tenant,
)
from orders.usernames import username_clean

INVITATION_LIFETIME = timedelta(days=14)


def staff_invite(*, tenant: Tenant, username: str, role: str, invited_by: User) -> StaffInvitation:
    """Invite the login ``username`` to the tenant's staff as ``role``, for 14 days.

    Inviting a name again renews its open invitation (new role, new expiry). Raise
    ValidationError only for what the admin already knows: a malformed name, or one of the
    tenant's own members.
    """
    name = username_clean(username)
    if role not in Role.values:
        raise ValidationError("Choose a role.", code="role")
    invitee = User.objects.filter(username=name).first()
    if invitee is not None and Membership.objects.filter(user=invitee, tenant=tenant).exists():
        raise ValidationError(f"{name} is already on the staff of {tenant}.", code="member")
    values = {
        "invitee": invitee,
        "role": role,
        "invited_by": invited_by,
        "status": InvitationStatus.PENDING,
        "expires_at": timezone.now() + INVITATION_LIFETIME,
        "answered_at": None,
    }
    # update_or_create locks the open invitation, and finds the one a simultaneous request
    # just opened rather than failing on the one-open-invitation constraint.
    invitation, _created = StaffInvitation.objects.update_or_create(
        tenant=tenant, username=name, status__in=OPEN_INVITATION_STATUSES, defaults=values
    )
    return invitation


def staff_invitation_revoke(*, invitation: StaffInvitation) -> None:
    """Withdraw an open invitation: it can no longer be accepted."""
    StaffInvitation.objects.filter(pk=invitation.pk, status__in=OPEN_INVITATION_STATUSES).update(
        status=InvitationStatus.REVOKED, answered_at=timezone.now()
    )


def _open_for(invitation: StaffInvitation, user: User) -> StaffInvitation:
    """Return the invitation's row, locked, if ``user`` may still answer it."""
    locked = StaffInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if (
        locked is None
        or locked.invitee_id != user.pk
        or locked.status != InvitationStatus.PENDING
        or locked.expires_at <= timezone.now()
    ):
        raise ValidationError("This invitation is no longer open.", code="closed")
    return locked


def staff_invitation_accept(*, invitation: StaffInvitation, user: User) -> Membership:
    """Make ``user`` a member of the invitation's tenant, with its role."""
    with transaction.atomic():
        locked = _open_for(invitation, user)
        membership, _created = Membership.objects.get_or_create(
            user=user, tenant_id=locked.tenant_id, defaults={"role": locked.role}
        )
        locked.status = InvitationStatus.ACCEPTED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])
    return membership


def staff_invitation_decline(*, invitation: StaffInvitation, user: User) -> None:
    with transaction.atomic():
        locked = _open_for(invitation, user)
        locked.status = InvitationStatus.DECLINED
        locked.answered_at = timezone.now()
        locked.save(update_fields=["status", "answered_at"])


def staff_login_name(*, tenant: Tenant, name: str) -> str:
    """Return the login a tenant admin's new ``name`` becomes: ``name@subdomain``, cleaned."""
    if "@" in name:
        raise ValidationError(
            f"Leave out the @: the desk adds @{tenant.subdomain} itself.", code="at_sign"
        )
    return username_clean(f"{name}@{tenant.subdomain}")


def staff_login_create(
    *, tenant: Tenant, name: str, role: str, password: str, created_by: User, email: str = ""
) -> Membership:
    """Create the new login ``name@subdomain`` with a role in the tenant, and the password the
    admin chose for it: its owner chooses their own at their first sign-in."""
    username = staff_login_name(tenant=tenant, name=name)
    if role not in Role.values:
        raise ValidationError("Choose a role.", code="role")
    taken = ValidationError(
        f"{username} is already one of this tenant's logins: invite it instead.", code="taken"
    )
    # As Django's own sign-up form does, a name differing only in case counts as taken.
    if User.objects.filter(username__iexact=username).exists():
        raise taken
    try:
        with transaction.atomic():
            user = User(username=username, email=email)
            user.set_password(password)
            user.save()
            GivenPassword.objects.create(user=user, given_by=created_by)
            return Membership.objects.create(user=user, tenant=tenant, role=role)
    except IntegrityError:
        raise taken from None


def staff_member_set(
    *, tenant: Tenant, username: str, role: str, password: str = "", email: str = ""
) -> tuple[Membership, bool]:
    """Give any login a role in the tenant at once, creating it if needed (superusers only).

    Return the membership and whether the login was created.
    """
    name = username_clean(username)
    with transaction.atomic():
        user = User.objects.filter(username=name).first()
        created = user is None
        if user is None:
            if User.objects.filter(username__iexact=name).exists():
                raise ValidationError(
                    f"A login differing from {name} only in case exists: use that one.",
                    code="taken",
                )
            user = User(username=name)
        if email:
            user.email = email
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
        membership, _ = Membership.objects.update_or_create(
            user=user, tenant=tenant, defaults={"role": role}
        )
    return membership, created


def staff_tenant_remember(*, membership: Membership) -> None:
    """Note that the member now works in this tenant: the desk opens on it at next sign-in."""
    Membership.objects.filter(pk=membership.pk).update(last_used_at=timezone.now())


def _refuse_own_membership(membership: Membership, *, acting_user: User) -> None:
    if not permissions.membership_may_change(membership=membership, acting_user=acting_user):
        raise PermissionDenied("You cannot change your own role.")


def membership_set_role(*, membership: Membership, role: str, acting_user: User) -> Membership:
    _refuse_own_membership(membership, acting_user=acting_user)
    if role not in Role.values:
        raise ValidationError("Unknown role.", code="role")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def membership_set_accounts(
    *, membership: Membership, accounts: Sequence[Choice], acting_user: User
) -> Membership:
    """Limit the member to keying orders for ``accounts`` (none: every account of the tenant),
    kept with what the admin saw of each."""
    _refuse_own_membership(membership, acting_user=acting_user)
    membership.accounts = [
        {"id": account.id, "code": account.code, "name": account.name} for account in accounts
    ]
    membership.save(update_fields=["accounts"])
    return membership


def membership_remove(*, membership: Membership, acting_user: User) -> None:
    _refuse_own_membership(membership, acting_user=acting_user)
    membership.delete()
