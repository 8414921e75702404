"""The order page costs a fixed number of SQL queries however long the order's story is."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    ApprovalRule,
    ApprovalRuleVersion,
    AttemptOutcome,
    Membership,
    Order,
    OrderHold,
    OrderLine,
    OrderStatus,
    OrderTransition,
    Role,
    SubmissionAttempt,
    WebhookDelivery,
    WebhookStatus,
)
from tests.orders.people import Caller, footprint


@pytest.fixture
def staff(make_tenant):
    tenant = make_tenant()
    supervisor = User.objects.create_user("sue")
    agent = User.objects.create_user("ann")
    Membership.objects.create(user=supervisor, tenant=tenant, role=Role.SUPERVISOR)
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    return tenant, supervisor, agent


def story(tenant, agent, supervisor, *, size, status, clarus_id):
    """Return an order with ``size`` lines, attempts, changes of state and webhooks."""
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference=f"S-{size}-{status}",
        account_id=7,
        status=status,
        clarus_id=clarus_id,
        header={"reference": f"S-{size}", "account_id": 7},
        address={"name": "Jo Bloggs", "postcode": "LS1 4AP"},
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=order, position=n, product_id=100 + n, quantity=n)
        for n in range(1, size + 1)
    )
    start = timezone.now() - timedelta(hours=1)
    for n in range(size):
        by = (agent, supervisor, None)[n % 3]
        body = {"data": {"attributes": {"reference": order.reference, "account_id": 7 + n}}}
        SubmissionAttempt.objects.create(
            order=order,
            tenant=tenant,
            user=by,
            started_at=start + timedelta(minutes=n),
            duration_ms=200,
            method="POST",
            url="http://clarus.test/api/goods_outs",
            request_headers={"Authorization": "[redacted]"},
            request_body=json.dumps(body),
            response_status=422,
            response_headers={"Content-Type": "application/json"},
            response_body=json.dumps(
                {"errors": [{"code": 1204, "details": "Postcode is not valid.", "source": None}]}
            ),
            outcome=AttemptOutcome.REJECTED,
            error="Clarus rejected the order.",
        )
        OrderTransition.objects.create(
            order=order,
            at=start + timedelta(minutes=n, seconds=1),
            from_status=OrderStatus.SENDING,
            to_status=status,
            user=by,
            actor=by.username if by else "delivery worker",
            reason=f"Change {n}",
        )
        if clarus_id:
            WebhookDelivery.objects.create(
                tenant=tenant,
                fingerprint=f"{order.pk}-{n}",
                automation_id="17",
                event="updated",
                goods_out_id=clarus_id,
                headers={},
                body={"id": clarus_id, "n": n},
                happened_at=start + timedelta(minutes=n, seconds=2),
            )
    return order


def page_queries(client, user, order):
    client.force_login(user)
    url = reverse("orders:detail", args=[order.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries]


@pytest.mark.parametrize(
    ("status", "clarus_id"), [(OrderStatus.SENT, 9001), (OrderStatus.REJECTED, None)]
)
@pytest.mark.parametrize("viewer", ["supervisor", "agent"])
def test_the_order_page_costs_the_same_queries_for_1_or_20_attempts(
    client, staff, status, clarus_id, viewer
):
    tenant, supervisor, agent = staff
    short = story(tenant, agent, supervisor, size=1, status=status, clarus_id=clarus_id)
    long = story(
        tenant, agent, supervisor, size=20, status=status, clarus_id=clarus_id and clarus_id + 1
    )
    user = supervisor if viewer == "supervisor" else agent

    few = page_queries(client, user, short)
    many = page_queries(client, user, long)
    html = client.get(reverse("orders:detail", args=[long.pk])).content.decode()

    assert html.count('<details class="attempt"') == 20
    assert "Change 19" in html
    assert len(many) == len(few), "\n".join(many)


def test_the_order_page_reads_the_attempts_with_their_senders_in_one_query(client, staff):
    tenant, supervisor, agent = staff
    order = story(tenant, agent, supervisor, size=3, status=OrderStatus.SENT, clarus_id=9001)

    queries = page_queries(client, supervisor, order)

    attempts = [sql for sql in queries if 'FROM "orders_submissionattempt"' in sql]
    assert len(attempts) == 1
    assert 'INNER JOIN "auth_user"' in attempts[0] or 'LEFT OUTER JOIN "auth_user"' in attempts[0]
    assert not [sql for sql in queries if sql.startswith('SELECT "auth_user"') and " IN (" in sql]


# What every signed-in page reads before and around its view, whatever it shows.
REQUEST_TABLES = {"django_session", "auth_user", "orders_membership", "orders_staffinvitation"}


def own_queries(queries: list[str]) -> list[str]:
    """The queries of the order page itself: those about the order and its records."""
    table = re.compile(r'^SELECT "(\w+)"\.|(?:FROM|UPDATE|INTO) "(\w+)"')
    own = []
    for sql in queries:
        found = table.search(sql)
        if found and (found[1] or found[2]) not in REQUEST_TABLES:
            own.append(sql)
    return own


@pytest.mark.postgres
@pytest.mark.parametrize("size", [1, 5, 20])
@pytest.mark.parametrize(
    ("status", "clarus_id"), [(OrderStatus.SENT, 9001), (OrderStatus.REJECTED, None)]
)
def test_the_order_page_makes_four_queries_of_its_own_whatever_the_order_holds(
    client, staff, size, status, clarus_id
):
    tenant, supervisor, agent = staff
    order = story(tenant, agent, supervisor, size=size, status=status, clarus_id=clarus_id)

    queries = page_queries(client, agent, order)

    # The order (with which of its usually empty sections it has), its lines, its changes of
    # state and its attempts.
    assert len(own_queries(queries)) == 4, "\n".join(own_queries(queries))
    # Before, 12 in all for a sent order of 5 lines.
    assert len(queries) <= 4 + len(REQUEST_TABLES), "\n".join(queries)


@pytest.mark.postgres
def test_each_section_the_order_has_costs_one_query_more(client, staff):
    tenant, supervisor, agent = staff
    caller = Caller("Jo Bloggs", "1 Row", "Leeds", "LS1 4AP", "jo@example.com", "0113 496 0000")
    order = footprint(tenant, agent, caller, reference="ALL-1", with_draft=False)
    delivery = WebhookDelivery.objects.get(order=order)
    WebhookStatus.objects.create(order=order, delivery=delivery)
    rule = ApprovalRule.objects.create(tenant=tenant)
    version = ApprovalRuleVersion.objects.create(
        rule=rule,
        tenant=tenant,
        version=1,
        kind="lines_over",
        number=0,
        wording="w",
        created_by=supervisor,
    )
    OrderHold.objects.create(order=order, rule_version=version, at=timezone.now(), why="why")

    own = own_queries(page_queries(client, agent, order))

    # The four, then webhooks, amendments, holds, the address save and its requests.
    assert len(own) == 9, "\n".join(own)


def test_the_order_page_shows_the_dispatch_date_as_people_read_it(client, staff):
    tenant, supervisor, agent = staff
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference="WHEN-1",
        account_id=7,
        status=OrderStatus.SENT,
        clarus_id=5,
        header={
            "reference": "WHEN-1",
            "account_id": 7,
            "expected_date_of_dispatch": "2026-07-01T13:30:00+00:00",
        },
    )
    client.force_login(supervisor)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert "1 Jul 2026 14:30" in page
    assert "2026-07-01T13:30:00+00:00" not in page


def test_a_refused_try_reads_as_people_say_it_with_its_http_status_once(client, staff):
    tenant, supervisor, agent = staff
    order = story(tenant, agent, supervisor, size=1, status=OrderStatus.REJECTED, clarus_id=None)
    client.force_login(supervisor)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    summary = re.search(
        r'<span class="outcome outcome-rejected">([^<]*)</span>\s*\(([^)]*)\)', page
    )

    assert summary is not None
    assert summary.group(1) == "Rejected by Clarus"
    assert summary.group(2).startswith("HTTP 422")
    assert "(422)" not in page


def test_the_history_says_each_step_as_people_would(client, staff):
    tenant, supervisor, agent = staff
    order = Order.objects.create(
        tenant=tenant, created_by=agent, reference="STEPS-1", account_id=7, status=OrderStatus.SENT
    )
    at = timezone.now() - timedelta(minutes=10)
    # As the desk writes them: a new order is written a draft, so its first step starts there.
    steps = [
        ("draft", "draft", "Keyed by the agent."),
        ("draft", "sending", "Sending to Clarus."),
        ("sending", "sent", "Sent to Clarus as goods-out 5."),
        ("sent", "sent", "Personal data removed: kept 6 months."),
    ]
    OrderTransition.objects.bulk_create(
        OrderTransition(
            order=order,
            at=at + timedelta(seconds=n),
            from_status=frm,
            to_status=to,
            actor="ann",
            reason=reason,
        )
        for n, (frm, to, reason) in enumerate(steps)
    )
    client.force_login(supervisor)

    page = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    table = page[page.index('id="transitions"') :]
    moves = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", table)[: len(steps)]

    assert moves == ["new → Draft", "Draft → Sending", "Sending → Sent", "Sent"]
