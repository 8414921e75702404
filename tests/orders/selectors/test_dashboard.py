"""The supervisors' dashboard: each figure on known data, the period, bad input, roles, and a
fixed number of queries whatever the row count."""

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.models import (
    AttemptOutcome,
    Membership,
    Order,
    OrderStatus,
    Role,
    SubmissionAttempt,
)
from orders.selectors.dashboard import Period, Tally, dashboard_get

# The figures lean on each database's own SQL (dates in a time zone, FILTER, PostgreSQL's
# percentile_cont): `make test` runs them again on PostgreSQL.
pytestmark = pytest.mark.postgres

DASHBOARD = reverse("orders:dashboard")
HTMX = {"HTTP_HX_REQUEST": "true"}
# Three summer days: London is UTC+1, so an order at 23:30 UTC belongs to the next day.
JULY = Period(first=date(2026, 7, 1), last=date(2026, 7, 3))
_references = itertools.count()


@pytest.fixture(autouse=True)
def london(settings):
    settings.TIME_ZONE = "Europe/London"


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


@pytest.fixture
def supervisor(tenant):
    user = User.objects.create_user("sue")
    Membership.objects.create(user=user, tenant=tenant, role=Role.SUPERVISOR)
    return user


@pytest.fixture
def ann(tenant):
    user = User.objects.create_user("ann")
    Membership.objects.create(user=user, tenant=tenant, role=Role.AGENT)
    return user


@pytest.fixture
def bob(tenant):
    user = User.objects.create_user("bob")
    Membership.objects.create(user=user, tenant=tenant, role=Role.AGENT)
    return user


def rejection(*errors, raw=None):
    return raw if raw is not None else json.dumps({"errors": list(errors)})


def error(symbol, source=None, code=1101, details="Clarus says no."):
    return {"code": code, "symbol": symbol, "details": details, "source": source}


def key(tenant, agent, at, *, status=OrderStatus.SENT, took=None, rejected=()):
    """Make an order keyed by ``agent`` at ``at`` in ``took`` seconds, refused once per body."""
    order = Order.objects.create(
        tenant=tenant,
        created_by=agent,
        reference=f"D-{next(_references)}",
        account_id=1,
        status=status,
        keying_started_at=at - timedelta(seconds=took) if took is not None else None,
    )
    Order.objects.filter(pk=order.pk).update(created_at=at)
    for n, body in enumerate(rejected):
        SubmissionAttempt.objects.create(
            order=order,
            tenant=tenant,
            user=agent,
            started_at=at + timedelta(seconds=1 + n),
            duration_ms=120,
            method="POST",
            url="http://clarus.test/api/goods_outs",
            request_headers={},
            request_body="{}",
            response_status=422,
            response_body=body,
            outcome=AttemptOutcome.REJECTED,
        )
    return order


def utc(day, hour, minute=0):
    return datetime(2026, 7, day, hour, minute, tzinfo=UTC)


# The selector, on known data.


def test_orders_per_agent_per_day_in_the_desks_time_zone(tenant, ann, bob, make_tenant):
    key(tenant, ann, utc(1, 9))
    key(tenant, ann, utc(1, 10))
    key(tenant, bob, utc(1, 11))
    # 23:30 UTC on the 1st is 00:30 on the 2nd in London.
    key(tenant, ann, utc(1, 23, 30))
    key(tenant, bob, utc(3, 15))
    # Outside the period (the 30th of June in London), and another tenant's.
    key(tenant, ann, datetime(2026, 6, 30, 22, 0, tzinfo=UTC))
    key(make_tenant(subdomain="other"), ann, utc(2, 9))

    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert [(a.username, a.per_day) for a in figures.agents] == [
        ("ann", (2, 1, 0)),
        ("bob", (1, 0, 1)),
    ]
    assert [(d.day.day, d.tally.keyed, d.per_agent) for d in figures.days] == [
        (1, 3, (2, 1)),
        (2, 1, (1, 0)),
        (3, 1, (0, 1)),
    ]
    assert figures.total.keyed == 5


def test_rejection_rate_counts_every_order_clarus_ever_refused(tenant, ann):
    refused = rejection(error("invalid_postcode", "address.postcode"))
    key(tenant, ann, utc(1, 9), status=OrderStatus.SENT)
    key(tenant, ann, utc(1, 9), status=OrderStatus.CANCELLED)
    key(tenant, ann, utc(1, 9), status=OrderStatus.REJECTED, rejected=[refused])
    # Corrected and sent since: still a rejection.
    key(tenant, ann, utc(1, 9), status=OrderStatus.SENT, rejected=[refused])
    # Clarus has not decided these yet: not in the rate.
    key(tenant, ann, utc(1, 9), status=OrderStatus.FAILED)
    key(tenant, ann, utc(1, 9), status=OrderStatus.UNKNOWN)
    key(tenant, ann, utc(2, 9), status=OrderStatus.SENT)

    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert figures.days[0].tally == Tally(keyed=6, decided=4, rejected=2)
    assert figures.days[0].tally.rejection_rate == 0.5
    assert figures.days[1].tally == Tally(keyed=1, decided=1, rejected=0)
    assert figures.days[2].tally.rejection_rate is None
    assert figures.total == Tally(keyed=7, decided=5, rejected=2)
    assert figures.total.rejection_rate == pytest.approx(0.4)
    assert figures.agents[0].tally == figures.total


def test_top_reasons_grouped_by_error_and_field_most_frequent_first(tenant, ann):
    product = error("product_not_found", "lines_changes[0].product_id", 1101, "Product 7 gone.")
    other_line = error("product_not_found", "lines_changes[2].product_id", 1101, "Product 9.")
    postcode = error("invalid_postcode", "address.postcode", 1204, "Postcode Z is not valid.")
    stock = error("insufficient_stock", None, 1302, "Not enough stock.")
    key(tenant, ann, utc(1, 9), status=OrderStatus.REJECTED, rejected=[rejection(product)])
    # Two reasons in one answer count under both; a second refusal of the same order counts too.
    key(
        tenant,
        ann,
        utc(1, 10),
        status=OrderStatus.REJECTED,
        rejected=[rejection(other_line, postcode), rejection(product)],
    )
    key(tenant, ann, utc(2, 9), status=OrderStatus.SENT, rejected=[rejection(postcode)])
    key(tenant, ann, utc(2, 10), status=OrderStatus.REJECTED, rejected=[rejection(stock)])
    # Not JSON at all: a reason of its own, never an error page.
    key(tenant, ann, utc(3, 9), status=OrderStatus.REJECTED, rejected=["<html>Bad</html>"])

    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert [(r.label, r.source, r.count) for r in figures.reasons] == [
        ("product_not_found", "lines_changes[n].product_id", 3),
        ("invalid_postcode", "address.postcode", 2),
        ("Clarus rejected the order without saying why.", "", 1),
        ("insufficient_stock", "", 1),
    ]
    assert figures.reasons[0].code == 1101
    # The latest wording is the example.
    assert figures.reasons[0].example == "Product 7 gone."
    assert figures.rejected_attempts == 6


def test_top_reasons_keep_only_the_most_frequent(tenant, ann, monkeypatch):
    from orders.selectors import dashboard

    monkeypatch.setattr(dashboard, "TOP_REASONS", 2)
    for n, symbol in enumerate(("a", "b", "b", "c", "c", "c")):
        key(
            tenant,
            ann,
            utc(1, 9 + n),
            status=OrderStatus.REJECTED,
            rejected=[rejection(error(symbol))],
        )

    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert [(r.symbol, r.count) for r in figures.reasons] == [("c", 3), ("b", 2)]
    assert figures.rejected_attempts == 6


def test_median_keying_time_overall_and_per_agent(tenant, ann, bob):
    for took in (60, 120, 600):
        key(tenant, ann, utc(1, 9), took=took)
    for took in (30, 90):
        key(tenant, bob, utc(2, 9), took=took)
    # Left out: no stamp (keyed before it was recorded), and a stamp after the order.
    key(tenant, ann, utc(1, 9))
    key(tenant, bob, utc(1, 9), took=-30)

    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert figures.median_keying == timedelta(seconds=90)
    assert figures.timed == 5
    by_name = {a.username: a for a in figures.agents}
    assert (by_name["ann"].median_keying, by_name["ann"].timed) == (timedelta(seconds=120), 3)
    assert (by_name["bob"].median_keying, by_name["bob"].timed) == (timedelta(seconds=60), 2)
    assert by_name["ann"].keyed == 4


def test_no_orders_no_figures(tenant):
    figures = dashboard_get(tenant_ids=[tenant.pk], period=JULY)

    assert figures.agents == []
    assert figures.total == Tally()
    assert figures.median_keying is None
    assert figures.reasons == []
    assert [d.tally.keyed for d in figures.days] == [0, 0, 0]


def test_period_days_and_bounds_are_local_whole_days():
    period = Period.last_days(14, today=date(2026, 3, 30))

    assert (period.first, period.last, period.length) == (date(2026, 3, 17), date(2026, 3, 30), 14)
    start, end = JULY.bounds()
    assert start == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert end == datetime(2026, 7, 3, 23, 0, tzinfo=UTC)


# The page.


def recent(tenant, agent, days_ago, **options):
    """Key an order at noon ``days_ago`` days before today, in the desk's time zone."""
    day = timezone.localdate() - timedelta(days=days_ago)
    noon = datetime.combine(day, time(12), timezone.get_current_timezone())
    return key(tenant, agent, noon, **options)


def test_supervisor_sees_the_figures_and_a_table_beside_each_chart(client, tenant, supervisor, ann):
    recent(tenant, ann, 1, took=100)
    recent(
        tenant,
        ann,
        1,
        status=OrderStatus.REJECTED,
        rejected=[rejection(error("invalid_postcode", "address.postcode"))],
        took=200,
    )
    client.force_login(supervisor)

    response = client.get(DASHBOARD)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="dashboard-filters"' in html
    assert '<dd id="figure-keyed">2</dd>' in html
    assert '<dd id="figure-rejection-rate">50.0%</dd>' in html
    assert '<dd id="figure-keying">2 min 30 s</dd>' in html
    for chart in ("orders-chart", "rejection-chart", "reasons-chart", "keying-chart"):
        assert f'<svg class="chart" id="{chart}"' in html
        assert f'<title id="{chart}-title">' in html
        assert f'<desc id="{chart}-desc">' in html
    for table in ("orders-table", "rejections-table", "reasons-table", "keying-table"):
        assert f'id="{table}"' in html
    assert "invalid_postcode" in html
    # The CSP allows no inline styles or scripts.
    assert "style=" not in html
    assert "<script>" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_gets_just_the_results(client, tenant, supervisor, ann):
    recent(tenant, ann, 1)
    client.force_login(supervisor)

    fragment = client.get(DASHBOARD, {"days": "7"}, **HTMX).content.decode()

    assert fragment.lstrip().startswith('<section id="dashboard-results"')
    assert "<html" not in fragment
    assert '<dd id="figure-keyed">1</dd>' in fragment


def test_empty_period_says_so(client, tenant, supervisor):
    client.force_login(supervisor)

    html = client.get(DASHBOARD).content.decode()

    assert "No orders were keyed in this period." in html
    assert "Clarus refused none of this period" in html
    assert "No order of this period has a known start." in html


@pytest.mark.parametrize(
    ("query", "keyed", "length"),
    [
        ({}, 2, 14),
        ({"days": "7"}, 1, 7),
        ({"days": "30"}, 3, 30),
        ({"days": "90"}, 4, 90),
        ({"date_from": "{ago40}", "date_to": "{ago2}"}, 2, 39),
        ({"date_from": "{ago40}"}, 3, 41),
        ({"date_to": "{ago5}", "days": "7"}, 1, 7),
    ],
)
def test_period_filter(client, tenant, supervisor, ann, query, keyed, length):
    for days_ago in (0, 10, 20, 60):
        recent(tenant, ann, days_ago)
    today = timezone.localdate()
    values = {f"ago{n}": (today - timedelta(days=n)).isoformat() for n in (2, 5, 40)}
    client.force_login(supervisor)

    response = client.get(DASHBOARD, {k: v.format(**values) for k, v in query.items()})

    figures = response.context["figures"]
    assert response.status_code == 200
    assert figures.total.keyed == keyed
    assert figures.period.length == length
    assert "dashboard-problem" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "someday"}, "“From” is not a date."),
        ({"date_to": "2026-02-31"}, "“To” is not a date."),
        ({"date_from": "99999-01-01"}, "“From” is not a date."),
        ({"date_from": "0001-01-01", "date_to": "0001-01-05"}, "no orders before 1 January 2000"),
        ({"date_from": "{tomorrow}"}, "has not happened yet."),
        ({"date_from": "{ago2}", "date_to": "{ago5}"}, "“From” is after “To”: swap them."),
        ({"date_from": "{ago400}"}, "Choose at most 366 days at a time."),
        ({"days": "365"}, "Choose 7, 14, 30 or 90 days."),
        ({"days": "x"}, "Choose 7, 14, 30 or 90 days."),
    ],
)
def test_bad_input_says_why_and_shows_the_last_14_days(
    client, tenant, supervisor, ann, query, message
):
    recent(tenant, ann, 1)
    today = timezone.localdate()
    values = {f"ago{n}": (today - timedelta(days=n)).isoformat() for n in (2, 5, 400)}
    values["tomorrow"] = (today + timedelta(days=1)).isoformat()
    client.force_login(supervisor)

    for extra in ({}, HTMX):
        response = client.get(DASHBOARD, {k: v.format(**values) for k, v in query.items()}, **extra)

        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="dashboard-problem"' in html
        assert message in html
        assert "Showing the last 14 days instead." in html
        assert response.context["figures"].period == Period.last_days(14)
        assert response.context["figures"].total.keyed == 1


# Who may see it.


@pytest.mark.parametrize(
    ("role", "own_page"), [(Role.AGENT, "orders:list"), (Role.TENANT_ADMIN, "tenants:staff")]
)
def test_only_supervisors_see_the_dashboard(client, tenant, role, own_page):
    user = User.objects.create_user("someone")
    Membership.objects.create(user=user, tenant=tenant, role=role)
    client.force_login(user)

    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DASHBOARD, **HTMX).status_code == 403
    page = client.get(reverse(own_page))
    assert page.status_code == 200
    assert 'href="/orders/dashboard/"' not in page.content.decode()


def test_the_nav_links_supervisors_to_it(client, tenant, supervisor):
    client.force_login(supervisor)

    assert 'href="/orders/dashboard/"' in client.get(reverse("orders:list")).content.decode()


def test_a_supervisor_of_another_tenant_sees_nothing_of_this_one(client, tenant, ann, make_tenant):
    recent(tenant, ann, 1, status=OrderStatus.REJECTED, rejected=[rejection(error("secret_x"))])
    elsewhere = make_tenant(subdomain="elsewhere", name="Elsewhere")
    outsider = User.objects.create_user("outsider")
    Membership.objects.create(user=outsider, tenant=elsewhere, role=Role.SUPERVISOR)
    client.force_login(outsider)

    for query in ({}, {"tenant": str(tenant.pk)}, {"tenant": "all"}):
        response = client.get(DASHBOARD, query)

        html = response.content.decode()
        assert response.status_code == 200
        assert response.context["figures"].total.keyed == 0
        assert "secret_x" not in html
        assert ">ann<" not in html
    assert (
        "You do not supervise that tenant"
        in client.get(DASHBOARD, {"tenant": tenant.pk}).content.decode()
    )


def test_supervisor_of_two_tenants_chooses_one_or_both(
    client, tenant, supervisor, ann, make_tenant
):
    second = make_tenant(subdomain="second", name="Second")
    Membership.objects.create(user=supervisor, tenant=second, role=Role.SUPERVISOR)
    # An agent somewhere else: that tenant's orders stay out of "all".
    third = make_tenant(subdomain="third", name="Third")
    Membership.objects.create(user=supervisor, tenant=third, role=Role.AGENT)
    recent(tenant, ann, 1)
    recent(second, ann, 1)
    recent(second, ann, 2)
    recent(third, supervisor, 1)
    client.force_login(supervisor)

    def keyed(**query):
        return client.get(DASHBOARD, query).context["figures"].total.keyed

    assert keyed() == 1
    assert keyed(tenant=str(second.pk)) == 2
    assert keyed(tenant="all") == 3
    assert keyed(tenant=str(third.pk)) == 1  # refused: the current tenant instead
    assert '<option value="all">All my tenants</option>' in client.get(DASHBOARD).content.decode()


# Speed.


def test_the_page_costs_the_same_queries_whatever_the_row_count(
    client, tenant, supervisor, ann, bob
):
    refused = rejection(error("invalid_postcode", "address.postcode"))

    def fill(count):
        for n in range(count):
            recent(
                tenant,
                (ann, bob, supervisor)[n % 3],
                n % 20,
                status=OrderStatus.REJECTED if n % 4 == 0 else OrderStatus.SENT,
                rejected=[refused] if n % 4 == 0 else [],
                took=30 + n,
            )

    fill(6)
    client.force_login(supervisor)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD, {"days": "30"})
    fill(120)
    with CaptureQueriesContext(connection) as many:
        response = client.get(DASHBOARD, {"days": "30"})

    assert response.context["figures"].total.keyed == 126
    assert len(many) == len(few)
    # The grouped counts, the median keying time (overall and per agent: two queries on
    # PostgreSQL) and the rejected attempts' bodies; nothing counted or paged over the table.
    # (The top bar's count of orders awaiting approval, over its own partial index, is not one.)
    figures = [q["sql"] for q in many if "orders_order" in q["sql"] and "'held'" not in q["sql"]]
    assert len(figures) == (4 if connection.vendor == "postgresql" else 3)
    assert not any(" OFFSET " in sql.upper() for sql in figures)


def test_each_figure_links_to_the_orders_behind_it(client, tenant, supervisor, ann, bob):
    now = timezone.now()
    key(tenant, ann, now - timedelta(hours=1))
    key(tenant, bob, now - timedelta(hours=2), status=OrderStatus.REJECTED)
    key(tenant, bob, now - timedelta(days=30))
    client.force_login(supervisor)

    response = client.get(DASHBOARD, {"days": "7"})

    html = response.content.decode()
    history = response.context["history"]
    today = timezone.localdate()
    period = f"date_from={today - timedelta(days=6):%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    assert history.keyed == f"{reverse('orders:list')}?tenant={tenant.pk}&{period}"
    assert f'href="{history.rejected.replace("&", "&amp;")}"' in html
    [(first, bob_orders)] = [pair for pair in history.agents if pair[0].username == "bob"]
    assert first.agent_id == bob.pk
    listed = client.get(bob_orders).content.decode()
    assert listed.count('class="status status-') == 1
    assert "Rejected by Clarus" in listed
    rejected = client.get(history.rejected).content.decode()
    assert rejected.count('class="status status-rejected"') == 1
