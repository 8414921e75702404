"""The order page's read: whom it shows an order to is what ``permissions.orders_visible`` says,
decided from the order's row as the database decides it."""

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders import permissions
from orders.models import Membership, Order, Role
from orders.selectors.orders import _q_holds, order_page_get

ROLES = [None, Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN]


@pytest.fixture
def world(make_tenant):
    tenants = [make_tenant(name=f"T{n}", subdomain=f"t{n}") for n in range(3)]
    people = [User.objects.create_user(f"user{n}") for n in range(3)]
    orders = [
        Order.objects.create(tenant=tenant, created_by=keyer, reference=f"R-{t}-{k}", account_id=7)
        for t, tenant in enumerate(tenants)
        for k, keyer in enumerate(people)
    ]
    return tenants, people, orders


@pytest.mark.postgres
@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(roles=st.lists(st.sampled_from(ROLES), min_size=3, max_size=3), who=st.integers(0, 2))
def test_the_page_shows_an_order_to_exactly_whom_the_database_would(world, roles, who):
    tenants, people, orders = world
    user = people[who]
    Membership.objects.filter(user=user).delete()
    for tenant, role in zip(tenants, roles, strict=True):
        if role is not None:
            Membership.objects.create(user=user, tenant=tenant, role=role)
    memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    visible = permissions.orders_visible(user=user, memberships=memberships)
    seen = set(Order.objects.filter(visible).values_list("pk", flat=True))

    for order in orders:
        assert _q_holds(visible, order) is (order.pk in seen)
        # The same rule for one order in hand (a refused duplicate reference names it or not).
        may_see = permissions.order_may_see(order=order, user=user, memberships=memberships)
        assert may_see is (order.pk in seen)
        page = order_page_get(order_id=order.pk, user=user, memberships=memberships)
        assert (page is not None) is (order.pk in seen)
        if page is not None:
            assert page.order.tenant is next(
                m.tenant for m in memberships if m.tenant_id == order.tenant_id
            )


@pytest.mark.parametrize(
    "q",
    [
        ~Q(tenant_id__in=[1]),
        Q(reference="R-0-0"),
        Q(tenant__name="T0"),
        Q(created_by__username="user0"),
        Q(tenant_id__gt=0),
        Q(clarus_id=None),
        Q(),
    ],
)
def test_what_it_cannot_tell_from_the_row_it_leaves_to_the_database(world, q):
    _tenants, _people, orders = world

    assert _q_holds(q, orders[0]) is None


def test_an_order_of_no_tenant_of_the_user_is_never_read(world):
    tenants, people, orders = world
    Membership.objects.create(user=people[0], tenant=tenants[0], role=Role.SUPERVISOR)
    memberships = list(Membership.objects.filter(user=people[0]).select_related("tenant"))
    elsewhere = next(order for order in orders if order.tenant_id == tenants[1].pk)

    assert order_page_get(order_id=elsewhere.pk, user=people[0], memberships=memberships) is None
    assert order_page_get(order_id=elsewhere.pk, user=people[0], memberships=[]) is None


@pytest.mark.postgres
def test_a_rule_it_cannot_tell_is_asked_of_the_database(world, monkeypatch):
    tenants, people, orders = world
    Membership.objects.create(user=people[0], tenant=tenants[0], role=Role.SUPERVISOR)
    memberships = list(Membership.objects.filter(user=people[0]).select_related("tenant"))
    first, second = orders[0], orders[1]
    monkeypatch.setattr(
        permissions,
        "orders_visible",
        lambda *, user, memberships: Q(tenant_id__in=[tenants[0].pk], reference=first.reference),
    )

    shown = order_page_get(order_id=first.pk, user=people[0], memberships=memberships)
    hidden = order_page_get(order_id=second.pk, user=people[0], memberships=memberships)

    assert shown is not None
    assert shown.order.pk == first.pk
    assert hidden is None


@pytest.mark.postgres
@pytest.mark.parametrize("order_id", [2**63, 2**80, -(2**63) - 1])
def test_an_id_no_column_holds_is_no_order(world, client, order_id):
    tenants, people, _orders = world
    Membership.objects.create(user=people[0], tenant=tenants[0], role=Role.SUPERVISOR)
    memberships = list(Membership.objects.filter(user=people[0]).select_related("tenant"))
    client.force_login(people[0])

    assert order_page_get(order_id=order_id, user=people[0], memberships=memberships) is None
    if order_id >= 0:
        assert client.get(f"/orders/{order_id}/").status_code == 404
