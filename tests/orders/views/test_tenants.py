"""A tenant admin connects the desk to Clarus by signing in there (authorization code + PKCE),
over real HTTP to the sandbox; a refused refresh asks for reconnecting and loses no order."""

import base64
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from orders.models import AuthFlow, Membership, Order, OrderStatus, Role, Tenant
from orders.services.submission import order_submit
from orders.services.tenants import CONNECTION_FIELDS, tenant_connection_update
from sandbox.models import SandboxGoodsOut
from sandbox.services import tokens_revoke, user_register
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from tests.orders.services.test_delivery import keyed

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


# The stored secret never follows a changed address by itself: whoever changes where the desk
# signs in or sends orders types the secret again.


@pytest.fixture
def credentials_admin(client, sandbox_tenant):
    admin = User.objects.create_user("tenant-admin")
    Membership.objects.create(user=admin, tenant=sandbox_tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)
    return client


def settings_data(tenant, **changes):
    data = {
        "name": tenant.name,
        "api_base_url": tenant.api_base_url,
        "api_path_prefix": tenant.api_path_prefix,
        "auth_flow": tenant.auth_flow,
        "token_url": tenant.token_url,
        "authorize_url": tenant.authorize_url,
        "client_id": tenant.client_id,
        "client_secret": "",
    }
    data.update(changes)
    return data


def secret_sent_to(listener):
    """Return the requests the listener got that carry the sandbox client's secret."""
    basic = base64.b64encode(f"{SANDBOX_CLIENT_ID}:{SANDBOX_CLIENT_SECRET}".encode()).decode()
    return [
        heard
        for heard in listener.heard
        if basic in heard.headers.get("Authorization", "")
        or SANDBOX_CLIENT_SECRET.encode() in heard.body
    ]


def test_a_new_token_address_without_the_secret_is_refused_and_gets_nothing(
    credentials_admin, sandbox_tenant, listener
):
    new_token_url = f"{listener.url}/oauth/token"
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    Tenant.objects.filter(pk=sandbox_tenant.pk).update(access_token="")

    response = credentials_admin.post(
        reverse("tenants:settings"), settings_data(sandbox_tenant, token_url=new_token_url)
    )

    page = response.content.decode()
    sandbox_tenant.refresh_from_db()
    assert response.status_code == 200
    assert 'id="id_client_secret-error"' in page
    assert "enter the client secret again" in page
    assert f'value="{new_token_url}"' in page
    assert sandbox_tenant.token_url != new_token_url
    # "Test the connection", an order keyed, the delivery worker: nothing reaches the address.
    credentials_admin.post(reverse("tenants:test"))
    order_submit(form_token=uuid.uuid4(), keyed=keyed(sandbox_tenant, reference="T-1"), user=agent)
    call_command("desk_worker", batch=True, interval=0.01)
    assert listener.heard == []

    # With the secret typed again it goes there, on purpose.
    response = credentials_admin.post(
        reverse("tenants:settings"),
        settings_data(sandbox_tenant, token_url=new_token_url, client_secret=SANDBOX_CLIENT_SECRET),
    )
    credentials_admin.post(reverse("tenants:test"))

    assert response.status_code == 302
    assert len(secret_sent_to(listener)) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("api_base_url", "http://127.0.0.1:9/sandbox"),
        ("authorize_url", "http://127.0.0.1:9/oauth/authorize"),
        ("auth_flow", AuthFlow.AUTHORIZATION_CODE),
    ],
)
def test_changing_where_the_secret_goes_needs_it_again(
    credentials_admin, sandbox_tenant, field, value
):
    changes = {field: value}
    if field == "auth_flow":
        changes["authorize_url"] = f"{sandbox_tenant.api_base_url}/oauth/authorize"
    before = {name: getattr(sandbox_tenant, name) for name in changes}

    response = credentials_admin.post(
        reverse("tenants:settings"), settings_data(sandbox_tenant, **changes)
    )

    sandbox_tenant.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["client_secret"]
    assert {name: getattr(sandbox_tenant, name) for name in changes} == before


def test_the_service_refuses_a_new_address_without_the_secret(sandbox_tenant):
    data = {name: getattr(sandbox_tenant, name) for name in CONNECTION_FIELDS}

    with pytest.raises(ValidationError, match="client secret again"):
        tenant_connection_update(
            tenant=sandbox_tenant,
            data={**data, "token_url": "http://127.0.0.1:9/oauth/token"},
            client_secret="",
        )

    sandbox_tenant.refresh_from_db()
    assert sandbox_tenant.token_url != "http://127.0.0.1:9/oauth/token"


def test_the_django_admin_also_asks_for_the_secret_again(client, sandbox_tenant):
    superuser = User.objects.create_superuser("root", password="root-pass-123")
    client.force_login(superuser)
    data = settings_data(
        sandbox_tenant, subdomain=sandbox_tenant.subdomain, token_url="http://127.0.0.1:9/t"
    )

    response = client.post(
        reverse("admin:orders_tenant_change", args=[sandbox_tenant.pk]),
        {**data, "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )

    sandbox_tenant.refresh_from_db()
    assert response.status_code == 200
    assert "enter the client secret again" in response.content.decode()
    assert sandbox_tenant.token_url != "http://127.0.0.1:9/t"
