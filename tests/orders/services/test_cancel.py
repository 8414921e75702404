"""A supervisor cancels a sent order's goods-out in Clarus (the sandbox, over real HTTP)."""

import uuid

import httpx
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.audit import WEBHOOK, order_transition
from orders.models import AttemptOutcome, Membership, Order, OrderStatus, Role
from orders.services import cancel as services
from sandbox.models import SandboxGoodsOut
from tests.orders.factories import order_post_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_order(client, sandbox_tenant):
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    client.force_login(agent)
    client.post(reverse("orders:create"), order_post_data(sandbox_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    assert order.status == OrderStatus.SENT
    return order


@pytest.fixture
def supervisor_client(client, sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    return client


def test_a_supervisor_cancels_with_a_reason(sent_order, supervisor_client):
    page = supervisor_client.get(sent_order.get_absolute_url()).content.decode()
    assert 'id="cancel-order"' in page

    response = supervisor_client.post(
        reverse("orders:cancel", args=[sent_order.pk]),
        {"reason": "Caller changed their mind"},
        follow=True,
    )

    sent_order.refresh_from_db()
    cancel_attempt = sent_order.attempts.order_by("-id").first()
    assert sent_order.status == OrderStatus.CANCELLED
    assert "Caller changed their mind" in response.content.decode()
    assert not SandboxGoodsOut.objects.exists()
    assert cancel_attempt is not None
    assert cancel_attempt.outcome == AttemptOutcome.CANCELLED
    assert cancel_attempt.url.endswith(f"/goods_outs/{sent_order.clarus_id}/cancel")
    assert cancel_attempt.request_body == ""


def test_clarus_refusing_leaves_the_order_sent(sent_order, supervisor_client):
    SandboxGoodsOut.objects.update(goods_out_status_id=6)

    response = supervisor_client.post(
        reverse("orders:cancel", args=[sent_order.pk]), {"reason": "Too late?"}, follow=True
    )

    sent_order.refresh_from_db()
    assert sent_order.status == OrderStatus.SENT
    assert "Clarus did not cancel" in response.content.decode()
    assert "dispatched already" in response.content.decode()


def test_a_reason_is_required(sent_order, supervisor_client):
    supervisor_client.post(reverse("orders:cancel", args=[sent_order.pk]), {"reason": " "})

    sent_order.refresh_from_db()
    assert sent_order.status == OrderStatus.SENT


def test_an_agent_cannot_cancel(sent_order, client):
    page = client.get(sent_order.get_absolute_url()).content.decode()

    response = client.post(reverse("orders:cancel", args=[sent_order.pk]), {"reason": "mine"})

    sent_order.refresh_from_db()
    assert 'id="cancel-order"' not in page
    assert response.status_code == 403
    assert sent_order.status == OrderStatus.SENT


def test_a_cancel_that_a_webhook_beat_is_recorded_once(sent_order, sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)

    def clarus(request: httpx.Request) -> httpx.Response:
        # Clarus's `cancelled` webhook reaches the desk while it waits for this answer.
        webhook_view = Order.objects.get(pk=sent_order.pk)
        order_transition(webhook_view, OrderStatus.CANCELLED, by=WEBHOOK, reason="x")
        webhook_view.save()
        return httpx.Response(200, json={"data": {"id": sent_order.clarus_id}})

    result = services.order_cancel(
        order=sent_order,
        user=supervisor,
        reason="Caller changed their mind",
        transport=httpx.MockTransport(clarus),
    )

    assert result.cancelled
    changes = sent_order.transitions.filter(to_status=OrderStatus.CANCELLED)
    assert [change.actor for change in changes] == ["Clarus webhook"]
    assert sent_order.attempts.filter(outcome=AttemptOutcome.CANCELLED).count() == 1
