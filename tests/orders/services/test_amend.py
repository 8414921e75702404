"""Amending a sent order against the sandbox over real HTTP: applied, refused, not found, no
answer then reconciled, and two people at once."""

import time
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.domain import AmendmentKind, StandingLine
from orders.models import AmendmentStatus, AttemptOutcome, Membership, Order, OrderStatus, Role
from orders.services import amend as services
from sandbox.amend import goods_out_status_set
from sandbox.faults import faults_set
from sandbox.models import SandboxGoodsOut
from sandbox.services import client_register
from sandbox.services import goods_out_create as sandbox_goods_out_create
from tests.orders.factories import order_post_data
from tests.sandbox.factories import goods_out_document

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def sent_order(client, sandbox_tenant):
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    client.force_login(agent)
    data = order_post_data(sandbox_tenant.pk, str(uuid.uuid4()), [("101", "4"), ("102", "1")])
    client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    assert order.status == OrderStatus.SENT
    return order


@pytest.fixture
def sue(sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    return supervisor


def sandbox_lines(order):
    goods_out = SandboxGoodsOut.objects.get(pk=order.clarus_id)
    return [
        (line.product_id, line.order_quantity) for line in goods_out.lines.order_by("line_number")
    ]


def changed(read, *, quantity="6", drop_second=True, add=True):
    """Return the goods-out as read with line 1 at ``quantity``, line 2 gone, a line added."""
    first, second = read.standing.lines
    lines = [replace(first, quantity=Decimal(quantity))]
    if not drop_second:
        lines.append(second)
    if add:
        lines.append(StandingLine(None, 303, Decimal(2), "MUG-NVY-0060"))
    return replace(read.standing, lines=tuple(lines))


def opened(order):
    result = services.order_amend_open(order=order)
    assert result.read is not None, result.problem
    return result.read


def test_line_ids_come_from_the_create_answer(sent_order):
    goods_out = SandboxGoodsOut.objects.get(pk=sent_order.clarus_id)

    assert [line.clarus_line_id for line in sent_order.lines.all()] == list(
        goods_out.lines.order_by("line_number").values_list("pk", flat=True)
    )


def test_an_amendment_is_applied_and_becomes_the_order(sent_order, sue):
    read = opened(sent_order)

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert result.applied, result.message
    assert sandbox_lines(sent_order) == [(101, 6.0), (303, 2.0)]
    sent_order.refresh_from_db()
    lines = list(sent_order.lines.all())
    assert [(line.product_id, line.quantity) for line in lines] == [(101, 6), (303, 2)]
    assert all(line.clarus_line_id for line in lines)
    attempt = sent_order.attempts.order_by("-id").first()
    assert attempt.method == "PATCH"
    assert attempt.outcome == AttemptOutcome.AMENDED
    assert attempt.user == sue
    assert '"DESTROY"' in attempt.request_body
    assert result.amendment is not None
    assert result.amendment.version == 2


def test_after_picking_starts_clarus_refuses_and_nothing_changes(sent_order, sue):
    read = opened(sent_order)
    goods_out_status_set(goods_out_id=sent_order.clarus_id, code="PICK")

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert not result.applied
    assert "can no longer be changed" in result.message
    assert sandbox_lines(sent_order) == [(101, 4.0), (102, 1.0)]
    sent_order.refresh_from_db()
    assert [line.quantity for line in sent_order.lines.all()] == [4, 1]
    assert sent_order.attempts.order_by("-id").first().outcome == AttemptOutcome.AMEND_REFUSED
    assert sent_order.amend_lease_until is None


def test_a_goods_out_clarus_no_longer_has_is_refused(sent_order, sue):
    read = opened(sent_order)
    SandboxGoodsOut.objects.filter(pk=sent_order.clarus_id).delete()

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert not result.applied
    assert result.conflict
    assert sent_order.attempts.filter(method="PATCH").count() == 0


def test_another_tenant_s_goods_out_is_not_found_and_not_changed(sent_order, sue):
    other, _created = client_register(
        subdomain="other", client_id="other-desk", client_secret="other-secret-0123456789"
    )
    theirs = sandbox_goods_out_create(
        subdomain=other.subdomain, document=goods_out_document(product_ids=(101, 102))
    )

    exchanges, answer = services.goods_out_amend(
        tenant=sent_order.tenant,
        goods_out_id=theirs.pk,
        document={
            "data": {
                "type": "goods_outs",
                "attributes": {**theirs.attributes, "lines_changes": [], "priority": 3},
            }
        },
    )

    assert exchanges[-1].status == 404
    assert answer.kind == AmendmentKind.NOT_FOUND
    theirs.refresh_from_db()
    assert theirs.priority == 5
    assert theirs.amendments == []


def test_no_answer_then_clarus_had_applied_it_is_adopted_not_resent(sent_order, sue, settings):
    read = opened(sent_order)
    # Clarus applies the amendment, then the connection drops before it answers.
    faults_set(subdomain="acme", drop_after_store=1)

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert result.applied, result.message
    assert sandbox_lines(sent_order) == [(101, 6.0), (303, 2.0)]
    goods_out = SandboxGoodsOut.objects.get(pk=sent_order.clarus_id)
    assert len(goods_out.amendments) == 1
    outcomes = list(sent_order.attempts.filter(method="PATCH").values_list("outcome", flat=True))
    assert outcomes == [AttemptOutcome.AMEND_NO_ANSWER]


def test_no_answer_and_not_applied_waits_then_is_sent_once(sent_order, sue, settings):
    read = opened(sent_order)
    # The request never reaches Clarus's store: the read timeout passes first.
    settings.CLARUS_READ_TIMEOUT = 0.5
    settings.DESK_SEND_LEASE_SECONDS = 1
    faults_set(subdomain="acme", latency_ms=1500, fail_next=1, forced_status=503)

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert not result.applied
    assert result.waiting
    assert sandbox_lines(sent_order) == [(101, 4.0), (102, 1.0)]
    faults_set(subdomain="acme")
    time.sleep(1.2)
    checked = services.order_amend_check(order=sent_order, user=sue)

    assert checked.applied, checked.message
    assert sandbox_lines(sent_order) == [(101, 6.0), (303, 2.0)]
    goods_out = SandboxGoodsOut.objects.get(pk=sent_order.clarus_id)
    assert len(goods_out.amendments) == 1


def test_no_answer_and_someone_else_changed_it_asks_the_agent(sent_order, sue, settings):
    read = opened(sent_order)
    settings.CLARUS_READ_TIMEOUT = 0.5
    faults_set(subdomain="acme", latency_ms=1500, fail_next=1, forced_status=503)
    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )
    assert result.waiting
    faults_set(subdomain="acme")
    # Meanwhile someone changes the goods-out in Clarus itself.
    goods_out = SandboxGoodsOut.objects.get(pk=sent_order.clarus_id)
    goods_out.lines.filter(product_id=102).update(order_quantity=9)

    checked = services.order_amend_check(order=sent_order, user=sue)

    assert not checked.applied
    assert "neither as it was nor as amended" in checked.message
    assert checked.amendment is not None
    assert checked.amendment.status == AmendmentStatus.ABANDONED
    assert sandbox_lines(sent_order) == [(101, 4.0), (102, 9.0)]


def test_two_people_amending_at_once_the_second_gets_a_conflict(sent_order, sue):
    agent = sent_order.created_by
    first_read = opened(sent_order)
    second_read = opened(sent_order)

    first = services.order_amend(
        order=sent_order,
        user=agent,
        token=uuid.uuid4(),
        base=first_read,
        after=changed(first_read),
    )
    second = services.order_amend(
        order=sent_order,
        user=sue,
        token=uuid.uuid4(),
        base=second_read,
        after=changed(second_read, quantity="10", add=False),
    )

    assert first.applied
    assert not second.applied
    assert second.conflict
    assert "changed since you opened it" in second.message
    assert sandbox_lines(sent_order) == [(101, 6.0), (303, 2.0)]


def test_a_change_made_in_clarus_since_opening_is_a_conflict(sent_order, sue):
    read = opened(sent_order)
    SandboxGoodsOut.objects.get(pk=sent_order.clarus_id).lines.filter(product_id=102).update(
        order_quantity=3
    )

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert result.conflict
    assert sandbox_lines(sent_order) == [(101, 4.0), (102, 3.0)]
    assert not sent_order.attempts.filter(method="PATCH").exists()


def test_the_same_form_sent_twice_is_applied_once(sent_order, sue):
    read = opened(sent_order)
    token = uuid.uuid4()

    first = services.order_amend(
        order=sent_order, user=sue, token=token, base=read, after=changed(read)
    )
    again = services.order_amend(
        order=sent_order, user=sue, token=token, base=read, after=changed(read)
    )

    assert first.applied
    assert again.applied
    assert "sent already" in again.message
    assert len(SandboxGoodsOut.objects.get(pk=sent_order.clarus_id).amendments) == 1


def test_an_unreachable_clarus_leaves_everything_as_it_was(sent_order, sue):
    read = opened(sent_order)
    sent_order.tenant.api_base_url = "http://127.0.0.1:9"
    sent_order.tenant.save()

    result = services.order_amend(
        order=sent_order, user=sue, token=uuid.uuid4(), base=read, after=changed(read)
    )

    assert not result.applied
    assert "nothing was sent" in result.message.lower()
    assert sandbox_lines(sent_order) == [(101, 4.0), (102, 1.0)]
