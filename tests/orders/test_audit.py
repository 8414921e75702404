import json
import uuid
from dataclasses import replace
from datetime import timedelta

import httpx
import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from orders import audit, states
from orders.audit import FieldChange, body_changes
from orders.clarus import ClarusExchange
from orders.domain import KeyedOrder
from orders.models import AttemptOutcome, Membership, Order, OrderStatus, OrderTransition, Role
from orders.services.cancel import order_cancel
from orders.services.submission import order_submit
from tests.orders.factories import address_of, cleaned_order, header_of, lines


def body(**attributes):
    lines = attributes.pop(
        "lines", [{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 2}}]
    )
    address = attributes.pop("address", {"postcode": "LS1 4AP"})
    return json.dumps(
        {
            "data": {
                "type": "goods_outs",
                "attributes": {"reference": "R-1", **attributes, "lines_changes": lines},
                "relationships": {
                    "address": {"data": {"type": "addresses", "attributes": address}}
                },
            }
        }
    )


def test_changed_added_and_removed_fields_read_like_the_form():
    old = body(priority=0, order_notes="call first")
    new = body(
        priority=5,
        address={"postcode": "LS2 7EU"},
        lines=[{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 3}}],
    )

    assert body_changes(old, new) == [
        FieldChange("address.postcode", "LS1 4AP", "LS2 7EU"),
        FieldChange("lines_changes[0].attributes.order_quantity", "2", "3"),
        FieldChange("order_notes", "call first", "—"),
        FieldChange("priority", "0", "5"),
    ]


def test_identical_bodies_have_no_changes():
    assert body_changes(body(), body()) == []


def test_bodies_that_are_not_json_compare_as_text():
    assert body_changes("abc", "abd") == [FieldChange("body", "abc", "abd")]
    assert body_changes("abc", "abc") == []


# --- Writes: transitions checked against the table, attempts kept as exchanged -----------------


@pytest.fixture
def keyer(db):
    return User.objects.create_user("keyer")


@pytest.fixture
def tenant_with_token(make_tenant):
    return make_tenant(
        access_token="fresh-token", access_token_expires_at=timezone.now() + timedelta(hours=1)
    )


def exchange(status=200, body="{}"):
    return ClarusExchange(
        method="POST",
        url="http://clarus.test/api/goods_outs",
        request_headers={"Authorization": "[redacted]"},
        request_body=body,
        started_at=timezone.now(),
        duration_ms=12,
        status=status,
        response_headers={},
        response_body='{"data": {"id": 5}}',
    )


def test_a_transition_is_written_with_who_and_why(tenant_with_token, keyer):
    order = Order.objects.create(
        tenant=tenant_with_token, created_by=keyer, reference="R-1", account_id=7
    )

    audit.order_transition(order, OrderStatus.SENDING, by=audit.Actor.of(keyer), reason="Go.")

    change = order.transitions.get()
    assert (change.from_status, change.to_status) == ("draft", "sending")
    assert (change.user, change.actor, change.reason) == (keyer, "keyer", "Go.")
    assert (order.status, order.status_note) == ("sending", "Go.")


def test_a_move_the_table_does_not_allow_is_refused_and_not_written(tenant_with_token, keyer):
    order = Order.objects.create(
        tenant=tenant_with_token,
        created_by=keyer,
        reference="R-1",
        account_id=7,
        status=OrderStatus.SENT,
    )

    with pytest.raises(audit.IllegalTransition):
        audit.order_transition(order, OrderStatus.DRAFT, by=audit.WORKER, reason="No.")

    assert not order.transitions.exists()
    assert order.status == OrderStatus.SENT


def test_an_attempt_is_kept_as_it_was_exchanged(tenant_with_token, keyer):
    order = Order.objects.create(
        tenant=tenant_with_token, created_by=keyer, reference="R-1", account_id=7
    )
    sent = exchange(body='{"a": 1}')

    audit.attempt_record(order, sent, by=audit.WORKER, outcome=AttemptOutcome.NO_ANSWER)

    attempt = order.attempts.get()
    assert attempt.user is None
    assert (attempt.request_body, attempt.response_status) == ('{"a": 1}', 200)
    assert audit.order_had_unanswered_try(order)
    assert audit.order_unanswered_since(order) == sent.started_at


def test_attempts_are_paired_with_what_changed_since_the_one_before(tenant_with_token, keyer):
    order = Order.objects.create(
        tenant=tenant_with_token, created_by=keyer, reference="R-1", account_id=7
    )
    audit.attempt_record(
        order, exchange(body=body(priority=1)), by=audit.WORKER, outcome=AttemptOutcome.SENT
    )
    audit.attempt_record(
        order, exchange(body=body(priority=2)), by=audit.WORKER, outcome=AttemptOutcome.SENT
    )
    newest, oldest = order.attempts.order_by("-id")

    paired = audit.attempts_with_changes([newest, oldest])

    assert paired == [(newest, [FieldChange("priority", "1", "2")]), (oldest, [])]
    assert not audit.order_had_unanswered_try(order)
    assert audit.order_unanswered_since(order) is None


def test_keying_correcting_sending_and_cancelling_write_only_allowed_moves(
    tenant_with_token, keyer
):
    answers = iter(
        [
            httpx.Response(422, json={"errors": [{"details": "No.", "source": "reference"}]}),
            httpx.Response(200, json={"data": {"id": 41}}),
            httpx.Response(200, json={"data": {"id": 41}}),
        ]
    )
    transport = httpx.MockTransport(lambda request: next(answers))
    Membership.objects.create(user=keyer, tenant=tenant_with_token, role=Role.SUPERVISOR)
    token = uuid.uuid4()
    keyed = KeyedOrder(
        tenant=tenant_with_token,
        header=header_of(cleaned_order()),
        lines=lines(1),
        address=address_of(cleaned_order()),
    )

    refused = order_submit(form_token=token, keyed=keyed, user=keyer, transport=transport)
    sent = order_submit(form_token=token, keyed=keyed, user=keyer, transport=transport)
    cancelled = order_cancel(order=sent.order, user=keyer, reason="Wrong", transport=transport)

    assert refused.order.status == OrderStatus.REJECTED
    assert sent.sent
    assert cancelled.cancelled
    moves = list(OrderTransition.objects.values_list("from_status", "to_status"))
    assert moves == [
        ("draft", "draft"),
        ("draft", "sending"),
        ("sending", "rejected"),
        ("rejected", "draft"),
        ("draft", "sending"),
        ("sending", "sent"),
        ("sent", "cancelled"),
    ]
    assert all(states.move_allowed(frm, to) for frm, to in moves)


def test_an_amendment_is_compared_with_the_amendment_before_not_with_the_create(
    tenant_with_token, keyer
):
    order = Order.objects.create(
        tenant=tenant_with_token, created_by=keyer, reference="R-1", account_id=7
    )
    audit.attempt_record(
        order, exchange(body=body(priority=1)), by=audit.WORKER, outcome=AttemptOutcome.SENT
    )
    for priority in (5, 6):
        patch = replace(
            exchange(body=body(priority=priority)),
            method="PATCH",
            url="http://clarus.test/api/goods_outs/5",
        )
        audit.attempt_record(order, patch, by=audit.WORKER, outcome=AttemptOutcome.AMENDED)
    second, first, create = order.attempts.order_by("-id")

    paired = audit.attempts_with_changes([second, first, create])

    assert paired == [
        (second, [FieldChange("priority", "5", "6")]),
        (first, []),
        (create, []),
    ]
