"""The order page shows what it showed before its reads were merged and its long sections were
written in Python (``orders/templatetags/order_page.py``), to every role, in every state.

``order_page_before.html`` is the page's ``<article>`` as the template wrote it then; ``before``
renders it with the context the view built then (the ORM reads, kept here as they were). The two
pages are compared with runs of whitespace counted as one space (the browser's reading, outside
``<pre>``), and the ``<pre>`` blocks (requests and answers as they went) character for character.
One wording has changed since, in both: the history says an order's first step "new → Draft"
(it was "Draft → Draft", as a new order is written a draft), and a step that keeps the state
(personal data removed, a draft corrected) by the state alone.
"""

import json
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders import audit, display, permissions, states
from orders.audit import WORKER, Actor, attempts_with_changes
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    ApprovalRule,
    ApprovalRuleVersion,
    AttemptOutcome,
    Membership,
    Order,
    OrderAmendment,
    OrderHold,
    OrderLine,
    OrderStatus,
    OrderTransition,
    Role,
    SubmissionAttempt,
    WebhookDelivery,
    WebhookStatus,
)
from orders.selectors import orders as selectors
from orders.selectors.privacy import Person
from orders.services.privacy import person_erase
from orders.templatetags.order_page import order_url
from tests.orders.people import Caller, footprint

# Hand-written SQL reads these pages: both databases.
pytestmark = pytest.mark.postgres

BEFORE = engines["django"].from_string(
    (Path(__file__).parent / "order_page_before.html").read_text()
)


def _context_before(order_id: int, user: User, memberships: list[Membership]) -> dict[str, Any]:
    """The context orders.views.orders.order_detail gave the template before."""
    order = selectors.order_get_for_detail(order_id=order_id, user=user, memberships=memberships)
    assert order is not None
    attempts = list(order.attempts.all())
    webhooks = selectors.webhook_list_for_order(order=order)
    return {
        "order": order,
        "header": display.header_rows(order.header, order.labels),
        "address": display.address_rows(selectors.order_address(order=order)),
        "transitions": order.transitions.select_related("user"),
        "attempts": attempts_with_changes(attempts),
        "rejection": display.refusal_rows(audit.attempt_refusals(attempts[0])) if attempts else [],
        "webhooks": webhooks,
        "clarus_said": selectors.webhook_status_label(order=order) if webhooks else "",
        "versions": [
            (version, display.amendment_rows(version.changes) if version.changes else [])
            for version in audit.order_versions(order)
        ],
        "amendment_waiting": selectors.order_amendment_waiting(order=order),
        "holds": audit.order_holds(order),
        "can_cancel": states.cancellable(order.status)
        and permissions.order_may_cancel(order=order, memberships=memberships),
        "can_rekey": permissions.order_may_rekey(order=order, user=user, memberships=memberships),
        "can_amend": states.amendable(order.status)
        and order.personal_data_removed_at is None
        and permissions.order_may_amend(order=order, user=user, memberships=memberships),
        "can_decide": states.awaiting_decision(order.status)
        and permissions.order_may_decide(order=order, memberships=memberships),
        "can_withdraw": states.withdrawable(order.status)
        and order.can_correct
        and permissions.order_may_withdraw(order=order, user=user, memberships=memberships),
    }


def before(order: Order, user: User) -> str:
    memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    request = RequestFactory().get("/")
    request.user = user
    return BEFORE.render(_context_before(order.pk, user, memberships), request)


def now(client: Any, order: Order, user: User) -> str:
    client.force_login(user)
    response = client.get(reverse("orders:detail", args=[order.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<article class="order-detail">') : page.index("</article>") + 10]


def _pres(page: str) -> list[str]:
    return re.findall(r"<pre[^>]*>.*?</pre>", page, flags=re.S)


def _read(page: str) -> str:
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
    return re.sub(r"\s+>", ">", re.sub(r"\s+", " ", page)).strip()


def assert_same(old: str, new: str) -> None:
    assert _pres(new) == _pres(old)
    assert _read(new) == _read(old)


@pytest.fixture
def staff(make_tenant):
    tenant = make_tenant(name="Acme <3PL> & Co")
    people = {}
    for role in (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN):
        user = User.objects.create_user(f"{role}-<&>")
        Membership.objects.create(user=user, tenant=tenant, role=role)
        people[role] = user
    return tenant, people


ANN = Caller(
    name="Ann <b>O'Neil</b> & Co",
    address_1='1 "Quoted" Row',
    town="Leeds",
    postcode="LS1 4AP",
    email="ann@example.com",
    phone="0113 496 0000",
)


def _attempt(order: Order, outcome: str, *, minutes: int, user: User | None, **fields: Any) -> None:
    SubmissionAttempt.objects.create(
        order=order,
        tenant=order.tenant,
        user=user,
        started_at=timezone.now() - timedelta(minutes=minutes),
        duration_ms=fields.pop("duration_ms", 2000),
        method="POST",
        url="http://clarus.test/api/goods_outs",
        request_headers={"Authorization": "[redacted]", "X-Clarus-Subdomain": "acme"},
        request_body=fields.pop("request_body", '{"data": {"attributes": {"reference": "R"}}}'),
        outcome=outcome,
        **fields,
    )


def _transition(order: Order, frm: str, to: str, *, by: Actor, reason: str) -> None:
    OrderTransition.objects.create(
        order=order,
        at=timezone.now(),
        from_status=frm,
        to_status=to,
        user=by.user,
        actor=by.name,
        reason=reason,
    )


def _held(tenant: Any, agent: User, admin: User, status: str) -> Order:
    order = footprint(tenant, agent, ANN, reference=f"H-{status}", status=status, with_draft=False)
    rule = ApprovalRule.objects.create(tenant=tenant)
    version = ApprovalRuleVersion.objects.create(
        rule=rule,
        tenant=tenant,
        version=2,
        kind="lines_over",
        number=0,
        wording="More than 0 lines <or> so",
        created_by=admin,
    )
    OrderHold.objects.create(
        order=order, rule_version=version, at=timezone.now(), why="it has 1 line & more"
    )
    _transition(order, OrderStatus.DRAFT, OrderStatus.HELD, by=Actor.of(agent), reason="Held")
    return order


def orders_of_every_kind(tenant: Any, people: dict[str, User]) -> list[Order]:
    agent, supervisor, admin = (people[r] for r in (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN))
    made = []
    # Sent, with every section: attempts, an applied amendment, an address save, a webhook that
    # gave its status, and one waiting amendment.
    sent = footprint(tenant, agent, ANN, reference="SENT<1>", with_draft=False)
    delivery = WebhookDelivery.objects.create(
        tenant=tenant,
        fingerprint=uuid.uuid4().hex,
        automation_id="17<a>",
        event="status_changed",
        goods_out_id=9000,
        status="COMPLETED",
        headers={},
        body={},
        order=sent,
        happened_at=timezone.now(),
        repeats=2,
    )
    WebhookStatus.objects.create(order=sent, delivery=delivery)
    amendment = OrderAmendment.objects.get(order=sent)
    OrderAmendment.objects.filter(pk=amendment.pk).update(version=2, settled_at=timezone.now())
    OrderAmendment.objects.create(
        order=sent,
        token=uuid.uuid4(),
        created_by=supervisor,
        status="unknown",
        base_version="v2",
        before=amendment.before,
        after=amendment.after,
        document={},
        note="No answer <yet> & waiting",
    )
    made.append(sent)
    # Sent, nothing but its attempt: the page most agents see.
    plain = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="PLAIN-1",
        account_id=7,
        status=OrderStatus.SENT,
        clarus_id=9100,
        sent_at=timezone.now(),
        header={"reference": "PLAIN-1", "account_id": 7, "goods_out_type": "sales_order"},
        address={"name": "Jo", "postcode": "LS1 4AP"},
        labels={"account_id": {"code": "ACME", "name": "Acme <Ltd>"}},
    )
    for position, quantity in enumerate(["2", "10", "1.500", "0.001", "1000000"], start=1):
        OrderLine.objects.create(
            order=plain,
            position=position,
            product_id=100 + position,
            quantity=Decimal(quantity),
            product_code="" if position == 2 else f"SKU<{position}>",
            description="" if position == 3 else f'Mug "{position}" & co',
        )
    _transition(plain, "", OrderStatus.DRAFT, by=Actor.of(agent), reason="Keyed by the agent.")
    _transition(plain, OrderStatus.DRAFT, OrderStatus.SENDING, by=Actor.of(agent), reason="Sending")
    _transition(plain, OrderStatus.SENDING, OrderStatus.SENT, by=WORKER, reason="Sent as 9100.")
    _attempt(
        plain,
        AttemptOutcome.SENT,
        minutes=1,
        user=None,
        response_status=200,
        response_headers={"content-type": "application/json", "x-n": 3},
        response_body='{"data": {"id": 9100, "note": "<ok> & \\u00e9"}}',
    )
    made.append(plain)
    # Rejected twice (what changed between them, Clarus's reasons), no address at all.
    rejected = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="REJ-1",
        account_id=7,
        status=OrderStatus.REJECTED,
        status_note="Clarus refused it <twice>.",
        header={"reference": "REJ-1", "account_id": 7},
        address={},
    )
    for minutes, postcode in ((5, "LS1"), (1, "LS1 <4AP>")):
        body = {"data": {"attributes": {"reference": "REJ-1", "postcode": postcode}}}
        _attempt(
            rejected,
            AttemptOutcome.REJECTED,
            minutes=minutes,
            user=agent,
            request_body=json.dumps(body),
            response_status=422,
            response_headers={"content-type": "application/json"},
            response_body=json.dumps(
                {
                    "errors": [
                        {"code": 1204, "details": "Postcode <b>is</b> not valid.", "source": None}
                    ]
                }
            ),
            error="Clarus rejected the order & said why.",
        )
    made.append(rejected)
    # Waiting to be tried again by itself, after no answer; unknown, waiting for someone.
    for status, later in ((OrderStatus.FAILED, True), (OrderStatus.UNKNOWN, False)):
        waiting = Order.objects.create(
            tenant=tenant,
            created_by=agent,
            reference=f"W-{status}",
            account_id=7,
            status=status,
            next_attempt_at=timezone.now() + timedelta(minutes=5) if later else None,
            status_note="Clarus did not answer.",
        )
        _attempt(waiting, AttemptOutcome.NO_ANSWER, minutes=2, user=agent, error="No answer.")
        _attempt(waiting, AttemptOutcome.SERVER_ERROR, minutes=1, user=None, response_status=503)
        made.append(waiting)
    # Not sent yet, being sent, cancelled, withdrawn.
    for status in (OrderStatus.DRAFT, OrderStatus.SENDING, OrderStatus.WITHDRAWN):
        made.append(
            Order.objects.create(
                tenant=tenant,
                created_by=agent,
                reference=f"N-{status}",
                account_id=7,
                status=status,
            )
        )
    made.append(
        footprint(
            tenant, agent, ANN, reference="C-1", status=OrderStatus.CANCELLED, with_draft=False
        )
    )
    # Held by an approval rule, and refused.
    made.append(_held(tenant, agent, admin, OrderStatus.HELD))
    made.append(_held(tenant, agent, admin, OrderStatus.DECLINED))
    return made


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_every_role_sees_every_kind_of_order_as_before(client, staff, role):
    tenant, people = staff
    user = people[role]

    for order in orders_of_every_kind(tenant, people):
        assert_same(before(order, user), now(client, order, user))


def test_a_tenant_admin_who_does_not_supervise_sees_no_order_as_before(client, staff):
    tenant, people = staff
    admin = people[Role.TENANT_ADMIN]
    memberships = list(Membership.objects.filter(user=admin).select_related("tenant"))
    client.force_login(admin)

    for order in orders_of_every_kind(tenant, people):
        url = reverse("orders:detail", args=[order.pk])
        assert client.get(url).status_code == 404
        assert (
            selectors.order_get_for_detail(order_id=order.pk, user=admin, memberships=memberships)
            is None
        )


def test_an_order_whose_personal_data_was_removed_shows_as_before(client, staff):
    tenant, people = staff
    order = footprint(tenant, people[Role.AGENT], ANN, reference="GONE-1", with_draft=False)
    erased = person_erase(
        tenant=tenant,
        person=Person.of(email=ANN.email),
        by=Actor.of(people[Role.TENANT_ADMIN]),
        reason="Asked to be forgotten",
    )
    assert erased == 1

    for user in (people[Role.AGENT], people[Role.SUPERVISOR]):
        page = now(client, order, user)
        assert_same(before(order, user), page)
        assert "O&#x27;Neil" not in page
        assert "Quoted" not in page


def test_another_tenants_order_is_not_found(client, staff, make_tenant):
    tenant, people = staff
    other = make_tenant(name="Other", subdomain="other")
    stranger = User.objects.create_user("stranger")
    Membership.objects.create(user=stranger, tenant=other, role=Role.TENANT_ADMIN)
    order = footprint(tenant, people[Role.AGENT], ANN, reference="MINE-1", with_draft=False)

    client.force_login(stranger)
    response = client.get(reverse("orders:detail", args=[order.pk]))

    assert response.status_code == 404


def test_an_agent_does_not_see_another_agents_order(client, staff):
    tenant, people = staff
    other = User.objects.create_user("other-agent")
    Membership.objects.create(user=other, tenant=tenant, role=Role.AGENT)
    order = footprint(tenant, people[Role.AGENT], ANN, reference="MINE-2", with_draft=False)

    client.force_login(other)

    assert client.get(reverse("orders:detail", args=[order.pk])).status_code == 404


# What callers type and Clarus answers: markup, quotes, ampersands, accents, newlines.
ODD = st.text(alphabet=st.sampled_from("aZ09 <>&\"'é—;\n/"), max_size=14)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reference=ODD.filter(str.strip),
    note=ODD,
    values=st.lists(ODD, min_size=6, max_size=6),
    status=st.sampled_from([OrderStatus.SENT, OrderStatus.REJECTED, OrderStatus.FAILED]),
    quantity=st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99999"), places=3),
    answered=st.booleans(),
)
def test_odd_values_are_escaped_as_the_template_escaped_them(
    client, staff, reference, note, values, status, quantity, answered
):
    tenant, people = staff
    agent = people[Role.AGENT]
    # Each example keys a new order: references are unique in a tenant.
    reference = f"{reference[:40]}{uuid.uuid4().hex[:8]}"
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference=reference,
        account_id=7,
        status=status,
        clarus_id=9000 if status == OrderStatus.SENT else None,
        status_note=note,
        header={"reference": reference, "delivery_notes": values[0]},
        address={"name": values[1], "address_1": values[2]},
        labels={"account_id": {"code": values[3], "name": values[4]}},
    )
    OrderLine.objects.create(
        order=order,
        position=1,
        product_id=101,
        quantity=quantity,
        product_code=values[5],
        description=values[0],
    )
    _transition(order, "", status, by=Actor(agent, values[1][:50]), reason=values[2])
    _attempt(
        order,
        AttemptOutcome.REJECTED if status == OrderStatus.REJECTED else AttemptOutcome.SENT,
        minutes=1,
        user=agent,
        request_body=json.dumps({"data": {"attributes": {"notes": values[3]}}}),
        response_status=422 if answered else None,
        response_headers={"x-said": values[4]} if answered else None,
        response_body=(
            json.dumps({"errors": [{"code": 1, "details": values[5], "source": None}]})
            if answered
            else values[5]
        ),
        error=values[0],
    )
    if status == OrderStatus.SENT:
        save = AddressSave.objects.create(
            order=order, tenant=tenant, requested_by=agent, customer_id=55, code="C", note=note
        )
        AddressSaveAttempt.objects.create(
            address_save=save,
            tenant=tenant,
            user=None,
            started_at=timezone.now(),
            duration_ms=5,
            method="POST",
            url="http://clarus.test/api/delivery_addresses",
            request_headers={"x-odd": values[1]},
            request_body=values[2],
            response_status=None,
            outcome=AttemptOutcome.NO_ANSWER,
            error=values[3],
        )

    page = now(client, order, agent)

    assert_same(before(order, agent), page)


def test_markup_in_every_value_is_written_as_text(client, staff):
    tenant, people = staff
    agent = people[Role.AGENT]
    evil = '<script>alert("x")</script>'
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="EVIL-1",
        account_id=7,
        status=OrderStatus.REJECTED,
        status_note=evil,
        header={"reference": "EVIL-1", "delivery_notes": evil},
        address={"name": evil},
        labels={"account_id": {"code": evil, "name": evil}},
    )
    OrderLine.objects.create(
        order=order, position=1, product_id=1, quantity=1, product_code=evil, description=evil
    )
    _transition(order, "", OrderStatus.REJECTED, by=Actor(agent, evil[:50]), reason=evil)
    _attempt(
        order,
        AttemptOutcome.REJECTED,
        minutes=1,
        user=agent,
        request_body=json.dumps({"notes": evil}),
        response_status=422,
        response_headers={evil: evil},
        response_body=json.dumps({"errors": [{"code": 1, "details": evil, "source": None}]}),
        error=evil,
    )

    page = now(client, order, agent)

    assert "<script>" not in page
    assert page.count("&lt;script&gt;") >= 10


@pytest.mark.parametrize("prefix", ["/", "/desk/"])
@pytest.mark.parametrize("name", ["orders:copy", "orders:amend", "orders:clarus_status"])
@pytest.mark.parametrize("order_id", [1, 42, 987654321, 12345678901])
def test_an_order_url_is_the_url_reversed(name, order_id, prefix):
    set_script_prefix(prefix)
    try:
        assert order_url(name, order_id) == reverse(name, args=[order_id])
    finally:
        set_script_prefix("/")
