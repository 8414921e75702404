"""The history's views: the page and its fragment without JavaScript, the CSV, roles, bad input."""

import base64
import csv
import io
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    AttemptOutcome,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    Role,
    SubmissionAttempt,
)
from orders.views.history import CSV_COLUMNS
from sandbox.catalogue import Account

LIST = reverse("orders:list")
EXPORT = reverse("orders:export")
HTMX = {"HTTP_HX_REQUEST": "true"}


def cursor(text):
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def supervisor(make_tenant):
    tenant = make_tenant()
    user = User.objects.create_user("sue")
    Membership.objects.create(user=user, tenant=tenant, role=Role.SUPERVISOR)
    Order.objects.create(tenant=tenant, created_by=user, reference="R-1", account_id=1)
    return user


BAD_QUERIES = [
    {"date_to": "9999-12-31"},
    {"date_from": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "0001-01-01"},
    {"date_from": "2026-02-30"},
    {"date_from": "someday", "date_to": "x"},
    {"search": "²"},
    {"search": "²³⁴⁵⁶⁷"},
    {"search": "٣٤٥"},
    {"search": "x" * 101},
    {"search": "\x00"},
    {"search": "9" * 18},
    {"search": "9" * 40},
    {"search": "%_\\"},
    {"account_id": "99999999999999999999"},
    {"account_id": "-1"},
    {"account_id": "1e3"},
    {"agent": "999999"},
    {"agent": "99999999999999999999"},
    {"tenant": "999999"},
    {"tenant": "abc"},
    {"status": "nope"},
    {"after": "not-a-cursor"},
    {"after": cursor("2026-01-01T00:00:00+00:00|99999999999999999999")},
    {"after": cursor("2026-01-01T00:00:00+00:00|-5")},
    {"after": cursor("9999-12-31T23:59:59+00:00|1")},
    {"after": cursor("2026-13-45T00:00:00+00:00|1")},
    {"after": cursor("|1")},
    {"after": "\u00e9\u00e9"},
]


@pytest.mark.parametrize("query", BAD_QUERIES, ids=[str(q)[:40] for q in BAD_QUERIES])
@pytest.mark.parametrize("url", [LIST, EXPORT])
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_never_a_server_error(client, supervisor, query, url, htmx):
    client.force_login(supervisor)

    response = client.get(url, query, **(HTMX if htmx else {}))
    body = b"".join(response.streaming_content) if response.streaming else response.content

    assert response.status_code == 200
    assert body


def refs(response):
    """Return the references listed on a history page or fragment, in order."""
    html = response.content.decode()
    return [part.split("<")[0] for part in html.split('">R-')[1:]]


def csv_rows(response):
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def csv_refs(response):
    return [row[3].removeprefix("R-") for row in csv_rows(response)[1:]]


def member(username, *tenants_and_roles):
    user = User.objects.create_user(username)
    for tenant, role in tenants_and_roles:
        Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


def order(tenant, user, number, *, minutes, **fields):
    values = {"account_id": 10, "postcode": "M1 1AA", "status": OrderStatus.SENT}
    values.update(fields)
    created = Order.objects.create(
        tenant=tenant, created_by=user, reference=f"R-{number}", **values
    )
    moment = timezone.now() - timedelta(minutes=minutes)
    Order.objects.filter(pk=created.pk).update(created_at=moment)
    created.refresh_from_db()
    return created


@pytest.fixture
def desk(make_tenant):
    """Two tenants: Acme (supervisor sue, agents ann and bob) and Other (agent oz, tenant
    admin ada); ann keys for both. Orders R-1 to R-7, newest first but R-7, from January."""
    acme = make_tenant(subdomain="acme", name="Acme 3PL")
    other = make_tenant(subdomain="other", name="Other 3PL")
    sue = member("sue", (acme, Role.SUPERVISOR))
    ann = member("ann", (acme, Role.AGENT), (other, Role.AGENT))
    bob = member("bob", (acme, Role.AGENT))
    oz = member("oz", (other, Role.AGENT))
    ada = member("ada", (other, Role.TENANT_ADMIN))
    zone = timezone.get_current_timezone()
    order(acme, ann, "1", minutes=10, account_id=11, contact_email="jo@example.com")
    order(acme, bob, "2", minutes=20, status=OrderStatus.REJECTED, postcode="LS1 4AP")
    order(acme, ann, "3", minutes=30, status=OrderStatus.REJECTED, contact_name="JO BLOGGS")
    order(acme, bob, "4", minutes=40, account_id=11, contact_phone="01134960000")
    order(other, oz, "5", minutes=15, postcode="LS1 4AP")
    order(other, ann, "6", minutes=25, account_id=11)
    old = order(acme, bob, "7", minutes=0, clarus_id=777)
    Order.objects.filter(pk=old.pk).update(created_at=datetime(2026, 1, 5, 12, tzinfo=zone))
    return {"acme": acme, "other": other, "sue": sue, "ann": ann, "bob": bob, "oz": oz, "ada": ada}


def test_one_view_serves_the_page_and_its_fragment(client, desk):
    client.force_login(desk["sue"])
    query = {"status": "rejected", "search": "ls1 4ap"}

    page = client.get(LIST, query)
    fragment = client.get(LIST, query, **HTMX)

    assert "HX-Request" in page["Vary"]
    assert "HX-Request" in fragment["Vary"]
    assert refs(page) == refs(fragment) == ["2"]
    html = fragment.content.decode()
    assert html.lstrip().startswith('<section id="history-results"')
    assert "<html" not in html
    assert 'id="history-filters"' not in html
    assert "<html" in page.content.decode()


def test_without_javascript_the_filters_are_a_plain_get_form_that_keeps_its_values(client, desk):
    client.force_login(desk["sue"])

    html = client.get(
        LIST, {"status": "rejected", "search": "jo bloggs", "account_id": "10"}
    ).content.decode()

    assert '<form method="get" action="/orders/" id="history-filters"' in html
    assert '<button type="submit"' in html
    assert 'name="search" value="jo bloggs"' in html
    assert '<option value="rejected" selected>' in html
    assert 'name="account_id" value="10"' in html
    assert refs(client.get(LIST, {"status": "rejected", "search": "jo bloggs"})) == ["3"]
    # Every htmx link has a plain address too.
    assert 'href="/orders/export.csv?status=rejected&amp;search=jo+bloggs&amp;account_id=10"' in (
        html
    )


def test_the_agent_choice_lists_only_people_the_user_may_see(client, desk):
    client.force_login(desk["sue"])
    supervisor_page = client.get(LIST).content.decode()
    client.force_login(desk["bob"])
    agent_page = client.get(LIST).content.decode()

    agent_select = supervisor_page.split('name="agent"')[1].split("</select>")[0]
    assert ">ann<" in agent_select
    assert ">bob<" in agent_select
    assert ">oz<" not in agent_select
    assert ">ada<" not in agent_select
    own_select = agent_page.split('name="agent"')[1].split("</select>")[0]
    assert ">bob<" in own_select
    assert ">ann<" not in own_select


# Roles (orders.permissions.orders_visible; orders.views.history takes agents and supervisors).


def test_an_agent_sees_only_their_own_orders_whatever_they_ask_for(client, desk):
    client.force_login(desk["bob"])

    assert refs(client.get(LIST)) == ["2", "4", "7"]
    assert refs(client.get(LIST, {"agent": str(desk["ann"].pk)})) == ["2", "4", "7"]
    assert refs(client.get(LIST, {"search": "jo@example.com"})) == []
    assert refs(client.get(LIST, {"tenant": str(desk["other"].pk)})) == ["2", "4", "7"]
    assert refs(client.get(LIST, {"tenant": "all"})) == ["2", "4", "7"]
    assert csv_refs(client.get(EXPORT)) == ["2", "4", "7"]
    assert csv_refs(client.get(EXPORT, {"agent": str(desk["ann"].pk)})) == ["2", "4", "7"]


def test_an_agent_on_two_tenants_sees_their_own_in_each(client, desk):
    client.force_login(desk["ann"])

    assert refs(client.get(LIST)) == ["1", "3"]
    assert refs(client.get(LIST, {"tenant": str(desk["other"].pk)})) == ["6"]
    assert refs(client.get(LIST, {"tenant": "all"})) == ["1", "6", "3"]
    assert csv_refs(client.get(EXPORT, {"tenant": "all"})) == ["1", "6", "3"]


def test_a_supervisor_sees_every_order_of_their_tenant_and_none_of_another(client, desk):
    client.force_login(desk["sue"])

    assert refs(client.get(LIST)) == ["1", "2", "3", "4", "7"]
    # A tenant they are not on is not a choice: the page stays on their own.
    assert refs(client.get(LIST, {"tenant": str(desk["other"].pk)})) == ["1", "2", "3", "4", "7"]
    assert refs(client.get(LIST, {"tenant": "all"})) == ["1", "2", "3", "4", "7"]
    assert refs(client.get(LIST, {"search": "ls1 4ap"})) == ["2"]
    assert refs(client.get(LIST, {"agent": str(desk["oz"].pk)})) == ["1", "2", "3", "4", "7"]
    assert csv_refs(client.get(EXPORT, {"tenant": str(desk["other"].pk)})) == [
        "1",
        "2",
        "3",
        "4",
        "7",
    ]


def test_a_supervisor_who_keys_elsewhere_sees_all_of_one_tenant_and_their_own_of_the_other(
    client, desk
):
    # Sue supervises Acme and keys for Other, where oz's order is not hers to see.
    Membership.objects.create(user=desk["sue"], tenant=desk["other"], role=Role.AGENT)
    mine = order(desk["other"], desk["sue"], "8", minutes=5)
    client.force_login(desk["sue"])

    every = refs(client.get(LIST, {"tenant": "all"}))
    exported = csv_refs(client.get(EXPORT, {"tenant": "all"}))

    assert every == ["8", "1", "2", "3", "4", "7"]
    assert exported == every
    assert mine.reference == "R-8"


def test_a_tenant_admin_has_no_history(client, desk):
    client.force_login(desk["ada"])

    assert client.get(LIST).status_code == 403
    assert client.get(LIST, **HTMX).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_a_tenant_admin_who_supervises_elsewhere_sees_only_that_tenant(client, desk):
    Membership.objects.create(user=desk["ada"], tenant=desk["acme"], role=Role.SUPERVISOR)
    client.force_login(desk["ada"])
    # She works in Acme, where she supervises (chosen in the header).
    client.post(reverse("tenants:switch"), {"tenant": str(desk["acme"].pk)})

    every = client.get(LIST, {"tenant": "all"})
    asked = client.get(LIST, {"tenant": str(desk["other"].pk)})

    assert refs(every) == ["1", "2", "3", "4", "7"]
    assert refs(asked) == ["1", "2", "3", "4", "7"]
    assert csv_refs(client.get(EXPORT, {"tenant": "all"})) == ["1", "2", "3", "4", "7"]


def test_signed_out_users_are_sent_to_sign_in(client, desk):
    for url in (LIST, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# The CSV export.


def test_the_export_starts_with_its_header_row(client, desk):
    client.force_login(desk["sue"])

    rows = csv_rows(client.get(EXPORT))

    assert rows[0] == [
        "keyed_at",
        "tenant",
        "keyed_by",
        "reference",
        "account_id",
        "lines",
        "status",
        "clarus_id",
        "postcode",
        "sent_at",
        "attempts",
        "clarus_response_ms",
    ]
    assert rows[0] == list(CSV_COLUMNS)
    assert all(len(row) == len(CSV_COLUMNS) for row in rows)


def test_an_exported_row_says_what_the_page_says(client, desk):
    sent = order(desk["acme"], desk["bob"], "9", minutes=1, clarus_id=4242, postcode="EH1 1YZ")
    sent_at = datetime(2026, 7, 15, 9, 30, tzinfo=timezone.get_current_timezone())
    Order.objects.filter(pk=sent.pk).update(sent_at=sent_at)
    OrderLine.objects.bulk_create(
        OrderLine(order=sent, position=n, product_id=n, quantity=1) for n in (1, 2, 3)
    )
    for minutes, duration_ms in ((2, 3100), (1, 180)):
        SubmissionAttempt.objects.create(
            order=sent,
            tenant=sent.tenant,
            started_at=sent_at - timedelta(minutes=minutes),
            duration_ms=duration_ms,
            method="POST",
            url="https://clarus.example/api/goods_outs",
            request_headers={},
            request_body="{}",
            outcome=AttemptOutcome.SENT,
        )
    client.force_login(desk["sue"])

    row = csv_rows(client.get(EXPORT, {"search": "R-9"}))[1]

    keyed_at = timezone.localtime(sent.created_at).isoformat(timespec="seconds")
    assert row == [
        keyed_at,
        "Acme 3PL",
        "bob",
        "R-9",
        "10",
        "3",
        "sent",
        "4242",
        "EH1 1YZ",
        "2026-07-15T09:30:00+01:00",
        "2",
        "180",
    ]
    unsent = csv_rows(client.get(EXPORT, {"search": "R-2"}))[1]
    assert unsent[7] == ""
    assert unsent[9] == ""
    assert unsent[10:] == ["0", ""]
    page = client.get(LIST, {"search": "R-9"}).content.decode()
    assert "180 ms" in page


EVERY_FILTER = [
    {},
    {"status": "rejected"},
    {"agent": "ann"},
    {"account_id": "11"},
    {"date_from": "2026-01-06"},
    {"date_to": "2026-01-05"},
    {"date_from": "2026-01-05", "date_to": "2026-01-05"},
    {"search": "ls1 4ap"},
    {"search": "LS14AP"},
    {"search": "JO@example.com"},
    {"search": "0113 496 0000"},
    {"search": "jo b"},
    {"search": "R-3"},
    {"search": "777"},
    {"tenant": "all"},
    {"tenant": "other"},
    {"status": "rejected", "agent": "bob", "search": "ls1 4ap"},
    {"status": "sent", "account_id": "11", "date_from": "2026-01-06"},
]


@pytest.mark.parametrize("query", EVERY_FILTER, ids=[str(q) for q in EVERY_FILTER])
@pytest.mark.parametrize("username", ["sue", "ann", "bob"])
def test_the_export_holds_the_rows_the_page_shows(client, desk, query, username):
    query = dict(query)
    if "agent" in query:
        query["agent"] = str(desk[query["agent"]].pk)
    if query.get("tenant") == "other":
        query["tenant"] = str(desk["other"].pk)
    client.force_login(desk[username])

    shown = refs(client.get(LIST, query))
    exported = csv_refs(client.get(EXPORT, query))

    assert exported == shown


def test_each_filter_narrows_the_export(client, desk):
    client.force_login(desk["sue"])

    def exported(**query):
        return csv_refs(client.get(EXPORT, query))

    assert exported() == ["1", "2", "3", "4", "7"]
    assert exported(status="rejected") == ["2", "3"]
    assert exported(agent=str(desk["ann"].pk)) == ["1", "3"]
    assert exported(account_id="11") == ["1", "4"]
    assert exported(date_to="2026-01-05") == ["7"]
    assert exported(date_from="2026-01-06") == ["1", "2", "3", "4"]
    assert exported(search="ls14ap") == ["2"]
    assert exported(search="jo@EXAMPLE.com") == ["1"]
    assert exported(search="+44 113 496 0000") == ["4"]
    assert exported(search="Jo Blo") == ["3"]
    assert exported(search="777") == ["7"]
    assert exported(status="rejected", agent=str(desk["bob"].pk)) == ["2"]


def test_the_page_shows_the_account_code_the_agent_picked(client, desk):
    order(
        desk["acme"],
        desk["bob"],
        "8",
        minutes=1,
        labels={"account_id": {"code": "ACME", "name": "Acme Homeware"}},
    )
    client.force_login(desk["sue"])

    page = client.get(LIST, {"search": "R-8"}).content.decode()

    assert '<abbr title="Clarus id 10: Acme Homeware">ACME</abbr>' in page


# The account filter: a code or name is asked of Clarus (the sandbox, over HTTP) as the entry
# page's account box asks it.


@pytest.fixture
def accounts(catalogue_tenant):
    """A supervisor of the sandbox tenant, with an order for ACME and one for NORTHWIND."""
    user = User.objects.create_user("sue")
    Membership.objects.create(user=user, tenant=catalogue_tenant, role=Role.SUPERVISOR)
    ids = {}
    for code in ("ACME", "NORTHWIND"):
        ids[code] = Account.objects.get(subdomain__slug="acme", code=code).pk
        Order.objects.create(
            tenant=catalogue_tenant, created_by=user, reference=f"FOR-{code}", account_id=ids[code]
        )
    return user, ids


@pytest.mark.parametrize("typed", ["ACME", "acme", "Homeware", "Acme Homeware Ltd", "id"])
def test_the_account_filter_takes_its_code_name_or_clarus_id(client, accounts, typed):
    user, ids = accounts
    typed = str(ids["ACME"]) if typed == "id" else typed
    client.force_login(user)

    html = client.get(LIST, {"account_id": typed}).content.decode()

    assert "FOR-ACME" in html
    assert "FOR-NORTHWIND" not in html
    # The box keeps what was typed, and says nothing is wrong.
    assert f'name="account_id" value="{typed}"' in html
    assert 'id="id_account_id-error"' not in html


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("nobody", "No account of Acme 3PL has a code or name like “nobody”."),
        ("o", "“o” matches several accounts: "),
    ],
)
def test_an_account_the_filter_cannot_tell_is_said_beside_the_box(client, accounts, typed, said):
    user, _ids = accounts
    client.force_login(user)

    html = client.get(LIST, {"account_id": typed}).content.decode()

    assert said in html.replace("&#x27;", "'")
    assert 'id="id_account_id-error"' in html
    # Left out, never an error page: every order is shown, and the box keeps the text.
    assert "FOR-ACME" in html
    assert "FOR-NORTHWIND" in html
    assert f'name="account_id" value="{typed}"' in html


def test_an_account_by_name_across_tenants_asks_for_a_tenant(client, accounts, make_tenant):
    user, _ids = accounts
    other = make_tenant(name="Other 3PL", subdomain="other")
    Membership.objects.create(user=user, tenant=other, role=Role.SUPERVISOR)
    client.force_login(user)

    html = client.get(LIST, {"account_id": "ACME", "tenant": "all"}).content.decode()

    assert "Choose a tenant to find an account by its code or name" in html
