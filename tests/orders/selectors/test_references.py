"""The reference check: an earlier order of the tenant with the reference being keyed, exact or
differing only in capitals, among what the agent may know of, found by its index."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Membership, Order, Role
from orders.selectors.references import reference_earlier
from tests.orders.factories import staff_of_two_tenants

pytestmark = pytest.mark.postgres


@pytest.fixture
def desk(make_tenant):
    """Return a tenant with an agent, a colleague and a supervisor, and another tenant."""
    return staff_of_two_tenants(make_tenant, agent="ann", stranger_role=Role.AGENT)


def order(tenant, user, reference, **fields):
    return Order.objects.create(
        tenant=tenant, created_by=user, reference=reference, account_id=1, **fields
    )


def earlier(user, tenant, reference, form_token=None):
    memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    return reference_earlier(
        tenant=tenant,
        reference=reference,
        form_token=form_token or uuid.uuid4(),
        user=user,
        memberships=memberships,
    )


def test_the_same_reference_is_found_with_who_keyed_it_and_when(desk):
    tenant, _other, people = desk
    first = order(tenant, people["ann"], "SO-1001")

    found = earlier(people["ann"], tenant, "SO-1001")

    assert found is not None
    assert found.exact
    assert found.visible
    assert (found.order_id, found.reference, found.keyed_by) == (first.pk, "SO-1001", "ann")
    assert found.keyed_at == first.created_at


@pytest.mark.parametrize("typed", ["so-1001", "So-1001", "SO-1001".lower()])
def test_a_reference_differing_only_in_capitals_is_found_as_not_exact(desk, typed):
    tenant, _other, people = desk
    first = order(tenant, people["ann"], "SO-1001")

    found = earlier(people["ann"], tenant, typed)

    assert found is not None
    assert not found.exact
    assert (found.order_id, found.reference) == (first.pk, "SO-1001")


def test_the_exact_one_is_told_of_before_one_differing_in_capitals(desk):
    tenant, _other, people = desk
    order(tenant, people["ann"], "so-1001")
    exact = order(tenant, people["ann"], "SO-1001")
    order(tenant, people["ann"], "So-1001")

    found = earlier(people["ann"], tenant, "SO-1001")

    assert found is not None
    assert found.exact
    assert found.order_id == exact.pk


@pytest.mark.parametrize("typed", ["SO-100", "SO-10011", "SO 1001", "SO-1001 x", ""])
def test_another_reference_finds_nothing(desk, typed):
    tenant, _other, people = desk
    order(tenant, people["ann"], "SO-1001")

    assert earlier(people["ann"], tenant, typed) is None


def test_another_tenants_reference_is_never_found(desk):
    tenant, other, people = desk
    order(other, people["stranger"], "THEIRS-1")

    for user in (people["ann"], people["boss"]):
        assert earlier(user, tenant, "THEIRS-1") is None
        assert earlier(user, tenant, "theirs-1") is None
    # Asked about their own tenant, the stranger is told of it.
    assert earlier(people["stranger"], other, "THEIRS-1") is not None


def test_the_forms_own_order_is_not_a_duplicate_of_itself(desk):
    tenant, _other, people = desk
    correcting = order(tenant, people["ann"], "SO-1001")

    assert earlier(people["ann"], tenant, "SO-1001", form_token=correcting.form_token) is None
    assert earlier(people["ann"], tenant, "so-1001", form_token=correcting.form_token) is None
    # Another form (a copy of it) with the same reference is told of the order.
    assert earlier(people["ann"], tenant, "SO-1001", form_token=uuid.uuid4()) is not None


def test_an_order_the_agent_may_not_see_is_told_of_without_its_details(desk):
    tenant, _other, people = desk
    order(tenant, people["colleague"], "SO-2002")

    found = earlier(people["ann"], tenant, "SO-2002")
    case_only = earlier(people["ann"], tenant, "so-2002")

    assert found is not None
    assert case_only is not None
    assert found.exact
    assert not case_only.exact
    for told in (found, case_only):
        assert not told.visible
        assert (told.order_id, told.reference, told.keyed_at, told.keyed_by) == (None, "", None, "")
    # Their supervisor sees the whole tenant: the order is named to them.
    seen = earlier(people["boss"], tenant, "SO-2002")
    assert seen is not None
    assert seen.visible
    assert seen.keyed_by == "colleague"


def test_one_the_agent_may_open_is_told_of_before_one_they_may_not(desk):
    tenant, _other, people = desk
    order(tenant, people["colleague"], "so-3003")
    own = order(tenant, people["ann"], "So-3003")

    found = earlier(people["ann"], tenant, "SO-3003")

    assert found is not None
    assert found.visible
    assert found.order_id == own.pk


def test_a_reference_too_long_to_send_is_not_looked_up(desk, django_assert_num_queries):
    tenant, _other, people = desk
    order(tenant, people["ann"], "X" * 50)
    memberships = list(Membership.objects.filter(user=people["ann"]).select_related("tenant"))

    with django_assert_num_queries(0):
        found = reference_earlier(
            tenant=tenant,
            reference="X" * 51,
            form_token=None,
            user=people["ann"],
            memberships=memberships,
        )

    assert found is None


def test_the_check_is_one_query(desk, django_assert_num_queries):
    tenant, _other, people = desk
    order(tenant, people["ann"], "SO-1001")
    memberships = list(Membership.objects.filter(user=people["ann"]).select_related("tenant"))

    with django_assert_num_queries(1):
        reference_earlier(
            tenant=tenant,
            reference="so-1001",
            form_token=uuid.uuid4(),
            user=people["ann"],
            memberships=memberships,
        )


def test_the_lookup_uses_the_reference_index(desk):
    """The database finds the orders by ``order_tenant_reference_upper``, not by reading the
    tenant's orders: on SQLite and on PostgreSQL (told not to scan the table, as it would for a
    table this small)."""
    tenant, other, people = desk
    for n in range(50):
        order(tenant, people["ann"], f"SO-{n}")
        order(other, people["stranger"], f"SO-{n}")
    memberships = list(Membership.objects.filter(user=people["ann"]).select_related("tenant"))
    with CaptureQueriesContext(connection) as queries:
        reference_earlier(
            tenant=tenant,
            reference="so-7",
            form_token=uuid.uuid4(),
            user=people["ann"],
            memberships=memberships,
        )
    (query,) = queries.captured_queries

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())

    assert "order_tenant_reference_upper" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert "SCAN orders_order" not in plan, plan
