"""A tenant admin connects the desk to Clarus by signing in there (authorization code + PKCE),
over real HTTP to the sandbox; a refused refresh asks for reconnecting and loses no order."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.models import AuthFlow, Membership, Order, OrderStatus, Role, Tenant
from orders.services.submission import order_submit
from sandbox.models import SandboxGoodsOut
from sandbox.services import tokens_revoke, user_register
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.orders.test_delivery import keyed

pytestmark = pytest.mark.django_db(transaction=True)
CALLBACK = "http://localhost/tenant/callback/"


@pytest.fixture
def signin_tenant(sandbox_tenant):
    call_command(
        "sandbox_client",
        subdomain="acme",
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
        redirect_uri=[CALLBACK],
    )
    user_register(subdomain="acme", username="clarus-admin", password="clarus-pass-123")
    sandbox_tenant.auth_flow = AuthFlow.AUTHORIZATION_CODE
    sandbox_tenant.authorize_url = f"{sandbox_tenant.api_base_url}/oauth/authorize"
    sandbox_tenant.save()
    return sandbox_tenant


@pytest.fixture
def admin_client(client, signin_tenant):
    admin = User.objects.create_user("tenant-admin")
    Membership.objects.create(user=admin, tenant=signin_tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)
    # The desk builds its callback address from the request's host.
    client.defaults["HTTP_HOST"] = "localhost"
    return client


def local(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in_at_clarus(client, decision="allow"):
    """Press Connect, sign in on the sandbox's page, and return the redirect back to the desk."""
    start = client.post(reverse("tenants:connect"))
    assert start.status_code == 302
    authorize = start["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [CALLBACK]
    page = client.get(local(authorize))
    assert "clarus-admin" not in page.content.decode()
    answer = client.post(
        local(authorize),
        {"username": "clarus-admin", "password": "clarus-pass-123", "decision": decision},
    )
    assert answer.status_code == 302
    return answer["Location"], query["state"][0]


def test_connect_to_clarus_stores_the_tokens(admin_client, signin_tenant):
    back, _state = sign_in_at_clarus(admin_client)

    done = admin_client.get(local(back), follow=True)

    signin_tenant.refresh_from_db()
    assert "Connected to Clarus" in done.content.decode()
    assert signin_tenant.refresh_token
    assert signin_tenant.access_token
    assert not signin_tenant.needs_reconnect


def test_a_tampered_state_stores_nothing(admin_client, signin_tenant):
    back, state = sign_in_at_clarus(admin_client)

    done = admin_client.get(local(back).replace(state, "forged-state"), follow=True)

    signin_tenant.refresh_from_db()
    assert "did not match" in done.content.decode()
    assert signin_tenant.refresh_token == ""


def test_a_refusal_at_clarus_is_reported(admin_client, signin_tenant):
    back, _state = sign_in_at_clarus(admin_client, decision="deny")

    done = admin_client.get(local(back), follow=True)

    assert "access_denied" in done.content.decode()


def test_refused_refresh_asks_for_reconnecting_and_the_order_waits(admin_client, signin_tenant):
    admin_client.get(local(sign_in_at_clarus(admin_client)[0]))
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=signin_tenant, role=Role.AGENT)
    tokens_revoke(subdomain="acme")
    Tenant.objects.filter(pk=signin_tenant.pk).update(
        access_token_expires_at=timezone.now() - timedelta(seconds=1)
    )
    signin_tenant.refresh_from_db()

    result = order_submit(
        form_token=uuid.uuid4(), keyed=keyed(signin_tenant, reference="W-1"), user=agent
    )

    signin_tenant.refresh_from_db()
    order = Order.objects.get()
    assert signin_tenant.needs_reconnect
    assert "invalid_grant" in signin_tenant.connection_problem
    assert order.status == OrderStatus.FAILED
    assert "until a tenant admin reconnects" in result.message
    admin_client.force_login(agent)
    page = admin_client.get(reverse("orders:create")).content.decode()
    assert 'id="needs-reconnect"' in page

    admin = User.objects.get(username="tenant-admin")
    admin_client.force_login(admin)
    admin_client.get(local(sign_in_at_clarus(admin_client)[0]))
    call_command("desk_worker", batch=True, interval=0.01)

    order.refresh_from_db()
    signin_tenant.refresh_from_db()
    assert not signin_tenant.needs_reconnect
    assert order.status == OrderStatus.SENT
    assert SandboxGoodsOut.objects.filter(reference="W-1").count() == 1


def test_connection_settings_never_show_the_secret(admin_client, signin_tenant):
    page = admin_client.get(reverse("tenants:settings")).content.decode()

    assert SANDBOX_CLIENT_SECRET not in page
    assert 'name="client_secret"' in page


def test_saving_settings_without_a_secret_keeps_it(admin_client, signin_tenant):
    data = {
        "name": "Renamed",
        "api_base_url": signin_tenant.api_base_url,
        "api_path_prefix": "/api",
        "auth_flow": "authorization_code",
        "token_url": signin_tenant.token_url,
        "authorize_url": signin_tenant.authorize_url,
        "client_id": signin_tenant.client_id,
        "client_secret": "",
    }

    response = admin_client.post(reverse("tenants:settings"), data)

    signin_tenant.refresh_from_db()
    assert response.status_code == 302
    assert signin_tenant.name == "Renamed"
    assert signin_tenant.client_secret == SANDBOX_CLIENT_SECRET
