"""Every "may this user …?" answer, one function at a time, on unsaved rows (no database)."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from orders import permissions
from orders.models import Membership, Order, Role, Tenant

ONE, TWO = 1, 2


def tenant(pk: int) -> Tenant:
    return Tenant(pk=pk, name=f"Tenant {pk}", subdomain=f"t{pk}")


def member(role: str, tenant_id: int = ONE, user_id: int = 10) -> Membership:
    return Membership(
        pk=tenant_id * 100 + user_id, user_id=user_id, tenant=tenant(tenant_id), role=role
    )


def user(pk: int = 10) -> User:
    return User(pk=pk, username=f"user{pk}")


def order(*, tenant_id: int = ONE, created_by: int = 10) -> Order:
    return Order(pk=5, tenant_id=tenant_id, created_by_id=created_by)


@pytest.mark.parametrize(
    ("role", "key", "all_orders", "run_tenant", "approve"),
    [
        (Role.AGENT, True, False, False, False),
        (Role.SUPERVISOR, True, True, False, True),
        (Role.TENANT_ADMIN, False, False, True, True),
    ],
)
def test_each_role_may_do_what_the_readme_says(role, key, all_orders, run_tenant, approve) -> None:
    membership = member(role)
    assert permissions.may_key(membership) is key
    assert permissions.may_see_all_orders(membership) is all_orders
    assert permissions.may_run_tenant(membership) is run_tenant
    assert permissions.may_approve(membership) is approve
    assert permissions.abilities(membership) == permissions.Abilities(
        key, all_orders, run_tenant, approve
    )


def test_nobody_signed_in_may_do_nothing() -> None:
    assert permissions.abilities(None) == permissions.Abilities(False, False, False, False)


def test_a_supervisor_is_one_in_that_tenant_only() -> None:
    memberships = [member(Role.SUPERVISOR, ONE), member(Role.AGENT, TWO)]
    assert permissions.supervises(memberships=memberships, tenant_id=ONE)
    assert not permissions.supervises(memberships=memberships, tenant_id=TWO)
    assert not permissions.supervises(memberships=memberships, tenant_id=3)
    assert permissions.supervised_tenant_ids(memberships=memberships) == [ONE]
    assert permissions.supervised_memberships(memberships=memberships) == [memberships[0]]


def test_keying_memberships_and_tenants_leave_out_tenant_admins() -> None:
    memberships = [
        member(Role.TENANT_ADMIN, ONE),
        member(Role.AGENT, TWO),
        member(Role.SUPERVISOR, 3),
    ]
    assert permissions.keying_memberships(memberships=memberships) == memberships[1:]
    tenants = permissions.keying_tenants(memberships=memberships, first=tenant(3))
    assert [t.pk for t in tenants] == [3, TWO]


def test_no_keying_role_anywhere_may_not_key() -> None:
    with pytest.raises(PermissionDenied):
        permissions.keying_tenants(memberships=[member(Role.TENANT_ADMIN)], first=tenant(ONE))


def test_the_tenant_asked_about_must_be_one_the_user_keys_for() -> None:
    current = member(Role.AGENT, ONE)
    memberships = [current, member(Role.TENANT_ADMIN, TWO)]
    ask = permissions.keying_tenant
    assert ask(memberships=memberships, current=current, tenant_id=None).pk == ONE
    assert ask(memberships=memberships, current=current, tenant_id=str(ONE)).pk == ONE
    with pytest.raises(PermissionDenied):
        ask(memberships=memberships, current=current, tenant_id=str(TWO))
    with pytest.raises(PermissionDenied):
        ask(memberships=memberships, current=current, tenant_id="99")


def test_switching_only_to_one_s_own_tenants() -> None:
    memberships = [member(Role.AGENT, ONE)]
    assert permissions.may_switch_to(memberships=memberships, tenant_id=str(ONE))
    assert not permissions.may_switch_to(memberships=memberships, tenant_id=str(TWO))


def test_visible_orders_are_a_supervisor_s_tenants_and_an_agent_s_own() -> None:
    me = user()
    memberships = [
        member(Role.SUPERVISOR, ONE),
        member(Role.AGENT, TWO),
        member(Role.TENANT_ADMIN, 3),
    ]
    condition = permissions.orders_visible(user=me, memberships=memberships)
    assert condition == Q(tenant_id__in=[ONE]) | Q(tenant_id__in=[TWO], created_by=me)


@pytest.mark.parametrize(
    ("role", "created_by", "rekey"),
    [
        (Role.SUPERVISOR, 99, True),
        (Role.AGENT, 10, True),
        (Role.AGENT, 99, False),
        (Role.TENANT_ADMIN, 10, False),
    ],
)
def test_who_may_key_an_order_again(role, created_by, rekey) -> None:
    memberships = [member(role, ONE)]
    the_order = order(created_by=created_by)
    assert (
        permissions.order_may_rekey(order=the_order, user=user(), memberships=memberships) is rekey
    )
    assert (
        permissions.order_may_resend(order=the_order, user=user(), memberships=memberships) is rekey
    )


def test_an_order_of_another_tenant_is_nobody_s_to_key_again() -> None:
    memberships = [member(Role.SUPERVISOR, TWO)]
    assert not permissions.order_may_rekey(order=order(), user=user(), memberships=memberships)


def test_whoever_keyed_it_may_correct_it_by_its_form_even_without_the_role_now() -> None:
    memberships = [member(Role.TENANT_ADMIN, ONE)]
    mine, theirs = order(created_by=10), order(created_by=99)
    correct = permissions.order_may_correct_by_form
    assert correct(order=mine, user=user(), memberships=memberships)
    assert not correct(order=theirs, user=user(), memberships=memberships)
    assert correct(order=theirs, user=user(), memberships=[member(Role.SUPERVISOR, ONE)])


def test_only_the_tenant_s_supervisors_may_cancel() -> None:
    assert permissions.order_may_cancel(order=order(), memberships=[member(Role.SUPERVISOR)])
    assert not permissions.order_may_cancel(order=order(), memberships=[member(Role.AGENT)])
    assert not permissions.order_may_cancel(
        order=order(), memberships=[member(Role.SUPERVISOR, TWO)]
    )


def test_nobody_changes_their_own_membership() -> None:
    mine = member(Role.TENANT_ADMIN, ONE, user_id=10)
    assert not permissions.membership_may_change(membership=mine, acting_user=user(10))
    assert permissions.membership_may_change(membership=mine, acting_user=user(11))
