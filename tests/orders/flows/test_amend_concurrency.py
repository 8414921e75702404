"""Two people send an amendment of the same order at the same moment, on PostgreSQL: one is
applied, the other is told the order is being changed, and Clarus receives one amendment."""

import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.models import Membership, Order, OrderStatus, Role
from orders.services import amend as services
from sandbox.faults import faults_set
from sandbox.models import SandboxGoodsOut
from tests.orders.factories import order_post_data
from tests.orders.flows.test_concurrency import in_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_two_amendments_sent_at_once_one_is_applied_the_other_is_a_conflict(client, sandbox_tenant):
    agent = User.objects.create_user("agent")
    sue = User.objects.create_user("sue")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    Membership.objects.create(user=sue, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(agent)
    data = order_post_data(sandbox_tenant.pk, str(uuid.uuid4()), [("101", "4"), ("102", "1")])
    client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    assert order.status == OrderStatus.SENT
    reads = [services.order_amend_open(order=order).read for _ in range(2)]
    # Clarus takes a while over each amendment, so the two requests overlap.
    faults_set(subdomain="acme", latency_ms=700)

    def amend(index):
        read = reads[index]
        assert read is not None
        first, *rest = read.standing.lines
        after = replace(read.standing, lines=(replace(first, quantity=Decimal(10 + index)), *rest))
        return services.order_amend(
            order=Order.objects.get(pk=order.pk),
            user=[agent, sue][index],
            token=uuid.uuid4(),
            base=read,
            after=after,
        )

    results = in_threads(2, amend)

    assert sorted(result.applied for result in results) == [False, True]
    refused = next(result for result in results if not result.applied)
    assert refused.conflict
    goods_out = SandboxGoodsOut.objects.get(pk=order.clarus_id or 0)
    assert len(goods_out.amendments) == 1
