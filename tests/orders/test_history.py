"""The supervisors' history: keyset pages, filters, search, the htmx fragment and the CSV."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.history import decode_cursor
from orders.models import Membership, Order, OrderLine, OrderStatus, Role

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
    make_orders(tenant, agents, 200, start=10)
    cursor = client.get(LIST).context["page"].next_cursor
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{LIST}?after={cursor}")

    assert len(references(response)) == 50
    assert len(many) == len(few)
    assert not any(
        "COUNT(*)" in q["sql"].upper() and "GROUP BY" not in q["sql"].upper() for q in many
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


def test_csv_export_reads_in_chunks(client, tenant, supervisor, agents, monkeypatch):
    make_orders(tenant, agents, 25)
    client.force_login(supervisor)
    from orders import history

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
    from orders.payloads import address_attributes, header_attributes
    from orders.services import KeyedOrder, order_submit
    from tests.orders.factories import cleaned_order, lines

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
            header=header_attributes(cleaned),
            lines=lines(1),
            address=address_attributes(cleaned),
        )
        order_submit(form_token=uuid.uuid4(), keyed=keyed, user=user)
    client.force_login(user)

    html = client.get(LIST, {"search": search}).content.decode()

    assert ">C-1<" in html
    assert ">C-2<" not in html
