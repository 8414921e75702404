"""Saving an order's address in Clarus for its end customer, once: against the sandbox over real
HTTP (saved, refused with a 422, no answer within the timeout), each request kept like any other
Clarus call, never sent twice."""

import json
import threading
import time
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.urls import reverse

from orders.audit import Actor
from orders.domain import KeyedOrder
from orders.models import AddressSave, AddressSaveStatus, AttemptOutcome, Membership, Order, Role
from orders.services.delivery_addresses import (
    delivery_address_deliver,
    delivery_address_request,
    delivery_address_save,
    delivery_addresses_deliver_due,
)
from orders.services.submission import order_submit
from sandbox.models import SandboxDeliveryAddress, SandboxSubdomain
from tests.orders.factories import address_of, cleaned_order, header_of, lines, order_post_data

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture
def user(transactional_db):
    return User.objects.create_user("agent")


def sent_order(tenant, user, *, reference="SO-1", **overrides):
    cleaned = cleaned_order(reference=reference, customer_id=42, **overrides)
    result = order_submit(
        form_token=uuid.uuid4(),
        keyed=KeyedOrder(
            tenant=tenant, header=header_of(cleaned), lines=lines(1), address=address_of(cleaned)
        ),
        user=user,
    )
    assert result.sent
    return result.order


def faults(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def test_the_address_is_saved_under_the_end_customer_and_the_request_kept(sandbox_tenant, user):
    order = sent_order(sandbox_tenant, user)

    save = delivery_address_save(order=order, user=user, customer_id=42)

    saved = SandboxDeliveryAddress.objects.get()
    assert save.status == AddressSaveStatus.SAVED
    assert save.clarus_id == str(saved.pk)
    assert saved.customer_id == 42
    assert saved.code == f"DESK-{order.pk}"
    assert saved.attributes == {
        "code": f"DESK-{order.pk}",
        "name": "Jo Bloggs Ltd",
        "address_1": "1 High Street",
        "address_3": "Leeds",
        "address_4": "West Yorkshire",
        "postcode": "LS1 4AP",
        "country_code": "GB",
        "email_address": "jo@example.com",
        "customer_id": 42,
    }
    attempt = save.attempts.get()
    assert (attempt.outcome, attempt.response_status, attempt.method) == (
        AttemptOutcome.SENT,
        200,
        "POST",
    )
    assert attempt.url.endswith("/sandbox/api/delivery_addresses")
    assert attempt.request_headers["Authorization"] == "[redacted]"
    assert json.loads(attempt.request_body)["data"]["attributes"]["customer_id"] == 42
    # The goods-out's own attempts are untouched: one, the order's.
    assert order.attempts.count() == 1

    # Asked again (a resent form, a correction, the sweep): nothing more is sent.
    again = delivery_address_save(order=order, user=user, customer_id=42)
    assert again.pk == save.pk
    assert delivery_addresses_deliver_due() == 0
    assert SandboxDeliveryAddress.objects.count() == 1
    assert save.attempts.count() == 1


def test_clarus_refusing_it_says_why_and_it_is_not_sent_again(sandbox_tenant, user):
    # A name and company is what Clarus requires (the form asks for it; an order keyed
    # another way may lack it).
    order = sent_order(sandbox_tenant, user, delivery_name="")

    save = delivery_address_save(order=order, user=user, customer_id=42)

    assert save.status == AddressSaveStatus.REFUSED
    assert "Name or company: Name is required." in save.note
    attempt = save.attempts.get()
    assert (attempt.outcome, attempt.response_status) == (AttemptOutcome.REJECTED, 422)
    assert delivery_addresses_deliver_due() == 0
    assert save.attempts.count() == 1
    assert SandboxDeliveryAddress.objects.count() == 0


def test_no_answer_in_time_is_never_sent_again(sandbox_tenant, user, settings):
    order = sent_order(sandbox_tenant, user)
    settings.CLARUS_READ_TIMEOUT = 0.3
    faults(latency_ms=1500)

    save = delivery_address_save(order=order, user=user, customer_id=42)

    assert save.status == AddressSaveStatus.UNKNOWN
    assert f"look for code DESK-{order.pk}" in save.note
    attempt = save.attempts.get()
    assert (attempt.outcome, attempt.response_status) == (AttemptOutcome.NO_ANSWER, None)
    # The sandbox stored it after all, once its latency had passed.
    deadline = time.monotonic() + 5
    while not SandboxDeliveryAddress.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    faults(latency_ms=0)
    assert delivery_addresses_deliver_due() == 0
    assert delivery_address_deliver(save.pk).status == AddressSaveStatus.UNKNOWN
    assert SandboxDeliveryAddress.objects.count() == 1
    assert save.attempts.count() == 1


def test_a_clarus_that_did_not_take_it_is_tried_again_by_the_worker(sandbox_tenant, user):
    order = sent_order(sandbox_tenant, user)
    sandbox_url = sandbox_tenant.api_base_url
    # Nothing listens there: the request surely never reached Clarus.
    type(sandbox_tenant).objects.filter(pk=sandbox_tenant.pk).update(
        api_base_url="http://127.0.0.1:9"
    )
    order.refresh_from_db()

    save = delivery_address_save(order=order, user=user, customer_id=42)

    assert save.status == AddressSaveStatus.WAITING
    assert save.next_attempt_at is not None
    assert save.attempts.get().outcome == AttemptOutcome.UNREACHABLE
    type(sandbox_tenant).objects.filter(pk=sandbox_tenant.pk).update(api_base_url=sandbox_url)
    # Not before its time; then the worker's sweep sends it.
    assert delivery_addresses_deliver_due() == 0
    AddressSave.objects.filter(pk=save.pk).update(next_attempt_at=None)
    assert delivery_addresses_deliver_due() == 1
    save.refresh_from_db()
    assert save.status == AddressSaveStatus.SAVED
    assert save.attempts.count() == 2
    assert SandboxDeliveryAddress.objects.count() == 1


def test_an_order_not_sent_yet_keeps_its_address_waiting(sandbox_tenant, user):
    order = sent_order(sandbox_tenant, user)
    Order.objects.filter(pk=order.pk).update(status="failed")
    order.refresh_from_db()

    save = delivery_address_save(order=order, user=user, customer_id=42)

    assert save.status == AddressSaveStatus.WAITING
    assert save.attempts.count() == 0
    assert delivery_addresses_deliver_due() == 0
    Order.objects.filter(pk=order.pk).update(status="sent")
    assert delivery_addresses_deliver_due() == 1


@pytest.mark.postgres_only
def test_two_senders_at_once_send_one_request(sandbox_tenant, user):
    order = sent_order(sandbox_tenant, user)
    save = delivery_address_request(order=order, user=user, customer_id=42)
    faults(latency_ms=300)
    results = []

    def send():
        results.append(delivery_address_deliver(save.pk, by=Actor.of(user)).status)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert SandboxDeliveryAddress.objects.count() == 1
    assert AddressSave.objects.get().attempts.count() == 1
    assert results.count(AddressSaveStatus.SAVED) >= 1


@pytest.fixture
def live_agent(sandbox_tenant, client):
    agent = User.objects.create_user("desk-agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    client.force_login(agent)
    return client


def test_the_tick_on_the_entry_form_saves_the_address_once(sandbox_tenant, live_agent):
    data = order_post_data(
        sandbox_tenant.pk, str(uuid.uuid4()), customer_id="42", save_address="on"
    )

    first = live_agent.post(reverse("orders:create"), data)
    again = live_agent.post(reverse("orders:create"), data)

    order = Order.objects.get()
    assert first.status_code == again.status_code == 302
    assert order.address_save.status == AddressSaveStatus.SAVED
    assert SandboxDeliveryAddress.objects.get().customer_id == 42
    page = live_agent.get(order.get_absolute_url()).content.decode()
    assert "Saved in Clarus" in page
    assert "/sandbox/api/delivery_addresses" in page


def test_the_tick_without_an_end_customer_is_a_message_beside_it(sandbox_tenant, live_agent):
    data = order_post_data(sandbox_tenant.pk, str(uuid.uuid4()), save_address="on")

    response = live_agent.post(reverse("orders:create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose the end customer the address is saved for, or untick this." in html
    assert 'id="id_save_address" value="on" checked' in html
    assert not Order.objects.exists()
    assert not SandboxDeliveryAddress.objects.exists()
