"""The desk calls Clarus only at the hosts the deployment allows (DESK_CLARUS_HOSTS): the form
refuses other addresses beside the field, and the Clarus layer refuses them again before
connecting, whatever the tenant row says."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders import clarus
from orders.clarus import ClarusAddressRefused, clarus_address_check, path_prefix_check
from orders.clarus.http import rest_url
from orders.forms.tenants import TenantConnectionForm
from orders.models import AttemptOutcome, Membership, Order, OrderStatus, Role, Tenant
from tests.conftest import TEST_CLARUS_HOSTS
from tests.orders.services.test_delivery import submit
from tests.orders.views.test_tenants import settings_data

PROJECT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://clarus.test/api", "clarus.test"),
        ("https://CLARUS.TEST:8443/oauth/token", "clarus.test"),
        ("http://127.0.0.1:8000/sandbox", "127.0.0.1"),
    ],
)
def test_an_allowed_host_passes(url, host):
    assert clarus_address_check(url) == host


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://clarus.test.evil.example/",
        "http://clarus.test@evil.example/",
        "http://user:pass@clarus.test/",
        "http://evil.example\\@clarus.test/",
        "http://evil.example#@clarus.test/",
        "http://clarus.test /",
        "ftp://clarus.test/",
        "javascript:alert(1)",
        "//clarus.test/api",
        "clarus.test/api",
        "",
    ],
)
def test_another_address_is_refused(url):
    with pytest.raises(ClarusAddressRefused):
        clarus_address_check(url)


def test_plain_http_is_refused_outside_debug(settings):
    settings.DESK_CLARUS_REQUIRE_HTTPS = True

    assert clarus_address_check("https://clarus.test/") == "clarus.test"
    with pytest.raises(ClarusAddressRefused, match="https://"):
        clarus_address_check("http://clarus.test/")


def test_the_default_is_clarus_s_documented_host():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clarus_admin.settings"}
    env.pop("DESK_CLARUS_HOSTS", None)
    code = "from django.conf import settings; print(settings.DESK_CLARUS_HOSTS)"

    shown = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    # CONTRACT.md §1.4 and the spec's servers: one production host.
    assert shown.stdout.strip() == "['clarus-api.com']"


@pytest.mark.parametrize("prefix", ["/api", "/api/v1", "api", "/api/", "/v1.2_x~y-z"])
def test_a_plain_path_prefix_passes(prefix):
    path_prefix_check(prefix)


@pytest.mark.parametrize(
    "prefix",
    [
        "//evil.example",
        "https://evil.example",
        "/api/../oauth",
        "/api/./x",
        "..",
        "/@evil.example",
        "/api?x=1",
        "/api#x",
        "/a pi",
        "/api\\x",
        "/api:8000",
        "/%2e%2e",
    ],
)
def test_a_path_prefix_that_is_not_a_plain_path_is_refused(prefix):
    with pytest.raises(ClarusAddressRefused, match="plain path"):
        path_prefix_check(prefix)


# The Clarus layer refuses before connecting, over real HTTP: the sandbox answers at localhost,
# and a listener at 127.0.0.1 stands for a machine the desk must not reach.


@pytest.fixture
def sandbox_only(settings):
    settings.DESK_CLARUS_HOSTS = ["localhost"]


@pytest.fixture
def agent(transactional_db):
    return User.objects.create_user("agent")


@pytest.mark.django_db(transaction=True)
def test_a_tenant_row_pointing_elsewhere_sends_the_order_nowhere(
    sandbox_tenant, sandbox_only, listener, agent
):
    Tenant.objects.filter(pk=sandbox_tenant.pk).update(api_base_url=listener.url)
    sandbox_tenant.refresh_from_db()

    result = submit(sandbox_tenant, agent)

    order = Order.objects.get()
    attempt = order.attempts.get()
    assert listener.heard == []
    assert order.status == OrderStatus.FAILED
    assert attempt.outcome == AttemptOutcome.UNREACHABLE
    assert "127.0.0.1 is not a Clarus address" in attempt.error
    assert "127.0.0.1 is not a Clarus address" in result.message
    assert order.retries_automatically


@pytest.mark.django_db(transaction=True)
def test_a_token_address_elsewhere_never_gets_the_secret(
    sandbox_tenant, sandbox_only, listener, agent
):
    Tenant.objects.filter(pk=sandbox_tenant.pk).update(token_url=f"{listener.url}/oauth/token")
    sandbox_tenant.refresh_from_db()

    result = submit(sandbox_tenant, agent)

    assert listener.heard == []
    assert Order.objects.get().status == OrderStatus.FAILED
    assert "The token address was not called" in result.message
    with pytest.raises(clarus.ClarusTokenUnavailable) as refused:
        clarus.refresh_access_token(sandbox_tenant, stale="")
    assert isinstance(refused.value.__cause__, ClarusAddressRefused)


@pytest.mark.django_db(transaction=True)
def test_the_order_page_does_not_show_what_another_host_answers(
    client, sandbox_tenant, sandbox_only, listener, agent
):
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    client.force_login(agent)
    order = submit(sandbox_tenant, agent).order
    assert order.status == OrderStatus.SENT
    Tenant.objects.filter(pk=sandbox_tenant.pk).update(api_base_url=listener.url)

    page = client.get(reverse("orders:clarus_status", args=[order.pk])).content.decode()

    assert listener.heard == []
    assert "Clarus could not be asked just now" in page
    assert "127.0.0.1 is not a Clarus address" in page
    assert "listener-token" not in page


def test_a_path_prefix_edited_in_the_row_is_refused_before_connecting(make_tenant):
    tenant = make_tenant(api_path_prefix="/../../internal")
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200)

    [exchange] = clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(record))

    assert requests == []
    assert exchange.status is None
    assert "plain path" in exchange.transport_error


def test_the_sign_in_address_is_checked_before_the_admin_is_sent_there(make_tenant, settings):
    tenant = make_tenant(authorize_url="https://evil.example/oauth/authorize")

    with pytest.raises(ClarusAddressRefused):
        clarus.authorization_url(tenant, redirect_uri="http://testserver/tenant/callback/")


# The form: a refused address is a message beside its field, never a 500.


def connection_data(tenant, **changes):
    # The secret typed again, so that only the address is judged.
    return settings_data(tenant, **{"client_secret": "client-secret-value", **changes})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("api_base_url", "http://169.254.169.254/latest"),
        ("token_url", "http://10.0.0.7/oauth/token"),
        ("authorize_url", "https://evil.example/oauth/authorize"),
    ],
)
def test_the_form_refuses_another_host_beside_the_field(make_tenant, field, value):
    tenant = make_tenant()

    form = TenantConnectionForm(connection_data(tenant, **{field: value}), instance=tenant)

    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert "is not a Clarus address" in form.errors[field][0]
    assert "clarus.test" in form.errors[field][0]


def test_the_form_refuses_a_path_prefix_with_a_host(make_tenant):
    tenant = make_tenant()

    form = TenantConnectionForm(
        connection_data(tenant, api_path_prefix="//evil.example/api"), instance=tenant
    )

    assert not form.is_valid()
    assert list(form.errors) == ["api_path_prefix"]


def test_the_page_shows_the_refusal_beside_the_field_and_keeps_what_was_typed(client, make_tenant):
    tenant = make_tenant()
    admin = User.objects.create_user("admin")
    Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)

    response = client.post(
        reverse("tenants:settings"),
        connection_data(tenant, api_base_url="http://192.168.1.1:8080"),
    )

    page = response.content.decode()
    tenant.refresh_from_db()
    assert response.status_code == 200
    assert 'id="id_api_base_url-error"' in page
    assert 'value="http://192.168.1.1:8080"' in page
    assert tenant.api_base_url == "http://clarus.test"


def test_clarus_tenant_refuses_an_address_the_desk_may_not_call(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--token-url"):
        call_command(
            "clarus_tenant",
            subdomain="acme",
            base_url="https://clarus.example",
            token_url="http://169.254.169.254/oauth/token",
            client_id="desk",
            client_secret="secret-1",
        )
    assert not Tenant.objects.exists()


# Property: whatever is typed, the address is allowed (and its host is one of the list) or
# refused with a message beside its field.

_HOSTS = st.sampled_from(
    [
        *TEST_CLARUS_HOSTS,
        "CLARUS.TEST",
        "clarus.test.",
        "evil.example",
        "clarus.test.evil.example",
        "169.254.169.254",
        "10.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "0x7f000001",
        "2130706433",
        "bücher.example",
        "xn--bcher-kva.example",
        "",
    ]
) | st.text(max_size=12)
_URLS = st.builds(
    lambda *parts: "".join(parts),
    st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript", "file", ""]),
    st.sampled_from(["://", ":/", ":\\\\", "//", ":", ""]),
    st.sampled_from(["", "user@", "clarus.test@", "user:pass@", "evil.example\\@"]),
    _HOSTS,
    st.sampled_from(["", ":443", ":8000", ":0", ":99999", ":abc", ":"]),
    st.sampled_from(["", "/", "/oauth/token", "/../..", "/@evil.example", "?x=1", "#@evil"])
    | st.text(max_size=15),
)
URLISH = _URLS | st.text(max_size=40)
PREFIXES = st.sampled_from(["/api", "/api/v1", "//evil.example", "/..", "/a@b", "/a?b"]) | st.text(
    alphabet=st.sampled_from("/.@?#:%\\ ~_-aZ09\x00é"), max_size=15
)
PROPERTY = hypothesis_settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(url=URLISH)
def test_property_an_address_is_allowed_only_at_a_listed_host(url):
    try:
        host = clarus_address_check(url)
    except ClarusAddressRefused as exc:
        host, message = "", str(exc)
    if host:
        assert host in TEST_CLARUS_HOSTS
        assert httpx.URL(url).host == host
    else:
        assert message


@pytest.mark.django_db
@pytest.mark.parametrize("https_only", [False, True])
@pytest.mark.parametrize("field", ["api_base_url", "token_url"])
@PROPERTY
@given(url=URLISH)
def test_property_the_form_allows_a_listed_host_or_says_why_not(
    make_tenant, settings, https_only, field, url
):
    settings.DESK_CLARUS_REQUIRE_HTTPS = https_only
    tenant = Tenant.objects.first() or make_tenant(
        api_base_url="https://clarus.test", token_url="https://clarus.test/oauth/token"
    )

    form = TenantConnectionForm(connection_data(tenant, **{field: url}), instance=tenant)

    if form.is_valid():
        cleaned = httpx.URL(form.cleaned_data[field])
        assert cleaned.host in TEST_CLARUS_HOSTS
        assert cleaned.scheme == "https" or (not https_only and cleaned.scheme == "http")
    else:
        assert list(form.errors) == [field]
        assert all(str(message).strip() for message in form.errors[field])


@pytest.mark.django_db
@PROPERTY
@given(prefix=PREFIXES)
def test_property_the_path_prefix_is_a_plain_path_or_refused(make_tenant, prefix):
    tenant = Tenant.objects.first() or make_tenant()

    form = TenantConnectionForm(connection_data(tenant, api_path_prefix=prefix), instance=tenant)

    if form.is_valid():
        cleaned = form.cleaned_data["api_path_prefix"]
        assert not any(bad in cleaned for bad in ("..", "@", "?", "#", "//", ":", "\\", " "))
        glued = Tenant(api_base_url="http://clarus.test", api_path_prefix=cleaned)
        assert httpx.URL(rest_url(glued, "goods_outs")).host == "clarus.test"
    else:
        assert list(form.errors) == ["api_path_prefix"]


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(url=URLISH, prefix=PREFIXES)
@example(url="http://169.254.169.254/latest", prefix="/api")
@example(url="http://clarus.test", prefix="//evil.example/api")
@example(url="http://clarus.test\x00", prefix="/api\x00")
def test_property_the_connection_page_never_fails(client, make_tenant, url, prefix):
    tenant = Tenant.objects.first() or make_tenant()
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        admin = User.objects.create_user("admin")
        Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)

    response = client.post(
        reverse("tenants:settings"),
        connection_data(tenant, api_base_url=url, token_url=url, api_path_prefix=prefix),
    )

    assert response.status_code in (200, 302)
    tenant.refresh_from_db()
    assert httpx.URL(tenant.api_base_url).host in TEST_CLARUS_HOSTS
    path_prefix_check(tenant.api_path_prefix)
