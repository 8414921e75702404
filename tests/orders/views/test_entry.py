import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.forms.entry import MAX_LINES, OrderForm, opened_at, opened_stamp
from orders.models import Membership, Order, OrderStatus, Role
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
CREATE = reverse("orders:create")
LINE_ROW = reverse("orders:line_row")


@pytest.fixture
def live_tenant(sandbox_tenant, agent):
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    return sandbox_tenant


@pytest.mark.parametrize("url", [CREATE, LINE_ROW, reverse("orders:list"), "/orders/1/"])
def test_pages_need_a_login(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_entry_page_full(agent_client, tenant):
    response = agent_client.get(CREATE)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'id="order-form"' in html
    assert 'name="lines-0-product_id"' in html
    assert 'name="lines-TOTAL_FORMS"' in html
    assert "Town or city" in html
    assert 'hx-headers=\'{"x-csrftoken"' in html
    assert "htmx" in html


def test_entry_page_says_when_the_user_is_on_no_tenants_staff(agent_client, make_tenant):
    make_tenant()

    response = agent_client.get(CREATE)

    assert response.status_code == 403
    assert "not on any tenant's staff" in response.content.decode()


def test_line_row_fragment(agent_client, tenant):
    response = agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": "3"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'name="lines-3-product_id"' in html
    assert "autofocus" in html
    assert 'id="id_lines-TOTAL_FORMS" value="4" hx-swap-oob="true"' in html
    assert "HX-Request" in response["Vary"]


def test_line_row_as_a_full_page_goes_to_the_entry_page(agent_client, tenant):
    response = agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": "3"})

    assert response.status_code == 302
    assert response["Location"] == CREATE


@pytest.mark.parametrize("index", ["", "-1", "abc", "1e3", str(MAX_LINES), "99999999999999999999"])
def test_line_row_rejects_a_bad_index(agent_client, tenant, index):
    response = agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": index}, **HTMX)

    assert response.status_code == 400


def test_line_row_costs_a_fixed_number_of_queries(agent_client, tenant):
    agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": "1"}, **HTMX)
    with CaptureQueriesContext(connection) as first:
        agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": "1"}, **HTMX)
    with CaptureQueriesContext(connection) as later:
        agent_client.get(LINE_ROW, {"lines-TOTAL_FORMS": "150"}, **HTMX)

    # The session, then the user with their memberships (one statement): nothing that grows with
    # the row number or the data, and no write (the idle time is renewed at most once a minute).
    assert len(first) == 2
    assert len(later) == len(first)


def test_entry_page_costs_a_fixed_number_of_queries(agent_client, tenant):
    agent_client.get(CREATE)
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(CREATE)

    # The session, the user with their memberships, and the header's invitations: the form itself
    # asks nothing.
    assert response.status_code == 200
    assert len(queries) == 3


def test_invalid_post_keeps_the_typing_and_marks_the_field(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), reference="", delivery_town="Harrogate")

    response = agent_client.post(CREATE, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please correct the fields marked below." in html
    assert 'id="id_reference-error"' in html
    assert 'value="Harrogate"' in html
    assert 'value="101"' in html
    assert Order.objects.count() == 0


def test_invalid_htmx_post_returns_the_form_fragment(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), reference="")

    response = agent_client.post(CREATE, data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="order-form"')
    assert "<html" not in html
    assert 'id="id_reference-error"' in html


def test_add_line_without_javascript_adds_a_row_and_sends_nothing(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), add_line="1")

    response = agent_client.post(CREATE, data)

    html = response.content.decode()
    assert 'name="lines-2-product_id"' in html
    assert 'value="102"' in html
    assert Order.objects.count() == 0


def test_detail_of_a_missing_order_is_404(agent_client, tenant):
    assert agent_client.get(reverse("orders:detail", args=[999])).status_code == 404


def test_resend_needs_a_post(agent_client, tenant):
    assert agent_client.get(reverse("orders:resend", args=[1])).status_code == 405


def test_list_shows_recent_orders_with_a_fixed_number_of_queries(agent_client, agent, tenant):
    for n in range(3):
        Order.objects.create(
            tenant=tenant,
            created_by=agent,
            reference=f"SO-{n}",
            account_id=1,
            status=OrderStatus.SENT,
        )
    # The first request after signing in starts the session's idle time: not the list's cost.
    agent_client.get(reverse("orders:list"))
    with CaptureQueriesContext(connection) as few:
        agent_client.get(reverse("orders:list"))
    for n in range(3, 10):
        Order.objects.create(tenant=tenant, created_by=agent, reference=f"SO-{n}", account_id=1)
    with CaptureQueriesContext(connection) as more:
        response = agent_client.get(reverse("orders:list"))

    assert "SO-9" in response.content.decode()
    assert len(more) == len(few)


@pytest.mark.django_db(transaction=True)
def test_sent_order_redirects_to_its_page(agent_client, live_tenant):
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()))

    response = agent_client.post(CREATE, data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == order.get_absolute_url()
    page = agent_client.get(response["Location"]).content.decode()
    assert f'<strong id="clarus-id">{order.clarus_id}</strong>' in page
    assert "Sent to Clarus as goods-out" in page
    assert "[redacted]" in page


@pytest.mark.django_db(transaction=True)
def test_sent_order_over_htmx_redirects_the_browser(agent_client, live_tenant):
    # htmx may name the "Add line" button as the last submitter; over htmx it never means "add".
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()), add_line="1")

    response = agent_client.post(CREATE, data, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == Order.objects.get().get_absolute_url()


@pytest.mark.django_db(transaction=True)
def test_reposted_form_shows_the_order_already_sent(agent_client, live_tenant):
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()))
    agent_client.post(CREATE, data)

    response = agent_client.post(CREATE, data, follow=True)

    assert Order.objects.count() == 1
    assert "already sent to Clarus" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_clarus_rejection_is_shown_beside_the_field_with_the_typing_kept(
    agent_client, live_tenant, monkeypatch
):
    # The desk checks what Clarus checks, so loosen its own priority rule to let Clarus judge it.
    monkeypatch.setattr(OrderForm.base_fields["priority"], "validators", [])
    token = str(uuid.uuid4())
    data = order_post_data(live_tenant.pk, token, priority="0", delivery_town="Harrogate")

    response = agent_client.post(CREATE, data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Clarus rejected the order" in html
    assert 'id="id_priority-error"' in html
    assert 'value="Harrogate"' in html
    assert f'value="{token}"' in html
    assert Order.objects.get().status == OrderStatus.REJECTED


@pytest.mark.django_db(transaction=True)
def test_a_used_reference_is_refused_at_the_form_naming_the_earlier_order(
    agent_client, live_tenant
):
    agent_client.post(CREATE, order_post_data(live_tenant.pk, str(uuid.uuid4()), reference="R-9"))
    earlier = Order.objects.get()

    response = agent_client.post(
        CREATE, order_post_data(live_tenant.pk, str(uuid.uuid4()), reference="R-9")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reference-error"' in html
    assert "R-9 was already keyed on" in html
    assert f'href="{earlier.get_absolute_url()}"' in html
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_order_page_shows_what_changed_between_attempts(agent_client, live_tenant, monkeypatch):
    monkeypatch.setattr(OrderForm.base_fields["priority"], "validators", [])
    token = str(uuid.uuid4())
    agent_client.post(CREATE, order_post_data(live_tenant.pk, token, priority="0"))
    agent_client.post(CREATE, order_post_data(live_tenant.pk, token, priority="5"))
    order = Order.objects.get()

    page = agent_client.get(order.get_absolute_url()).content.decode()

    assert order.status == OrderStatus.SENT
    assert "Changed since the attempt before" in page
    assert "<td>priority</td><td>0</td><td>5</td>" in page


@pytest.mark.django_db(transaction=True)
def test_order_page_asks_clarus_for_the_current_status(agent_client, live_tenant):
    agent_client.post(CREATE, order_post_data(live_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    url = reverse("orders:clarus_status", args=[order.pk])

    page = agent_client.get(order.get_absolute_url()).content.decode()
    fragment = agent_client.get(url, **HTMX).content.decode()
    full = agent_client.get(url).content.decode()

    assert f'hx-get="{url}" hx-trigger="load"' in page
    assert fragment.lstrip().startswith('<div id="clarus-status"')
    # Clarus's code "PENDING" says no more than its name: the name alone.
    assert '<span id="clarus-status-name">Pending</span>\n' in fragment
    assert "(PENDING)" not in fragment
    assert "<html" in full
    assert '<span id="clarus-status-name">Pending</span>\n' in full


@pytest.mark.django_db(transaction=True)
def test_clarus_status_says_when_clarus_cannot_be_asked(agent_client, live_tenant):
    agent_client.post(CREATE, order_post_data(live_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get()
    live_tenant.api_base_url = "http://127.0.0.1:9/sandbox"
    live_tenant.save()

    fragment = agent_client.get(
        reverse("orders:clarus_status", args=[order.pk]), **HTMX
    ).content.decode()

    assert "Clarus could not be asked just now" in fragment


def test_an_order_keeps_when_its_entry_page_was_opened(agent_client, live_tenant):
    opened = timezone.now() - timedelta(minutes=3)
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()), opened=opened_stamp(opened))

    agent_client.post(CREATE, data)

    order = Order.objects.get()
    assert order.keying_started_at is not None
    assert abs(order.keying_started_at - opened) < timedelta(seconds=1)
    assert order.created_at - order.keying_started_at >= timedelta(minutes=3)


@pytest.mark.parametrize("stamp", ["", "1700000000", "not:a:stamp"])
def test_a_missing_or_forged_opening_stamp_is_no_keying_time(agent_client, live_tenant, stamp):
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()), opened=stamp)

    response = agent_client.post(CREATE, data)

    assert response.status_code == 302
    assert Order.objects.get().keying_started_at is None


def test_the_entry_page_carries_a_signed_opening_stamp(agent_client, tenant):
    response = agent_client.get(CREATE)

    stamp = re.search(r'name="opened" value="([^"]+)"', response.content.decode())
    assert stamp is not None
    assert opened_at(stamp[1]) is not None


DISPATCH_DATE = reverse("orders:dispatch_date")


def found(pattern: str, html: str, group: int = 0) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return match[group]


def test_the_entry_page_opens_on_the_account(agent_client, tenant):
    html = agent_client.get(CREATE).content.decode()

    assert html.count("autofocus") == 1
    assert re.search(r'id="id_account"[^>]*autofocus', html, re.S)


def test_a_refused_order_comes_back_focused_on_its_first_problem_tied_to_its_message(
    agent_client, tenant
):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), reference="", delivery_email="x")

    html = agent_client.post(CREATE, data, **HTMX).content.decode()

    box = found(r"<input[^>]*id=\"id_reference\"[^>]*>", html)
    assert "autofocus" in box
    assert 'aria-invalid="true"' in box
    described = found(r'aria-describedby="([^"]+)"', box, 1).split()
    assert described == ["id_reference-error", "id_reference-help"]
    for each in described:
        assert f'id="{each}"' in html
    email = found(r"<input[^>]*id=\"id_delivery_email\"[^>]*>", html)
    assert "autofocus" not in email
    assert 'aria-describedby="id_delivery_email-error"' in email


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("28/11/2030 14:00", "Thursday 28 November 2030, 14:00"),
        (
            "1/1/2020",
            'Wednesday 1 January 2020, 17:00 <span class="dispatch-past">That is in the past',
        ),
        ("281120261400", "is not a date"),
        ("", ""),
    ],
)
def test_the_dispatch_date_is_said_back(agent_client, tenant, typed, said):
    response = agent_client.get(DISPATCH_DATE, {"expected_date_of_dispatch": typed}, **HTMX)

    assert response.status_code == 200
    assert said in response.content.decode()
    assert "<html" not in response.content.decode()


def test_the_dispatch_date_as_a_page_goes_to_the_entry_page(agent_client, tenant):
    response = agent_client.get(DISPATCH_DATE, {"expected_date_of_dispatch": "tomorrow"})

    assert response.status_code == 302
    assert response["Location"] == CREATE


def test_the_dispatch_time_left_out_is_the_desks_default(agent_client, tenant, settings):
    settings.DESK_DISPATCH_DEFAULT_TIME = "09:30"

    response = agent_client.get(DISPATCH_DATE, {"expected_date_of_dispatch": "28/11/2030"}, **HTMX)

    assert "Thursday 28 November 2030, 09:30" in response.content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_a_used_reference_of_a_colleagues_order_names_it_only_to_who_may_see_it(
    client, tenant, role
):
    colleague = User.objects.create_user("colleague-kim")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    earlier = Order.objects.create(
        tenant=tenant, created_by=colleague, reference="R-7", account_id=7
    )
    keyer = User.objects.create_user("keyer")
    Membership.objects.create(user=keyer, tenant=tenant, role=role)
    client.force_login(keyer)

    response = client.post(CREATE, order_post_data(tenant.pk, str(uuid.uuid4()), reference="R-7"))

    html = response.content.decode()
    assert 'id="id_reference-error"' in html
    assert Order.objects.count() == 1
    named = role == Role.SUPERVISOR
    # An agent sees only their own orders: told a colleague's order has it, nothing of it.
    assert ("colleague-kim" in html) == named
    assert (f'href="{earlier.get_absolute_url()}"' in html) == named
    assert ("R-7 was already keyed on" in html) == named
    assert ("keyed by a colleague, already has this reference" in html) == (not named)
