"""The client accounts a member keys orders for: chosen by their tenant admin by code (each found
in Clarus, the sandbox over HTTP), then the only ones the account box suggests and the entry form
takes."""

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.forms.entry import OrderForm
from orders.models import Membership, Order, Role
from orders.permissions import account_limits
from sandbox import catalogue as sandbox_catalogue
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
CREATE = reverse("orders:create")


def accounts_url(membership):
    return reverse("tenants:staff_accounts", args=[membership.pk])


def signed_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def staff(catalogue_tenant):
    """The tenant admin and an agent of the sandbox tenant, whose catalogue has four accounts."""
    admin = User.objects.create_user("boss")
    agent = User.objects.create_user("kim")
    Membership.objects.create(user=admin, tenant=catalogue_tenant, role=Role.TENANT_ADMIN)
    kim = Membership.objects.create(user=agent, tenant=catalogue_tenant, role=Role.AGENT)
    return signed_in(admin), kim


def clarus_account_id(code):
    return sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code=code).pk


@pytest.mark.django_db(transaction=True)
def test_the_admin_chooses_accounts_by_their_codes(staff):
    admin, kim = staff

    response = admin.post(accounts_url(kim), {"codes": "kite,  ACME kite"})

    assert response.status_code == 302
    kim.refresh_from_db()
    assert [(each["id"], each["code"]) for each in kim.accounts] == [
        (clarus_account_id("KITE"), "KITE"),
        (clarus_account_id("ACME"), "ACME"),
    ]
    page = admin.get(reverse("tenants:staff")).content.decode()
    assert "<td>KITE, ACME" in page
    now = admin.get(accounts_url(kim)).content.decode()
    assert "Now: KITE · Kite &amp; Co Gifts; ACME · Acme Homeware Ltd</p>" in now
    assert 'value="KITE ACME"' in now
    # Emptied: every account again.
    assert admin.post(accounts_url(kim), {"codes": " "}).status_code == 302
    kim.refresh_from_db()
    assert kim.accounts == []


@pytest.mark.django_db(transaction=True)
def test_a_code_clarus_does_not_know_is_said_beside_the_box_and_nothing_changes(staff):
    admin, kim = staff

    response = admin.post(accounts_url(kim), {"codes": "KITE NOPE"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Clarus has no account with the code NOPE" in page
    assert 'id="id_codes-error"' in page
    assert 'value="KITE NOPE"' in page
    kim.refresh_from_db()
    assert kim.accounts == []


@pytest.mark.django_db(transaction=True)
def test_only_the_tenant_admin_chooses_and_only_for_their_own_tenant(staff, make_tenant):
    admin, kim = staff
    other = make_tenant(subdomain="other", name="Other Ltd")
    stranger = Membership.objects.create(
        user=User.objects.create_user("lee"), tenant=other, role=Role.AGENT
    )
    boss = Membership.objects.get(user__username="boss")

    assert admin.get(accounts_url(stranger)).status_code == 404
    assert admin.post(accounts_url(stranger), {"codes": "ACME"}).status_code == 404
    assert admin.get(accounts_url(boss)).status_code == 403
    assert signed_in(kim.user).post(accounts_url(kim), {"codes": "ACME"}).status_code == 403
    stranger.refresh_from_db()
    kim.refresh_from_db()
    assert stranger.accounts == kim.accounts == []


# On PostgreSQL too: the accounts come with the user, read as SQL (jsonb there).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_account_box_suggests_only_the_accounts_given(staff):
    _admin, kim = staff
    agent = signed_in(kim.user)
    every = agent.get(reverse("orders:lookup_accounts"), {"account": "o"}, **HTMX)
    assert "KITE" in every.content.decode()
    assert "ACME" in every.content.decode()
    kim.accounts = [{"id": clarus_account_id("KITE"), "code": "KITE", "name": "Kite & Co Gifts"}]
    kim.save()

    limited = agent.get(reverse("orders:lookup_accounts"), {"account": "o"}, **HTMX)

    assert "KITE" in limited.content.decode()
    assert "ACME" not in limited.content.decode()


@pytest.fixture
def limited_agent(sandbox_tenant):
    """An agent of the sandbox tenant who keys for the account with Clarus id 7 only."""
    agent = User.objects.create_user("kim")
    Membership.objects.create(
        user=agent,
        tenant=sandbox_tenant,
        role=Role.AGENT,
        accounts=[{"id": 7, "code": "SEVEN", "name": "Seven Ltd"}],
    )
    return signed_in(agent), sandbox_tenant


# On PostgreSQL too: the accounts come with the user, read as SQL (jsonb there).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_order_for_another_account_is_refused_beside_the_box_with_the_typing_kept(
    limited_agent,
):
    agent, tenant = limited_agent
    data = order_post_data(tenant.pk, str(uuid.uuid4()), account_id="8", reference="PO-KEPT")

    response = agent.post(CREATE, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "You key orders for SEVEN only, in this tenant" in page
    assert 'id="id_account_id-error"' in page
    assert 'value="PO-KEPT"' in page
    assert not Order.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_order_for_an_account_given_is_sent(limited_agent):
    agent, tenant = limited_agent

    response = agent.post(CREATE, order_post_data(tenant.pk, str(uuid.uuid4()), account_id="7"))

    assert response.status_code == 302
    assert Order.objects.get().account_id == 7


ACCOUNT_IDS = st.integers(min_value=1, max_value=10**12)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(given_ids=st.lists(ACCOUNT_IDS, max_size=5, unique=True), keyed=ACCOUNT_IDS)
def test_the_entry_form_takes_an_account_exactly_when_it_is_one_given(
    db, make_tenant, given_ids, keyed
):
    """Whatever accounts are given (none: every one), the entry form refuses exactly those not
    among them, beside the account box."""
    tenant = make_tenant(subdomain=f"t{uuid.uuid4().hex[:10]}")
    membership = Membership(
        tenant=tenant,
        role=Role.AGENT,
        accounts=[{"id": each, "code": f"C{each}", "name": ""} for each in given_ids],
    )
    data = order_post_data(tenant.pk, str(uuid.uuid4()), account_id=str(keyed))

    form = OrderForm(
        data, tenants=[tenant], account_limits=account_limits(memberships=[membership])
    )
    form.is_valid()

    refused = "account_not_yours" in [
        error.code for error in form.errors.as_data().get("account_id", [])
    ]
    assert refused == (bool(given_ids) and keyed not in given_ids)


def account_box(page):
    """Return the account box's tag in an entry page."""
    found = re.search(r'<input[^>]*name="account"[^>]*>', page)
    assert found
    return found.group(0)


@pytest.mark.django_db(transaction=True)
def test_a_member_with_one_account_finds_it_picked_and_starts_at_the_reference(limited_agent):
    agent, _tenant = limited_agent

    for asked in ({}, HTMX):
        page = agent.get(CREATE, **asked).content.decode()

        account = account_box(page)
        assert 'value="SEVEN · Seven Ltd"' in account
        assert re.search(r'name="account_id" value="7"|value="7"[^>]*name="account_id"', page)
        focused = re.findall(r"<input[^>]*\bautofocus\b[^>]*>", page)
        assert len(focused) == 1
        assert 'name="reference"' in focused[0]


@pytest.mark.django_db(transaction=True)
def test_a_member_with_several_accounts_chooses_one(limited_agent):
    agent, _tenant = limited_agent
    membership = Membership.objects.get(user__username="kim")
    membership.accounts.append({"id": 8, "code": "EIGHT", "name": "Eight Ltd"})
    membership.save()

    page = agent.get(CREATE).content.decode()

    account = account_box(page)
    assert "SEVEN" not in account
    assert "autofocus" in account


@pytest.mark.django_db(transaction=True)
def test_the_admin_finds_an_accounts_code_by_its_name(staff):
    admin, kim = staff

    found = admin.get(accounts_url(kim), {"find": "kite & co"}).content.decode()
    nothing = admin.get(accounts_url(kim), {"find": "zzz-no-such"}).content.decode()

    listed = re.search(r'<ul id="accounts-found".*?</ul>', found, re.S)
    assert listed
    assert "<strong>KITE</strong> · Kite &amp; Co Gifts" in listed.group(0)
    assert "ACME" not in listed.group(0)
    assert "No account in Clarus matches “zzz-no-such”." in nothing
    assert 'value="kite &amp; co"' in found
