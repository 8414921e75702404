"""Clarus Automations webhooks: checked, kept once, matched to the order, and what they change
there (CONTRACT.md §5)."""

import importlib
import io
import json
import uuid
from datetime import timedelta

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.audit import append_only_released
from orders.clarus.goods_outs import status_label
from orders.models import (
    AttemptOutcome,
    Membership,
    Order,
    OrderStatus,
    Role,
    SubmissionAttempt,
    Tenant,
    WebhookDelivery,
    WebhookStatus,
)
from orders.selectors.orders import webhook_list_for_order
from orders.services.delivery import deliver as deliver_order
from orders.services.delivery import deliver_due_orders
from sandbox.models import SandboxGoodsOut
from sandbox.webhooks import goods_out_webhook_body
from tests.orders.factories import order_post_data
from tests.orders.flows.test_concurrency import in_threads
from tests.orders.services.test_delivery import faults, submit

HEADERS = {
    "X-ClarusWMS-Subdomain": "acme",
    "X-ClarusWMS-Automation-ID": "7",
    "X-ClarusWMS-Domain": "https://acme.claruswms.example",
}


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def address(tenant, secret=None):
    return reverse(
        "clarus_webhook",
        kwargs={"subdomain": tenant.subdomain, "secret": secret or tenant.webhook_secret},
    )


def deliver(client, url, body, headers=HEADERS):
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


BODY = {"resource_name": "goods_out", "event": "completed", "data": {"id": 41, "reference": "R"}}


def test_a_delivery_is_kept_once_however_often_it_comes(client, tenant):
    first = deliver(client, address(tenant), BODY)
    again = deliver(client, address(tenant), BODY)

    delivery = WebhookDelivery.objects.get()
    assert first.status_code == 200
    assert again.status_code == 200
    assert again.json()["repeat"] is True
    assert delivery.goods_out_id == 41
    assert delivery.event == "completed"
    assert delivery.repeats == 1
    assert delivery.headers["X-ClarusWMS-Automation-ID"] == "7"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({**HEADERS, "X-ClarusWMS-Subdomain": "other"}, 403),
        ({"X-ClarusWMS-Subdomain": "acme"}, 403),
    ],
)
def test_deliveries_must_name_the_tenant_and_automation(client, tenant, headers, status):
    assert deliver(client, address(tenant), BODY, headers).status_code == status
    assert not WebhookDelivery.objects.exists()


def test_a_wrong_secret_or_tenant_is_not_found(client, tenant):
    assert deliver(client, address(tenant, secret="guess"), BODY).status_code == 404
    assert (
        client.post("/webhooks/clarus/nobody/x/", "{}", content_type="application/json").status_code
        == 404
    )


def test_a_body_that_is_not_json_is_refused(client, tenant):
    response = client.post(
        address(tenant), "not json", content_type="application/json", headers=HEADERS
    )

    assert response.status_code == 400


def test_each_tenant_has_its_own_secret(make_tenant):
    first, second = make_tenant(), make_tenant(subdomain="other")

    assert first.webhook_secret != second.webhook_secret
    assert len(first.webhook_secret) >= 40


@pytest.mark.django_db(transaction=True)
def test_the_sandbox_sends_webhooks_the_order_page_shows(client, live_server, sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    client.post(reverse("orders:create"), order_post_data(sandbox_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    url = f"{live_server.url}{address(sandbox_tenant)}"

    call_command(
        "sandbox_webhook",
        goods_out=order.clarus_id,
        url=url,
        event="completed",
        status=6,
        stdout=io.StringIO(),
    )

    page = client.get(order.get_absolute_url()).content.decode()
    assert WebhookDelivery.objects.get().goods_out_id == order.clarus_id
    assert 'id="webhooks"' in page
    assert "<td>completed</td><td>COMPLETED</td>" in page


def test_tenant_admins_see_the_webhook_address(client, tenant):
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)

    page = client.get(reverse("tenants:settings")).content.decode()

    assert f"/webhooks/clarus/acme/{tenant.webhook_secret}/" in page


# What the webhooks change on the order. The bodies have the shape the sandbox sends
# (sandbox.webhooks): the record flat under `data`, with its reference, status and updated_at.

# In the past, so that any arrival time is later.
T0 = "2020-11-27T09:00:00+00:00"
T1 = "2020-11-27T10:00:00+00:00"
T2 = "2020-11-27T11:00:00+00:00"
STATUS_IDS = {"PENDING": 2, "ALLOCATED": 5, "COMPLETED": 6, "CANCELLED": 8}


def news(event, *, goods_out_id=41, reference="SO-1", status=None, updated_at=None, **record):
    data = {"id": goods_out_id, "reference": reference, "account_id": 7, **record}
    if status:
        data["goods_out_status_id"] = STATUS_IDS[status]
        data["goods_out_status"] = {"id": STATUS_IDS[status], "code": status}
    if updated_at:
        data["updated_at"] = updated_at
    return {"resource_name": "goods_out", "event": event, "data": data}


@pytest.fixture
def keyer(db):
    return User.objects.create_user("keyer")


@pytest.fixture
def make_order(tenant, keyer):
    def make(status=OrderStatus.SENT, clarus_id=41, reference="SO-1", of=None, **fields):
        return Order.objects.create(
            tenant=of or tenant,
            created_by=keyer,
            reference=reference,
            account_id=7,
            status=status,
            clarus_id=clarus_id,
            **fields,
        )

    return make


def said(order):
    """Return the status code the order's newest webhook news gave, or None."""
    report = WebhookStatus.objects.select_related("delivery").filter(order=order).first()
    return report.delivery.status if report else None


def webhook_transitions(order):
    return list(
        order.transitions.filter(actor="Clarus webhook").values_list("from_status", "to_status")
    )


def test_completed_reports_dispatched_and_the_order_stays_sent(client, make_order):
    order = make_order()

    response = deliver(client, address(order.tenant), news("completed", status="COMPLETED"))

    order.refresh_from_db()
    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert delivery.order == order
    assert order.status == OrderStatus.SENT
    assert said(order) == "COMPLETED"
    assert status_label(delivery.status) == "Completed (dispatched)"
    assert not order.transitions.exists()


def test_an_event_without_a_status_field_says_its_own(client, make_order):
    order = make_order()

    deliver(client, address(order.tenant), news("completed"))

    assert said(order) == "COMPLETED"


def test_cancelled_cancels_the_order_naming_the_automation(client, make_order):
    order = make_order()

    deliver(client, address(order.tenant), news("cancelled", status="CANCELLED"))

    order.refresh_from_db()
    change = order.transitions.get()
    assert order.status == OrderStatus.CANCELLED
    assert (change.from_status, change.to_status) == ("sent", "cancelled")
    assert change.actor == "Clarus webhook"
    assert change.user is None
    assert "Clarus Automation 7" in change.reason
    assert said(order) == "CANCELLED"


@pytest.mark.parametrize("event", ["created", "updated", "processed"])
def test_other_events_only_report_the_status(client, make_order, event):
    order = make_order()

    deliver(client, address(order.tenant), news(event, status="ALLOCATED"))

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert said(order) == "ALLOCATED"
    assert not order.transitions.exists()


def test_a_repeat_changes_nothing(client, make_order):
    order = make_order()
    body = news("cancelled", status="CANCELLED", updated_at=T1)

    first = deliver(client, address(order.tenant), body)
    again = deliver(client, address(order.tenant), body)

    assert again.json() == {"received": first.json()["received"], "repeat": True}
    assert WebhookDelivery.objects.get().repeats == 1
    assert webhook_transitions(order) == [("sent", "cancelled")]


def test_the_same_news_told_twice_cancels_once(client, make_order):
    order = make_order()
    body = news("cancelled", status="CANCELLED", updated_at=T1)

    deliver(client, address(order.tenant), body)
    deliver(
        client, address(order.tenant), body, headers={**HEADERS, "X-ClarusWMS-Automation-ID": "8"}
    )

    assert WebhookDelivery.objects.count() == 2
    assert webhook_transitions(order) == [("sent", "cancelled")]


@pytest.mark.parametrize("arrival", ["in order", "late"])
def test_older_news_never_overwrites_newer(client, make_order, arrival):
    order = make_order()
    older = news("updated", status="ALLOCATED", updated_at=T1)
    newer = news("completed", status="COMPLETED", updated_at=T2)

    for body in [older, newer] if arrival == "in order" else [newer, older]:
        deliver(client, address(order.tenant), body)

    assert said(order) == "COMPLETED"
    assert [d.status for d in webhook_list_for_order(order=order)] == ["COMPLETED", "ALLOCATED"]


@pytest.mark.parametrize("arrival", ["updated first", "completed first"])
def test_of_two_reports_of_one_moment_the_later_stage_wins(client, make_order, arrival):
    # Clarus may fire `updated` and `completed` for the same change, in either order.
    order = make_order()
    updated = news("updated", status="ALLOCATED", updated_at=T1)
    completed = news("completed", status="COMPLETED", updated_at=T1)

    for body in [updated, completed] if arrival == "updated first" else [completed, updated]:
        deliver(client, address(order.tenant), body)

    assert said(order) == "COMPLETED"


def test_without_updated_at_the_later_arrival_is_newer(client, make_order):
    order = make_order()

    deliver(client, address(order.tenant), news("updated", status="PENDING"))
    deliver(client, address(order.tenant), news("updated", status="ALLOCATED"))

    assert said(order) == "ALLOCATED"


def test_a_time_without_a_zone_is_not_trusted(client, make_order):
    order = make_order()

    deliver(client, address(order.tenant), news("updated", status="ALLOCATED", updated_at=T2))
    deliver(
        client,
        address(order.tenant),
        news("updated", status="PENDING", updated_at="2099-01-01T00:00:00"),
    )

    # Taken as arriving now: later than T2, but not the year 2099 it claimed.
    late = WebhookDelivery.objects.get(status="PENDING")
    assert late.happened_at < timezone.now() + timedelta(minutes=1)
    assert said(order) == "PENDING"


def test_news_that_says_no_status_keeps_the_last_one(client, make_order):
    order = make_order()

    deliver(client, address(order.tenant), news("completed", status="COMPLETED", updated_at=T1))
    deliver(client, address(order.tenant), news("updated", updated_at=T2))

    assert said(order) == "COMPLETED"


def unanswered_try(order):
    """Record a try of the order that got no answer: it may have reached Clarus."""
    SubmissionAttempt.objects.create(
        order=order,
        tenant=order.tenant,
        started_at=timezone.now() - timedelta(minutes=10),
        duration_ms=20_000,
        method="POST",
        url="http://clarus.test/api/goods_outs",
        request_headers={},
        request_body="{}",
        outcome=AttemptOutcome.NO_ANSWER,
    )


@pytest.mark.postgres
@pytest.mark.parametrize("status", [OrderStatus.UNKNOWN, OrderStatus.FAILED])
def test_an_order_clarus_may_have_is_adopted_by_reference(client, make_order, status):
    order = make_order(
        status=status, clarus_id=None, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    unanswered_try(order)

    deliver(client, address(order.tenant), news("created", goods_out_id=77, status="PENDING"))

    order.refresh_from_db()
    change = order.transitions.get()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == 77
    assert order.next_attempt_at is None
    assert order.sent_at is not None
    assert change.actor == "Clarus webhook"
    assert change.reason.startswith("Found through a Clarus webhook")
    assert "Clarus Automation 7" in change.reason
    assert WebhookDelivery.objects.get().order == order
    assert said(order) == "PENDING"


@pytest.mark.postgres
def test_a_cancelled_goods_out_of_an_unknown_order_is_adopted_then_cancelled(client, make_order):
    order = make_order(status=OrderStatus.UNKNOWN, clarus_id=None)

    deliver(client, address(order.tenant), news("cancelled", goods_out_id=77, status="CANCELLED"))

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.clarus_id == 77
    assert webhook_transitions(order) == [("unknown", "sent"), ("sent", "cancelled")]


@pytest.mark.postgres
def test_an_order_being_sent_is_left_to_its_sender(client, make_order):
    lease = timezone.now() + timedelta(minutes=1)
    order = make_order(status=OrderStatus.SENDING, clarus_id=None, lease_until=lease)

    deliver(client, address(order.tenant), news("cancelled", goods_out_id=77, status="CANCELLED"))

    order.refresh_from_db()
    assert order.status == OrderStatus.SENDING
    assert order.clarus_id is None
    assert not order.transitions.exists()
    assert WebhookDelivery.objects.get().order == order


@pytest.mark.parametrize("status", [OrderStatus.DRAFT, OrderStatus.REJECTED])
def test_a_goods_out_with_the_reference_of_an_order_never_in_clarus_is_not_it(
    client, make_order, status
):
    order = make_order(status=status, clarus_id=None)

    deliver(client, address(order.tenant), news("cancelled", goods_out_id=77, status="CANCELLED"))

    order.refresh_from_db()
    assert order.status == status
    assert WebhookDelivery.objects.get().order is None
    assert said(order) is None


def test_another_goods_out_with_the_same_reference_is_not_the_order(client, make_order):
    order = make_order(clarus_id=41)

    deliver(client, address(order.tenant), news("cancelled", goods_out_id=99, status="CANCELLED"))

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert WebhookDelivery.objects.get().order is None


def test_a_record_without_an_id_is_matched_by_reference(client, make_order):
    order = make_order()
    body = news("completed", status="COMPLETED")
    del body["data"]["id"]

    deliver(client, address(order.tenant), body)

    assert said(order) == "COMPLETED"


def test_a_json_api_record_is_read_from_its_attributes(client, make_order):
    order = make_order(status=OrderStatus.UNKNOWN, clarus_id=None)
    body = {
        "resource_name": "goods_out",
        "event": "created",
        "data": {
            "id": "77",
            "type": "goods_outs",
            "attributes": {
                "reference": "SO-1",
                "account_id": 7,
                "goods_out_status_id": 2,
                "updated_at": T0,
            },
        },
    }

    deliver(client, address(order.tenant), body)

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == 77
    assert said(order) == "PENDING"


def test_a_webhook_for_a_goods_out_the_desk_does_not_know_is_kept_and_changes_nothing(
    client, make_order
):
    order = make_order()
    unknown = make_order(status=OrderStatus.UNKNOWN, clarus_id=None, reference="SO-2")

    response = deliver(
        client,
        address(order.tenant),
        news("cancelled", goods_out_id=500, reference="NOT-OURS", status="CANCELLED"),
    )

    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert delivery.order is None
    assert delivery.goods_out_id == 500
    for each in (order, unknown):
        each.refresh_from_db()
        assert not each.transitions.exists()
        assert said(each) is None
    assert order.status == OrderStatus.SENT
    assert unknown.status == OrderStatus.UNKNOWN


def test_another_resources_automation_never_touches_an_order(client, make_order):
    # A pick list's `completed` (CONTRACT.md §5) whose id happens to be the goods-out's.
    order = make_order()
    body = {**news("cancelled", status="CANCELLED"), "resource_name": "goods_out_pick_list"}

    deliver(client, address(order.tenant), body)

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert WebhookDelivery.objects.get().order is None


def test_another_tenants_order_is_never_touched(client, tenant, make_tenant, make_order):
    other = make_tenant(subdomain="other", name="Other")
    theirs = make_order(of=other)
    theirs_unknown = make_order(
        of=other, status=OrderStatus.UNKNOWN, clarus_id=None, reference="SO-2"
    )

    deliver(client, address(tenant), news("cancelled", goods_out_id=41, status="CANCELLED"))
    deliver(client, address(tenant), news("created", goods_out_id=43, reference="SO-2"))

    for order in (theirs, theirs_unknown):
        order.refresh_from_db()
        assert not order.transitions.exists()
        assert said(order) is None
    assert theirs.status == OrderStatus.SENT
    assert theirs_unknown.status == OrderStatus.UNKNOWN
    assert not WebhookDelivery.objects.exclude(order=None).exists()


def test_the_order_page_shows_what_clarus_last_said(client, make_order):
    order = make_order()
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=order.tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    deliver(client, address(order.tenant), news("completed", status="COMPLETED", updated_at=T2))
    deliver(client, address(order.tenant), news("updated", status="ALLOCATED", updated_at=T1))

    page = client.get(order.get_absolute_url()).content.decode()

    assert 'id="webhook-status"' in page
    assert '<span id="webhook-status-name">Completed (dispatched)</span>' in page
    assert "automation 7" in page
    assert page.index("<td>COMPLETED</td>") < page.index("<td>ALLOCATED</td>")


def test_a_page_without_status_news_shows_no_status(client, make_order):
    order = make_order()
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=order.tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    deliver(client, address(order.tenant), news("updated"))

    page = client.get(order.get_absolute_url()).content.decode()

    assert 'id="webhooks"' in page
    assert 'id="webhook-status"' not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_sandboxs_created_webhook_settles_an_order_the_desk_got_no_answer_for(
    live_server, sandbox_tenant
):
    user = User.objects.create_user("agent")
    faults(drop_after_store=1)
    result = submit(sandbox_tenant, user)
    order = Order.objects.get()
    goods_out = SandboxGoodsOut.objects.get()
    assert result.outcome == AttemptOutcome.NO_ANSWER
    assert order.status == OrderStatus.UNKNOWN

    call_command(
        "sandbox_webhook",
        goods_out=goods_out.pk,
        url=f"{live_server.url}{address(sandbox_tenant)}",
        event="created",
        automation_id="12",
        stdout=io.StringIO(),
    )

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == goods_out.pk
    assert "Clarus Automation 12" in order.status_note
    assert said(order) == "PENDING"
    # The worker finds nothing to do: no second goods-out, no second request.
    Order.objects.filter(pk=order.pk).update(next_attempt_at=timezone.now())
    assert deliver_due_orders() == 0
    assert deliver_order(order.pk).outcome is None
    assert SandboxGoodsOut.objects.count() == 1
    assert order.attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_sandboxs_late_news_does_not_undo_its_cancel(client, live_server, sandbox_tenant):
    supervisor = User.objects.create_user("sue")
    Membership.objects.create(user=supervisor, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    client.post(reverse("orders:create"), order_post_data(sandbox_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    url = f"{live_server.url}{address(sandbox_tenant)}"

    def send(event, **options):
        call_command(
            "sandbox_webhook",
            goods_out=order.clarus_id,
            url=url,
            event=event,
            automation_id="3",
            stdout=io.StringIO(),
            **options,
        )

    send("cancelled")
    # An `updated` from before the cancel, when it was allocated, delivered after it.
    send("updated", status=5, at=(timezone.now() - timedelta(minutes=5)).isoformat())

    order.refresh_from_db()
    page = client.get(order.get_absolute_url()).content.decode()
    assert order.status == OrderStatus.CANCELLED
    assert webhook_transitions(order) == [("sent", "cancelled")]
    news_in_clarus_order = order.webhook_deliveries.order_by("happened_at")
    assert [d.status for d in news_in_clarus_order] == ["ALLOCATED", "CANCELLED"]
    assert said(order) == "CANCELLED"
    assert '<span id="webhook-status-name">Cancelled</span>' in page
    assert "Clarus Automation 3" in page


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_webhooks_and_workers_racing_for_an_unknown_order_settle_it_once(
    live_server, sandbox_tenant
):
    # Half the threads post Clarus's `created` webhook over HTTP, half run the delivery worker's
    # reconciliation: whoever holds the order's row first settles it; nobody sends it again.
    user = User.objects.create_user("agent")
    faults(drop_after_store=1)
    submit(sandbox_tenant, user)
    order = Order.objects.get()
    goods_out = SandboxGoodsOut.objects.get()
    # The unanswered try is long past, so the worker may look the order up at once. Back-dating
    # it rewrites the audit, which PostgreSQL refuses outside the released path (orders.audit).
    with append_only_released():
        SubmissionAttempt.objects.filter(order=order).update(
            started_at=timezone.now() - timedelta(hours=1)
        )
    Order.objects.filter(pk=order.pk).update(next_attempt_at=timezone.now())
    body = goods_out_webhook_body(
        goods_out, event="created", lines=[], updated_at=goods_out.received_at
    )
    url = f"{live_server.url}{address(sandbox_tenant)}"

    def race(index):
        if index % 2:
            return deliver_order(order.pk).outcome
        headers = {**HEADERS, "X-ClarusWMS-Automation-ID": str(index)}
        return httpx.post(url, json=body, headers=headers, timeout=30).status_code

    results = in_threads(16, race)

    order.refresh_from_db()
    assert [results[i] for i in range(0, 16, 2)] == [200] * 8
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == goods_out.pk
    assert order.transitions.filter(to_status=OrderStatus.SENT).count() == 1
    assert order.attempts.count() == 1
    assert SandboxGoodsOut.objects.count() == 1
    assert WebhookDelivery.objects.filter(order=order).count() == 8


# A change dated far ahead of the desk's clock (a wrong clock, or a forged delivery) must not
# stay "what Clarus last said" until that date.


def test_news_dated_far_ahead_does_not_stay_the_newest(client, make_order):
    order = make_order()
    far_ahead = "2099-01-01T00:00:00+00:00"

    deliver(
        client, address(order.tenant), news("completed", status="COMPLETED", updated_at=far_ahead)
    )
    later = timezone.now().isoformat()
    deliver(client, address(order.tenant), news("updated", status="ALLOCATED", updated_at=later))

    ahead = WebhookDelivery.objects.get(status="COMPLETED")
    assert ahead.body["data"]["updated_at"] == far_ahead
    assert ahead.happened_at <= timezone.now()
    assert said(order) == "ALLOCATED"


def test_news_a_little_ahead_is_taken_at_its_word(client, make_order):
    order = make_order()
    ahead = timezone.now() + timedelta(minutes=2)

    deliver(
        client,
        address(order.tenant),
        news("updated", status="ALLOCATED", updated_at=ahead.isoformat()),
    )

    assert WebhookDelivery.objects.get().happened_at == ahead


# A webhook naming an order's reference adopts the order only if one of its requests may have
# reached Clarus, and only for the account the order was keyed for.


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refusal", ["401 from Clarus", "token refused", "no connection"])
def test_an_order_every_try_of_which_was_refused_is_never_adopted(
    client, live_server, sandbox_tenant, refusal
):
    user = User.objects.create_user("agent")
    if refusal == "401 from Clarus":
        faults(forced_status=401)
    elif refusal == "token refused":
        sandbox_tenant.client_secret = "not-the-secret-0123456789"
        sandbox_tenant.save()
    else:
        sandbox_tenant.api_base_url = "http://127.0.0.1:9/sandbox"
        sandbox_tenant.save()
    result = submit(sandbox_tenant, user)
    order = result.order
    assert order.status == OrderStatus.FAILED
    assert not order.attempts.filter(outcome=AttemptOutcome.NO_ANSWER).exists()

    response = deliver(
        client,
        address(sandbox_tenant),
        news(
            "created",
            goods_out_id=77,
            reference=order.reference,
            account_id=order.account_id,
            status="PENDING",
        ),
    )

    order.refresh_from_db()
    assert response.status_code == 200
    assert order.status == OrderStatus.FAILED
    assert order.clarus_id is None
    assert not webhook_transitions(order)
    assert WebhookDelivery.objects.get().order is None


@pytest.mark.parametrize("account", [8, None])
def test_a_goods_out_of_another_account_is_not_adopted(client, make_order, account):
    order = make_order(status=OrderStatus.UNKNOWN, clarus_id=None)
    unanswered_try(order)
    body = news("created", goods_out_id=77, status="PENDING")
    body["data"]["account_id"] = account

    deliver(client, address(order.tenant), body)

    order.refresh_from_db()
    assert order.status == OrderStatus.UNKNOWN
    assert order.clarus_id is None
    assert WebhookDelivery.objects.get().order is None
    assert said(order) is None


@pytest.mark.postgres
def test_a_failed_order_after_an_unanswered_try_is_adopted(client, make_order):
    order = make_order(status=OrderStatus.FAILED, clarus_id=None)
    unanswered_try(order)

    deliver(client, address(order.tenant), news("created", goods_out_id=77, status="PENDING"))

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == 77


@pytest.mark.postgres
def test_an_order_whose_sender_died_is_adopted(client, make_order):
    lease = timezone.now() - timedelta(seconds=1)
    order = make_order(status=OrderStatus.SENDING, clarus_id=None, lease_until=lease)

    deliver(client, address(order.tenant), news("created", goods_out_id=77, status="PENDING"))

    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    assert order.clarus_id == 77
    assert order.lease_until is None
    assert webhook_transitions(order) == [("sending", "sent")]


# A tenant admin gives Clarus a new address; the old one works for the grace period only.


@pytest.fixture
def admin_client(client, tenant):
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)
    return client


def body_for(automation):
    return {**BODY, "data": {"id": 41, "reference": "R", "automation": automation}}


def test_a_new_address_keeps_the_old_one_for_the_grace_period_only(admin_client, tenant, settings):
    settings.DESK_WEBHOOK_SECRET_GRACE_HOURS = 168
    old = address(tenant)

    page = admin_client.post(reverse("tenants:webhook_rotate"), follow=True).content.decode()

    tenant.refresh_from_db()
    new = address(tenant)
    assert new != old
    assert f'<code id="webhook-address">http://testserver{new}</code>' in page
    assert old not in page
    assert 'id="previous-webhook-address"' in page
    assert deliver(admin_client, new, body_for(1)).status_code == 200
    # Six days and 23 hours on, the automation still posts to the old address: taken.
    Tenant.objects.filter(pk=tenant.pk).update(
        webhook_secret_rotated_at=timezone.now() - timedelta(hours=167)
    )
    assert deliver(admin_client, old, body_for(2)).status_code == 200
    # A week and a minute on: refused, and the new address works on.
    Tenant.objects.filter(pk=tenant.pk).update(
        webhook_secret_rotated_at=timezone.now() - timedelta(hours=168, minutes=1)
    )
    assert deliver(admin_client, old, body_for(3)).status_code == 404
    assert deliver(admin_client, new, body_for(4)).status_code == 200
    assert WebhookDelivery.objects.count() == 3
    page = admin_client.get(reverse("tenants:settings")).content.decode()
    assert 'id="previous-webhook-address"' not in page


def test_rotating_again_ends_the_oldest_address_at_once(admin_client, tenant):
    first = address(tenant)
    admin_client.post(reverse("tenants:webhook_rotate"))
    tenant.refresh_from_db()
    second = address(tenant)

    admin_client.post(reverse("tenants:webhook_rotate"))

    tenant.refresh_from_db()
    assert deliver(admin_client, first, body_for(1)).status_code == 404
    assert deliver(admin_client, second, body_for(2)).status_code == 200
    assert deliver(admin_client, address(tenant), body_for(3)).status_code == 200


def test_a_secret_with_characters_beyond_ascii_is_not_found(client, tenant):
    assert deliver(client, address(tenant, secret="é" * 43), BODY).status_code == 404


@pytest.mark.postgres
def test_news_kept_with_a_far_future_date_is_dated_at_its_arrival_by_the_migration(
    client, make_order
):
    from django.apps import apps

    migration = importlib.import_module("orders.migrations.0016_webhook_secret_rotation")
    order = make_order()
    deliver(client, address(order.tenant), news("completed", status="COMPLETED", updated_at=T1))
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        happened_at=timezone.now() + timedelta(days=3650)
    )
    ahead = WebhookDelivery.objects.get(pk=delivery.pk)

    migration.distrust_far_future_news(apps, None)

    delivery.refresh_from_db()
    assert delivery.happened_at == delivery.received_at
    assert ahead.happened_at > delivery.happened_at
