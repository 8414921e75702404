"""desk_generate_history: realistic history in bulk, deterministic, never twice by accident."""

import io
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count

from orders.history import HistoryFilters, history_page
from orders.models import Membership, Order, OrderLine, OrderStatus, Role, SubmissionAttempt
from orders.selectors import membership_list_for_user
from orders.services.delivery import due_orders

UNTIL = "2026-06-30T17:00:00+01:00"


def generate(**options):
    out = io.StringIO()
    values = {"orders": 500, "tenants": 2, "agents": 3, "batch": 120, "until": UNTIL}
    values.update(options)
    call_command("desk_generate_history", stdout=out, stderr=io.StringIO(), **values)
    return out.getvalue()


def snapshot():
    orders = (
        Order.objects.select_related("tenant", "created_by")
        .prefetch_related("lines", "attempts")
        .order_by("created_at", "reference")
    )
    return [
        (
            order.tenant.subdomain,
            order.reference,
            order.created_by.username,
            order.created_at,
            order.form_token,
            order.status,
            order.clarus_id,
            order.postcode,
            order.account_id,
            order.header,
            order.address,
            [(line.position, line.product_id, line.quantity) for line in order.lines.all()],
            [(a.response_status, a.request_body, a.response_body) for a in order.attempts.all()],
        )
        for order in orders
    ]


def delete_generated():
    SubmissionAttempt.objects.all().delete()
    Order.objects.all().delete()


pytestmark = pytest.mark.django_db


@pytest.mark.postgres
def test_makes_the_orders_lines_and_attempts_asked_for():
    summary = generate()

    assert Order.objects.count() == 500
    assert SubmissionAttempt.objects.count() == 500
    per_order = Counter(OrderLine.objects.values_list("order_id", flat=True))
    assert len(per_order) == 500
    assert set(per_order.values()) <= {1, 2, 3, 4, 5}
    assert sum(per_order.values()) == OrderLine.objects.count()
    tenants = Order.objects.values("tenant__subdomain").annotate(n=Count("id"))
    assert {row["tenant__subdomain"] for row in tenants} == {"hist-northgate", "hist-pennine"}
    assert "Generated 500 orders" in summary


@pytest.mark.postgres
def test_references_are_unique_per_tenant_and_the_mix_is_realistic():
    generate()

    pairs = list(Order.objects.values_list("tenant_id", "reference"))
    statuses = Counter(Order.objects.values_list("status", flat=True))
    postcodes = Counter(Order.objects.values_list("tenant_id", "postcode"))

    assert len(set(pairs)) == len(pairs) == 500
    assert set(statuses) <= {
        OrderStatus.SENT,
        OrderStatus.REJECTED,
        OrderStatus.FAILED,
        OrderStatus.UNKNOWN,
    }
    assert statuses[OrderStatus.SENT] > 400
    # A postcode search finds a handful of orders, not hundreds.
    assert max(postcodes.values()) < 25
    sent = Order.objects.filter(status=OrderStatus.SENT)
    assert not sent.filter(clarus_id=None).exists()
    assert sent.values("tenant", "clarus_id").distinct().count() == sent.count()


@pytest.mark.postgres
def test_the_same_seed_makes_the_same_history():
    generate(seed=7)
    first = snapshot()
    delete_generated()
    generate(seed=7)
    again = snapshot()
    delete_generated()
    generate(seed=8)

    assert again == first
    assert snapshot() != first


def test_refuses_to_generate_twice_without_append():
    generate()

    with pytest.raises(CommandError, match=r"already holds 500 generated orders.*--append"):
        generate()
    generate(append=True, orders=200)

    assert Order.objects.count() == 700
    pairs = list(Order.objects.values_list("tenant_id", "reference"))
    assert len(set(pairs)) == len(pairs)


def test_staff_and_tenants_hold_no_secrets_and_no_order_is_due():
    generate()

    for membership in Membership.objects.select_related("tenant", "user"):
        assert membership.tenant.api_base_url.endswith(".invalid")
        assert membership.tenant.client_secret == "placeholder-not-a-secret"
        assert not membership.user.has_usable_password()
    roles = Counter(Membership.objects.values_list("tenant__subdomain", "role"))
    assert roles[("hist-northgate", Role.SUPERVISOR)] == 1
    assert roles[("hist-northgate", Role.AGENT)] == 3
    # The delivery worker must never try to send a generated order to a placeholder Clarus.
    assert not Order.objects.filter(due_orders()).exists()


def test_the_supervisor_pages_through_the_generated_history():
    generate()
    user = User.objects.get(username="hist-northgate-supervisor")
    memberships = membership_list_for_user(user=user)
    filters = HistoryFilters(tenant_id=memberships[0].tenant_id)

    first = history_page(user=user, memberships=memberships, filters=filters)
    second = history_page(
        user=user, memberships=memberships, filters=filters, after=first.next_cursor or ""
    )
    postcode = first.orders[0].postcode
    found = history_page(
        user=user,
        memberships=memberships,
        filters=HistoryFilters(tenant_id=memberships[0].tenant_id, search=postcode.lower()),
    )

    assert len(first.orders) == len(second.orders) == 50
    assert first.orders[-1].created_at >= second.orders[0].created_at
    assert all(1 <= order.line_count <= 5 for order in first.orders)
    assert first.orders[0] in found.orders
    assert len(found.orders) < 25


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    terminal = FakeTerminal()
    call_command(
        "desk_generate_history",
        orders=300,
        tenants=1,
        batch=100,
        until=UNTIL,
        stdout=io.StringIO(),
        stderr=terminal,
        no_color=True,
    )
    piped = io.StringIO()
    call_command(
        "desk_generate_history",
        orders=100,
        tenants=1,
        append=True,
        until=UNTIL,
        stdout=io.StringIO(),
        stderr=piped,
    )

    assert terminal.getvalue().count("\r[") == 3
    assert "300/300 orders" in terminal.getvalue()
    assert piped.getvalue() == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"orders": 0}, "at least 1"),
        ({"tenants": 9}, "between 1 and 8"),
        ({"until": "soon"}, "ISO"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(CommandError, match=message):
        generate(**options)
