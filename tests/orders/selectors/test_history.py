"""The supervisors' history: keyset pages, filters, search, the htmx fragment and the CSV."""

import csv
import io
import re
import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.domain import normalised_name, phone_digits
from orders.models import Membership, Order, OrderLine, OrderStatus, Role, Tenant
from orders.selectors.history import decode_cursor
from orders.spreadsheets import spreadsheet_safe

LIST = reverse("orders:list")
EXPORT = reverse("orders:export")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


@pytest.fixture
def supervisor(tenant):
    user = User.objects.create_user("sue")
    Membership.objects.create(user=user, tenant=tenant, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def agents(tenant):
    users = [User.objects.create_user(name) for name in ("ann", "bob")]
    for user in users:
        Membership.objects.create(user=user, tenant=tenant, role=Role.AGENT)
    return users


def make_orders(tenant, agents, count, start=0):
    base = timezone.now() - timedelta(days=1)
    orders = Order.objects.bulk_create(
        Order(
            tenant=tenant,
            created_by=agents[n % len(agents)],
            reference=f"H-{n:04d}",
            account_id=10 + n % 3,
            postcode="LS1 4AP" if n % 10 == 0 else "M1 1AA",
            status=OrderStatus.SENT if n % 4 else OrderStatus.REJECTED,
            clarus_id=5000 + n,
        )
        for n in range(start, start + count)
    )
    # Creation times one minute apart, oldest first, so "newest first" is well defined.
    for n, order in enumerate(orders, start=start):
        Order.objects.filter(pk=order.pk).update(created_at=base + timedelta(minutes=n))
    OrderLine.objects.bulk_create(
        OrderLine(order=order, position=1, product_id=1, quantity=1) for order in orders
    )
    return orders


def references(response):
    html = response.content.decode()
    return [part.split("<")[0] for part in html.split('">H-')[1:]]


def test_pages_follow_each_other_newest_first_without_overlap(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 120)
    client.force_login(supervisor)

    seen = []
    url = LIST
    for _ in range(3):
        response = client.get(url)
        seen += references(response)
        cursor = response.context["page"].next_cursor
        url = f"{LIST}?after={cursor}"

    assert response.context["page"].next_cursor is None
    assert seen == [f"{n:04d}" for n in range(119, -1, -1)]


def test_a_page_costs_the_same_queries_whatever_the_row_count(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 10)
    client.force_login(supervisor)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    # Counted at once: a request outside the context empties the log the context slices.
    few_count = len(few)
    make_orders(tenant, agents, 200, start=10)
    cursor = client.get(LIST).context["page"].next_cursor
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{LIST}?after={cursor}")

    assert len(references(response)) == 50
    assert len(many) == few_count
    # The top bar's count of orders awaiting approval reads its partial index alone (only the
    # held orders), not the table.
    assert not any(
        "COUNT(*)" in q["sql"].upper()
        and "GROUP BY" not in q["sql"].upper()
        and "'held'" not in q["sql"]
        for q in many
    )
    assert not any(" OFFSET " in q["sql"].upper() for q in many)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "rejected"}, {"0000", "0004", "0008"}),
        ({"account_id": "11"}, {"0001", "0004", "0007", "0010"}),
        ({"search": "H-0003"}, {"0003"}),
        ({"search": "5007"}, {"0007"}),
        ({"search": "ls1 4ap"}, {"0000", "0010"}),
    ],
)
def test_filters_and_search(client, tenant, supervisor, agents, query, expected):
    make_orders(tenant, agents, 11)
    client.force_login(supervisor)

    response = client.get(LIST, query)

    assert set(references(response)) == expected


def test_filter_by_agent_and_date(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 6)
    old = Order.objects.get(reference="H-0000")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    client.force_login(supervisor)
    since = (timezone.localdate() - timedelta(days=5)).isoformat()

    by_ann = client.get(LIST, {"agent": str(agents[0].pk)})
    recent = client.get(LIST, {"date_from": since})

    assert set(references(by_ann)) == {"0000", "0002", "0004"}
    assert "0000" not in references(recent)
    assert len(references(recent)) == 5


def test_htmx_gets_just_the_results(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 3)
    client.force_login(supervisor)

    fragment = client.get(LIST, {"status": "sent"}, **HTMX).content.decode()
    page = client.get(LIST, {"status": "sent"}).content.decode()

    assert fragment.lstrip().startswith('<section id="history-results"')
    assert "<html" not in fragment
    assert 'id="history-filters"' in page
    assert 'hx-get="/orders/"' in page
    # A filtered view is a plain URL: the export link carries the same filters.
    assert 'href="/orders/export.csv?status=sent"' in page


def test_bad_cursor_and_filters_show_the_first_page(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 3)
    client.force_login(supervisor)

    response = client.get(LIST, {"after": "not-a-cursor", "date_from": "someday", "agent": "x"})

    assert response.status_code == 200
    assert len(references(response)) == 3
    assert decode_cursor("%%%") is None


def test_csv_export_streams_the_filtered_history(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 9)
    client.force_login(supervisor)

    response = client.get(EXPORT, {"status": "rejected"})

    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["keyed_at", "tenant", "keyed_by", "reference"]
    assert [row[3] for row in rows[1:]] == ["H-0008", "H-0004", "H-0000"]


@pytest.mark.parametrize(
    ("typed", "exported"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+44-1", "'+44-1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("SO-=1", "SO-=1"),
        # Opened where `;` or `,` separates cells, the part after it would be a cell of its own.
        ("x;=1+1", "x;'=1+1"),
        ("x,@SUM(1)", "x,'@SUM(1)"),
        ("x; -2+3", "x; '-2+3"),
        ('x;"=1', "x;\"'=1"),
        ("x|+1", "x|'+1"),
        ("\t=1", "'\t'=1"),
        ("x\n=1", "x\n'=1"),
    ],
)
def test_csv_export_never_hands_a_spreadsheet_a_formula(
    client, tenant, supervisor, agents, typed, exported
):
    Order.objects.create(
        tenant=tenant, created_by=agents[0], reference=typed, account_id=1, postcode=typed[:10]
    )
    client.force_login(supervisor)

    response = client.get(EXPORT)

    [row] = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))[1:]
    assert row[3] == exported
    assert row[8] == spreadsheet_safe(typed[:10])
    assert row[8].startswith("'") == exported.startswith("'")


def test_csv_export_quotes_every_cell_and_keeps_numbers_numbers(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 2)
    client.force_login(supervisor)

    body = b"".join(client.get(EXPORT).streaming_content).decode()

    lines = body.splitlines()
    assert len(lines) == 3
    for line in lines:
        cells = line.split('","')
        assert cells[0].startswith('"')
        assert cells[-1].endswith('"')
        assert len(cells) == 12
    [_, first, _] = list(csv.reader(io.StringIO(body)))
    # Ids and counts, still plain numbers once the quotes are read.
    assert first[4].isdigit()
    assert first[5] == "1"
    assert first[7] == "5001"


# What a spreadsheet takes for the start of a formula, at the start of a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Keyed text, with plenty of what makes trouble: triggers, separators, quotes, spaces.
keyed_text = st.text(
    alphabet=st.sampled_from(list("=+-@\t\r\n,;| \"'aZ09.")) | st.characters(codec="utf-8"),
    max_size=40,
).map(lambda text: text.replace("\x00", ""))


def formula_parts(text, separators=",;"):
    """Return the parts of ``text``, cut at ``separators``, that a spreadsheet would run."""
    parts = re.split(f"[{re.escape(separators)}]", text)
    return [part for part in parts if part.lstrip(' "').startswith(FORMULA_TRIGGERS)]


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tenant_name=keyed_text, username=keyed_text, reference=keyed_text, postcode=keyed_text)
def test_no_part_of_any_csv_cell_runs_as_a_formula(
    client, tenant, supervisor, agents, tenant_name, username, reference, postcode
):
    tenant_name, username, reference, postcode = (
        tenant_name[:100],
        f"{username[:140]}~{agents[0].pk}",
        reference[:50],
        postcode[:10],
    )
    Tenant.objects.filter(pk=tenant.pk).update(name=tenant_name)
    User.objects.filter(pk=agents[0].pk).update(username=username)
    Order.objects.update_or_create(
        tenant=tenant,
        created_by=agents[0],
        defaults={"reference": reference, "postcode": postcode, "account_id": 1},
    )
    client.force_login(supervisor)

    body = b"".join(client.get(EXPORT).streaming_content).decode()

    [header, row] = list(csv.reader(io.StringIO(body, newline="")))
    for cell in header + row:
        # Opened with `,` or `;` as the separator, or `|`, or read line by line.
        assert formula_parts(cell) == [], cell
        assert formula_parts(cell, ",;|\n") == [], cell
    # The file as it is, read by a spreadsheet that ignores its quotes.
    for line in re.split(r"[\r\n]+", body):
        assert formula_parts(line) == [], line
    # Still what was typed: apostrophes added, nothing taken away.
    typed = (tenant_name, username, reference, postcode)
    exported = (row[1], row[2], row[3], row[8])
    assert [text.replace("'", "") for text in exported] == [t.replace("'", "") for t in typed]


def test_csv_export_reads_in_chunks(client, tenant, supervisor, agents, monkeypatch):
    make_orders(tenant, agents, 25)
    client.force_login(supervisor)
    from orders.selectors import history

    original = history.history_rows_for_export
    monkeypatch.setattr(
        history,
        "history_rows_for_export",
        lambda **kwargs: original(**{**kwargs, "chunk": 10}),
    )

    response = client.get(EXPORT)
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content).decode()

    assert body.count("\n") == 26
    # Three chunks of at most ten rows each, one query per chunk.
    assert len([q for q in queries if "orders_order" in q["sql"]]) == 3


def test_agents_history_holds_only_their_orders(client, tenant, agents):
    make_orders(tenant, agents, 6)
    client.force_login(agents[1])

    assert set(references(client.get(LIST))) == {"0001", "0003", "0005"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "search",
    ["jo@example.com", "JO@Example.com", "jo bloggs", "Jo Blo", "+44 113 496 0000", "441134960000"],
)
def test_search_by_contact_email_name_or_phone(client, sandbox_tenant, search):
    from orders.domain import KeyedOrder
    from orders.services.submission import order_submit
    from tests.orders.factories import address_of, cleaned_order, header_of, lines

    user = User.objects.create_user("sue")
    Membership.objects.create(user=user, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    for reference, name, email, phone in (
        ("C-1", "Jo Bloggs Ltd", "jo@example.com", "+44 113 496 0000"),
        ("C-2", "Acme Stores", "buyer@acme.example", "0161 496 0123"),
    ):
        cleaned = cleaned_order(
            reference=reference, delivery_name=name, delivery_email=email, delivery_phone=phone
        )
        keyed = KeyedOrder(
            tenant=sandbox_tenant,
            header=header_of(cleaned),
            lines=lines(1),
            address=address_of(cleaned),
        )
        order_submit(form_token=uuid.uuid4(), keyed=keyed, user=user)
    client.force_login(user)

    html = client.get(LIST, {"search": search}).content.decode()

    assert ">C-1<" in html
    assert ">C-2<" not in html


def contact(reference, *, name="", email="", phone=""):
    """Give an order the search columns submission would store for that contact."""
    Order.objects.filter(reference=reference).update(
        contact_name=normalised_name(name),
        contact_email=email.lower(),
        contact_phone=phone_digits(phone),
    )


@pytest.fixture
def contacts(tenant, agents):
    make_orders(tenant, agents, 6)
    contact("H-0001", name="Jo Bloggs Ltd", email="Jo@Example.com", phone="+44 113 496 0000")
    contact("H-0002", name="Joanna Smith", email="joanna@example.net", phone="0161 496 0123")
    contact("H-0003", name="Acme Jo Stores", email="buyer@acme.example", phone="07700 900123")
    contact("H-0004", name="Bloggs & Co", email="jo@example.org", phone="+44 (0)20 7946 0999")


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        # Reference and Clarus id: exact.
        ("H-0002", {"0002"}),
        (" H-0002 ", {"0002"}),
        ("h-0002", set()),
        ("5003", {"0003"}),
        # Postcode: any case, with or without the space, stray spaces ignored.
        ("LS1 4AP", {"0000"}),
        ("ls1 4ap", {"0000"}),
        ("LS14AP", {"0000"}),
        ("ls14ap", {"0000"}),
        ("  ls1   4ap ", {"0000"}),
        ("m11aa", {"0001", "0002", "0003", "0004", "0005"}),
        # Email: whole address, any case; a part of one finds nothing.
        ("jo@example.com", {"0001"}),
        ("JO@EXAMPLE.COM", {"0001"}),
        ("jo@example", set()),
        # Phone: the digits, however the number is written, national or international.
        ("+44 113 496 0000", {"0001"}),
        ("441134960000", {"0001"}),
        ("0113 496 0000", {"0001"}),
        ("(0113) 4960000", {"0001"}),
        ("0161-496-0123", {"0002"}),
        ("+44 161 496 0123", {"0002"}),
        ("+44 7700 900123", {"0003"}),
        ("020 7946 0999", {"0004"}),
        ("496 0000", set()),
        # Name: the start of it, any case and spacing; not a word in the middle.
        ("jo", {"0001", "0002"}),
        ("Jo Blo", {"0001"}),
        ("  jo   bloggs ", {"0001"}),
        ("JOANNA SMITH", {"0002"}),
        ("bloggs", {"0004"}),
        ("stores", set()),
    ],
)
def test_each_search(client, supervisor, contacts, search, expected):
    client.force_login(supervisor)

    response = client.get(LIST, {"search": search})

    assert set(references(response)) == expected


def test_filter_by_tenant_or_all_of_them(client, make_tenant, tenant, supervisor, agents):
    other = make_tenant(subdomain="other", name="Other 3PL")
    Membership.objects.create(user=supervisor, tenant=other, role=Role.SUPERVISOR)
    make_orders(tenant, agents, 2)
    make_orders(other, agents, 2, start=2)
    client.force_login(supervisor)

    # Without a choice, the tenant chosen in the header (the first by name: Acme 3PL).
    default = client.get(LIST)
    chosen = client.get(LIST, {"tenant": str(other.pk)})
    every = client.get(LIST, {"tenant": "all"})

    assert set(references(default)) == {"0000", "0001"}
    assert set(references(chosen)) == {"0002", "0003"}
    assert set(references(every)) == {"0000", "0001", "0002", "0003"}


def at(reference, moment):
    Order.objects.filter(reference=reference).update(created_at=moment)


def test_date_range_counts_whole_days_in_the_desks_time_zone(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 5)
    zone = timezone.get_current_timezone()
    # Summer time: a day in London starts at 23:00 UTC the day before.
    at("H-0000", datetime(2026, 7, 14, 23, 59, tzinfo=zone))
    at("H-0001", datetime(2026, 7, 15, 0, 30, tzinfo=zone))
    at("H-0002", datetime(2026, 7, 16, 12, 0, tzinfo=zone))
    at("H-0003", datetime(2026, 7, 17, 23, 30, tzinfo=zone))
    at("H-0004", datetime(2026, 7, 18, 0, 30, tzinfo=zone))
    client.force_login(supervisor)

    since = client.get(LIST, {"date_from": "2026-07-15"})
    until = client.get(LIST, {"date_to": "2026-07-17"})
    between = client.get(LIST, {"date_from": "2026-07-15", "date_to": "2026-07-17"})
    one_day = client.get(LIST, {"date_from": "2026-07-16", "date_to": "2026-07-16"})
    backwards = client.get(LIST, {"date_from": "2026-07-17", "date_to": "2026-07-15"})

    assert set(references(since)) == {"0001", "0002", "0003", "0004"}
    assert set(references(until)) == {"0000", "0001", "0002", "0003"}
    assert set(references(between)) == {"0001", "0002", "0003"}
    assert set(references(one_day)) == {"0002"}
    assert references(backwards) == []


def test_filters_combine(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 24)
    client.force_login(supervisor)
    # ann keys the even orders, account 10 + n % 3, rejected when n % 4 == 0.
    query = {"status": "rejected", "agent": str(agents[0].pk), "account_id": "10"}

    combined = client.get(LIST, query)
    searched = client.get(LIST, {**query, "search": "ls1 4ap"})

    assert set(references(combined)) == {"0000", "0012"}
    assert set(references(searched)) == {"0000"}


def test_the_next_page_link_keeps_the_filters(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 130)
    client.force_login(supervisor)
    query = {"status": "sent", "agent": str(agents[1].pk)}
    expected = [f"{n:04d}" for n in range(129, -1, -1) if n % 2 and n % 4]

    first = client.get(LIST, query)
    link = first.context["page"].next_cursor
    html = first.content.decode()
    href = html.split('id="older-orders"')[0].rsplit('href="', 1)[1].split('"')[0]
    # A shareable URL: the filters and the cursor, once each.
    second = client.get(href.replace("&amp;", "&"))
    fragment = client.get(href.replace("&amp;", "&"), **HTMX).content.decode()

    assert href.startswith(f"{LIST}?")
    assert "status=sent" in href
    assert f"agent={agents[1].pk}" in href
    assert href.count("after=") == 1
    assert f"after={link}" in href
    assert f'hx-get="{href}"' in html
    assert references(first) + references(second) == expected
    assert len(references(first)) == 50
    # Page two carries the filters on, and its own link has one cursor only.
    assert second.context["page"].next_cursor is None
    assert "older-orders" not in fragment
    assert ">H-" in fragment
    assert "<html" not in fragment


def test_a_third_page_link_replaces_the_cursor(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 160)
    client.force_login(supervisor)
    first_cursor = client.get(LIST, {"status": "sent"}).context["page"].next_cursor

    second = client.get(LIST, {"status": "sent", "after": first_cursor}).content.decode()
    href = second.split('id="older-orders"')[0].rsplit('href="', 1)[1].split('"')[0]

    assert href.count("after=") == 1
    assert first_cursor not in href
    assert "status=sent" in href


def test_search_results_page_newest_first_across_exact_and_name_matches(
    client, tenant, supervisor, agents
):
    make_orders(tenant, agents, 130)
    # Even orders match "m1 1aa" by the start of their name, odd ones by postcode: more of each
    # than a page holds, so each page must merge the two in time order.
    evens = Order.objects.filter(reference__in=[f"H-{n:04d}" for n in range(0, 130, 2)])
    evens.update(postcode="LS1 4AP", contact_name="M1 1AA TRADING")
    Order.objects.exclude(pk__in=evens).update(postcode="M1 1AA")
    Order.objects.filter(reference="H-0007").update(postcode="ZZ9 9ZZ")
    client.force_login(supervisor)

    seen = []
    url = f"{LIST}?search=m1+1aa"
    for _ in range(3):
        response = client.get(url)
        seen += references(response)
        url = f"{LIST}?search=m1+1aa&after={response.context['page'].next_cursor}"

    assert response.context["page"].next_cursor is None
    assert seen == [f"{n:04d}" for n in range(129, -1, -1) if n != 7]


def test_a_search_costs_the_same_queries_whatever_the_row_count(client, tenant, supervisor, agents):
    make_orders(tenant, agents, 10)
    Order.objects.update(contact_name="JO BLOGGS")
    client.force_login(supervisor)
    client.get(LIST, {"search": "jo"})
    # Counted at once: a request outside the context empties the log the context slices.
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST, {"search": "jo"})
    few = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    unsearched = len(queries)
    make_orders(tenant, agents, 200, start=10)
    Order.objects.update(contact_name="JO BLOGGS")
    cursor = client.get(LIST, {"search": "jo"}).context["page"].next_cursor
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"search": "jo", "after": cursor})

    assert len(references(response)) == 50
    assert len(queries) == few
    # One query more than a page without a search: the name prefix, looked up on its own.
    assert few == unsearched + 1
    assert not any(" OFFSET " in q["sql"].upper() for q in queries)
