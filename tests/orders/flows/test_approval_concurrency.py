"""Approved orders on PostgreSQL, with real concurrency: supervisors approving in threads while
several delivery workers sweep in processes of their own, and Clarus answering 503s and dropping
answers after storing. Each approved order reaches Clarus exactly once."""

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connections

from orders.models import (
    ApprovalRuleKind,
    AttemptOutcome,
    Membership,
    Order,
    OrderStatus,
    Role,
    SubmissionAttempt,
)
from orders.services.approvals import RuleTerms, approval_rule_save, order_approve
from orders.services.delivery import deliver_due_orders
from orders.services.submission import order_submit
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.orders.flows.test_concurrency import desk_process, wait_until
from tests.orders.services.test_delivery import keyed

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
ORDERS = 20


def faults(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def test_approved_orders_raced_by_several_workers_under_faults_go_once(sandbox_tenant, settings):
    # A sender gives up on Clarus (1.5 s at most) before its lease (3 s) lets another take the
    # order over, as the settings' defaults keep it: on a busy machine a request can take a
    # second, and one taken over while still on its way would be sent twice.
    settings.CLARUS_CONNECT_TIMEOUT = 0.5
    settings.CLARUS_READ_TIMEOUT = 1
    settings.DESK_SEND_LEASE_SECONDS = 3
    settings.DESK_RETRY_BASE_SECONDS = 0.05
    settings.DESK_RETRY_MAX_SECONDS = 0.2
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    supervisor = User.objects.create_user("sup")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    approval_rule_save(
        tenant=sandbox_tenant,
        user=supervisor,
        terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=0),
    )
    orders = [
        order_submit(
            form_token=uuid.uuid4(), keyed=keyed(sandbox_tenant, reference=f"A-{n:02d}"), user=agent
        ).order
        for n in range(ORDERS)
    ]
    assert {o.status for o in orders} == {OrderStatus.HELD}
    # Held orders are not due, whatever their age: the workers find nothing until approvals.
    Order.objects.update(updated_at=orders[0].created_at.replace(year=2020))
    assert deliver_due_orders() == 0
    assert SandboxGoodsOut.objects.count() == 0

    faults(fail_next=12, forced_status=503, drop_after_store=4)
    env = {
        "DESK_RETRY_BASE_SECONDS": "0.05",
        "DESK_RETRY_MAX_SECONDS": "0.2",
        "CLARUS_CONNECT_TIMEOUT": "0.5",
        "CLARUS_READ_TIMEOUT": "1",
        "DESK_SEND_LEASE_SECONDS": "3",
    }
    workers = [desk_process("sweep", "10", **env) for _ in range(3)]

    def approve(order):
        try:
            return order_approve(order_id=order.pk, user=supervisor)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(approve, orders))
    for process in workers:
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0, output
    faults(fail_next=0, forced_status=None, drop_after_store=0)

    def all_sent():
        deliver_due_orders()
        return set(Order.objects.values_list("status", flat=True)) == {OrderStatus.SENT}

    assert all(result.order.pk for result in results)
    assert wait_until(all_sent, seconds=30)
    per_reference = Counter(SandboxGoodsOut.objects.values_list("reference", flat=True))
    assert len(per_reference) == ORDERS
    assert set(per_reference.values()) == {1}
    for order in Order.objects.all():
        assert order.transitions.filter(from_status="held", to_status="draft").count() == 1
    # The faults were met: refused requests and answers lost after Clarus stored the order.
    outcomes = set(SubmissionAttempt.objects.values_list("outcome", flat=True))
    assert {AttemptOutcome.SERVER_ERROR, AttemptOutcome.NO_ANSWER} <= outcomes
