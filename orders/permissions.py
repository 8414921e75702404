"""Every "may this user …?" of the desk, in one place.

Roles are per tenant: an agent keys orders and sees, corrects and copies their own; a supervisor
also keys, and sees and acts on every order of the tenant; a tenant admin runs the Clarus
connection and the staff list. Views, forms and services ask the functions below and never
compare roles themselves. Everything here is pure: no database reads but building a ``Q``.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from orders.domain import Choice
from orders.models import Membership, Order, Role, Tenant

_KEYING_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
_ALL_ORDERS_ROLES = frozenset({Role.SUPERVISOR})
_ADMIN_ROLES = frozenset({Role.TENANT_ADMIN})
# Who decides on orders an approval rule held (docs/approvals.md): never an agent.
_APPROVING_ROLES = frozenset({Role.SUPERVISOR, Role.TENANT_ADMIN})


@dataclass(frozen=True)
class Abilities:
    """What the current membership may do, for the page header (``desk_may``)."""

    key: bool = False
    see_all_orders: bool = False
    run_tenant: bool = False
    approve: bool = False


def may_key(membership: Membership) -> bool:
    return membership.role in _KEYING_ROLES


def may_see_all_orders(membership: Membership) -> bool:
    return membership.role in _ALL_ORDERS_ROLES


def may_run_tenant(membership: Membership) -> bool:
    return membership.role in _ADMIN_ROLES


def may_approve(membership: Membership) -> bool:
    """Whether the member sees the approvals queue and decides on held orders of its tenant."""
    return membership.role in _APPROVING_ROLES


def may_handle_personal_data(membership: Membership) -> bool:
    """Find, download and erase everything held about a person in the tenant: its supervisors,
    who already see every order of it. Not agents (their own orders only), and not tenant
    admins, who run the connection and the staff list but see no orders (docs/personal-data.md)."""
    return may_see_all_orders(membership)


def abilities(membership: Membership | None) -> Abilities:
    if membership is None:
        return Abilities()
    return Abilities(
        key=may_key(membership),
        see_all_orders=may_see_all_orders(membership),
        run_tenant=may_run_tenant(membership),
        approve=may_approve(membership),
    )


def supervises(*, memberships: Sequence[Membership], tenant_id: int) -> bool:
    """Return whether the memberships make their user a supervisor of the tenant."""
    return any(m.tenant_id == tenant_id and may_see_all_orders(m) for m in memberships)


def supervised_memberships(*, memberships: Sequence[Membership]) -> list[Membership]:
    return [m for m in memberships if supervises(memberships=[m], tenant_id=m.tenant_id)]


def supervised_tenant_ids(*, memberships: Sequence[Membership]) -> list[int]:
    return [m.tenant_id for m in supervised_memberships(memberships=memberships)]


def keyed_accounts(membership: Membership) -> list[Choice]:
    """Return the client accounts the member keys orders for, as their tenant admin chose them;
    an empty list when they key for every account of the tenant."""
    chosen = membership.accounts if isinstance(membership.accounts, list) else []
    return [
        Choice(id=each["id"], code=str(each.get("code", "")), name=str(each.get("name", "")))
        for each in chosen
        if isinstance(each, dict) and isinstance(each.get("id"), int)
    ]


def account_limits(*, memberships: Sequence[Membership]) -> dict[int, list[Choice]]:
    """Return, by tenant id, the accounts the user keys for where their admin limited them."""
    return {m.tenant_id: limited for m in memberships if (limited := keyed_accounts(m))}


def may_key_for_account(*, limited_to: Sequence[Choice], account_id: int) -> bool:
    """Return whether an order for ``account_id`` may be keyed by a member limited to
    ``limited_to`` (empty: every account)."""
    return not limited_to or any(account.id == account_id for account in limited_to)


def keying_memberships(*, memberships: Sequence[Membership]) -> list[Membership]:
    return [m for m in memberships if may_key(m)]


def keying_tenants(*, memberships: Sequence[Membership], first: Tenant) -> list[Tenant]:
    """Return the tenants the user may key for, ``first`` first; PermissionDenied if none."""
    tenants = [m.tenant for m in keying_memberships(memberships=memberships)]
    if not tenants:
        raise PermissionDenied("Your role does not include keying orders.")
    return sorted(tenants, key=lambda tenant: tenant.pk != first.pk)


def keying_tenant(
    *, memberships: Sequence[Membership], current: Membership, tenant_id: str | None
) -> Tenant:
    """Return the tenant an entry page asks about: ``tenant_id`` if the user keys for it, the
    current one when none is named; PermissionDenied otherwise."""
    if not tenant_id:
        return current.tenant
    for membership in memberships:
        if str(membership.tenant_id) == tenant_id and may_key(membership):
            return membership.tenant
    raise PermissionDenied("You do not key orders for this tenant.")


def may_switch_to(*, memberships: Sequence[Membership], tenant_id: str) -> bool:
    return any(str(m.tenant_id) == tenant_id for m in memberships)


def orders_visible(*, user: User, memberships: Sequence[Membership]) -> Q:
    """Return the condition for orders ``user`` may see: all of a supervisor's tenants, and
    their own orders in tenants where they key."""
    every = supervised_tenant_ids(memberships=memberships)
    own = [
        m.tenant_id for m in keying_memberships(memberships=memberships) if m.tenant_id not in every
    ]
    return Q(tenant_id__in=every) | Q(tenant_id__in=own, created_by=user)


def _keys_own(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    return order.created_by_id == user.pk and any(
        m.tenant_id == order.tenant_id and may_key(m) for m in memberships
    )


def order_may_see(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether ``user`` may see the order: ``orders_visible`` for one order in hand."""
    return supervises(memberships=memberships, tenant_id=order.tenant_id) or _keys_own(
        order=order, user=user, memberships=memberships
    )


def order_may_rekey(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether ``user`` may correct the order or copy it: whoever keyed it, while they
    still key for its tenant, and the tenant's supervisors."""
    return supervises(memberships=memberships, tenant_id=order.tenant_id) or _keys_own(
        order=order, user=user, memberships=memberships
    )


def order_may_correct_by_form(
    *, order: Order, user: User, memberships: Sequence[Membership]
) -> bool:
    """Return whether a posted entry form may correct the order its form token names: whoever
    keyed it (even without the keying role now), or whoever may key it again."""
    return order.created_by_id == user.pk or order_may_rekey(
        order=order, user=user, memberships=memberships
    )


def order_may_cancel(*, order: Order, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may ask Clarus to cancel the order: its tenant's supervisors."""
    return supervises(memberships=memberships, tenant_id=order.tenant_id)


def order_may_resend(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may send the order again: whoever may see it."""
    return supervises(memberships=memberships, tenant_id=order.tenant_id) or _keys_own(
        order=order, user=user, memberships=memberships
    )


def membership_may_change(*, membership: Membership, acting_user: User) -> bool:
    """Return whether ``acting_user`` may change or remove the membership: not their own."""
    return membership.user_id != acting_user.pk


def order_may_amend(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may amend the order's goods-out in Clarus: whoever keyed it,
    while they still key for its tenant, and the tenant's supervisors."""
    return supervises(memberships=memberships, tenant_id=order.tenant_id) or _keys_own(
        order=order, user=user, memberships=memberships
    )


def order_may_decide(*, order: Order, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may approve or refuse a held order: the supervisors and tenant
    admins of its tenant (whether they may approve their own is ``order_may_approve``)."""
    return any(m.tenant_id == order.tenant_id and may_approve(m) for m in memberships)


def order_may_approve(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may approve a held order: whoever may decide on it, but not on
    an order they keyed themselves unless its tenant allows that (``approval_self_allowed``)."""
    if not order_may_decide(order=order, memberships=memberships):
        return False
    return order.created_by_id != user.pk or order.tenant.approval_self_allowed


def order_may_withdraw(*, order: Order, user: User, memberships: Sequence[Membership]) -> bool:
    """Return whether the user may withdraw an order a supervisor did not approve or the desk
    could not send: whoever may correct it (who keyed it, while they key for its tenant, and its
    supervisors)."""
    return order_may_rekey(order=order, user=user, memberships=memberships)
