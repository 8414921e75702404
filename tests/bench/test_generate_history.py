"""The history generator (bench/generate_history.py) and its command, desk_generate_history:
realistic history in bulk, deterministic, sent as the desk sends, never twice by accident."""

import io
import json
import re
from collections import Counter
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count

from bench.generate_history import HistoryExists, Totals, history_generate
from orders.audit import append_only_released
from orders.clarus.documents import (
    goods_out_body,
    goods_out_document,
    stored_address,
    stored_header,
)
from orders.domain import LineInput, normalised_name, phone_digits
from orders.models import Membership, Order, OrderLine, OrderStatus, Role, SubmissionAttempt
from orders.selectors.history import HistoryFilters, history_page
from orders.selectors.tenants import membership_list_for_user
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
            order.contact_name,
            order.contact_email,
            order.contact_phone,
            order.account_id,
            order.header,
            order.address,
            [(line.position, line.product_id, line.quantity) for line in order.lines.all()],
            [(a.response_status, a.request_body, a.response_body) for a in order.attempts.all()],
        )
        for order in orders
    ]


def delete_generated():
    # Removing whole tenants' data is deliberate: on PostgreSQL the audit's guard refuses a
    # DELETE of attempts and transitions outside the one released path (orders.audit).
    with append_only_released():
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


# Ofcom's numbers for drama, as national digits: 0113 496 0xxx … 020 7946 0xxx, 028 9649 6xxx,
# 01632 960xxx, 07700 900xxx.
DRAMA_DIGITS = re.compile(
    r"0(11[3-8]4960|1[2-6]14960|1914980|2079460|2896496|2920180|1632960|7700900)\d{3}"
)


@pytest.mark.postgres
def test_contact_columns_are_filled_from_the_address_as_the_desk_stores_them():
    generate()

    orders = list(Order.objects.prefetch_related("attempts"))
    emails = Counter(o.contact_email for o in orders if o.contact_email)
    phones = [o.contact_phone for o in orders if o.contact_phone]

    for order in orders:
        address = order.address
        assert order.contact_name == normalised_name(address["name"]) != ""
        assert order.contact_email == address.get("email_address", "").lower()
        assert order.contact_phone == phone_digits(address.get("phone_number", ""))
        # What was sent to Clarus is the same address.
        sent = json.loads(order.attempts.all()[0].request_body)
        assert sent["data"]["relationships"]["address"]["data"]["attributes"] == address
    # Most orders carry an email and a phone, not all (both are optional on the form).
    assert 0.8 * len(orders) < emails.total() < len(orders)
    assert 0.75 * len(orders) < len(phones) < len(orders)
    # Only domains reserved for examples, and only numbers Ofcom keeps for drama.
    assert all(
        re.fullmatch(r"[^@\s]+@(example\.(com|net|org)|[a-z]+\d+\.example)", e, re.IGNORECASE)
        for e in emails
    )
    national = {"0" + p.removeprefix("440").removeprefix("44").removeprefix("0") for p in phones}
    assert all(DRAMA_DIGITS.fullmatch(p) for p in national), national
    # Typed as agents type them: with and without spaces, national and international.
    typed = [o.address["phone_number"] for o in orders if o.contact_phone]
    assert any(t.startswith("+44 (0)") for t in typed)
    assert any(t.startswith("+44 1") for t in typed)
    assert any(t.startswith("07700 900") for t in typed)
    assert any(re.fullmatch(r"0\d{10}", t) for t in typed)
    # An email identifies a customer: a search by one finds a handful of orders, not hundreds.
    assert max(emails.values()) < 25


@pytest.mark.postgres
def test_every_request_body_is_what_the_desk_builds_for_the_stored_order():
    generate(orders=800)

    orders = list(Order.objects.prefetch_related("lines", "attempts"))
    for order in orders:
        lines = [LineInput(product_id=x.product_id, quantity=x.quantity) for x in order.lines.all()]
        # The stored order as the entry form holds it (correct and send again): on PostgreSQL
        # the stored JSON keeps no key order, the builder gives it back.
        document = goods_out_document(
            header=stored_header(order.header),
            lines=lines,
            address=stored_address(order.address),
        )
        [attempt] = order.attempts.all()
        assert attempt.request_body == goods_out_body(document), order.reference
    # Every kind of order was compared: with and without a county, notes, weighed goods.
    bodies = [o.attempts.all()[0].request_body for o in orders]
    assert any('"address_4"' in b for b in bodies)
    assert any('"address_4"' not in b for b in bodies)
    assert any('"delivery_notes"' in b for b in bodies)
    assert any(line.quantity % 1 for o in orders for line in o.lines.all())


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


def test_the_generator_reports_what_it_wrote_and_refuses_to_write_twice():
    def run(orders: int) -> Totals:
        until = datetime.fromisoformat(UNTIL)
        return history_generate(
            orders=orders, tenants=3, agents=2, seed=4, batch=70, days=30, until=until
        )

    totals = run(150)
    with pytest.raises(HistoryExists) as refused:
        run(10)

    assert (totals.orders, totals.attempts) == (150, 150)
    assert totals.lines == OrderLine.objects.count()
    assert totals.supervisors == [
        "hist-northgate-supervisor",
        "hist-pennine-supervisor",
        "hist-severn-supervisor",
    ]
    assert refused.value.orders == Order.objects.count() == 150


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


def test_the_supervisor_finds_generated_orders_by_contact():
    generate()
    user = User.objects.get(username="hist-northgate-supervisor")
    memberships = membership_list_for_user(user=user)
    tenant_id = memberships[0].tenant_id
    orders = Order.objects.filter(tenant_id=tenant_id)
    emailed = orders.exclude(contact_email="").exclude(contact_phone="").first()
    assert emailed is not None
    national = "0" + emailed.contact_phone.removeprefix("440").removeprefix("44").removeprefix("0")

    def search(text):
        filters = HistoryFilters(tenant_id=tenant_id, search=text)
        return history_page(user=user, memberships=memberships, filters=filters).orders

    by_email = search(emailed.address["email_address"].upper())
    by_phone = search(f"{national[:5]} {national[5:8]} {national[8:]}")
    by_name = search(emailed.address["name"][:6].lower())

    assert emailed in by_email
    assert {o.contact_email for o in by_email} == {emailed.contact_email}
    assert emailed in by_phone
    assert emailed in by_name or len(by_name) == 50
    assert all(o.contact_name.startswith(emailed.contact_name[:6]) for o in by_name)


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
