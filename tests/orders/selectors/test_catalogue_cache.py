"""Lookups are cached per tenant, refreshed on demand, and say so when Clarus is down or slow."""

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from orders import clarus
from orders.clarus import catalogue as clarus_catalogue
from orders.models import Tenant
from orders.selectors import catalogue
from orders.selectors.catalogue import LookupUnavailable, cache_key
from orders.services.lookups import lookups_refresh
from orders.services.tenants import CONNECTION_FIELDS, tenant_connection_update
from tests.conftest import SANDBOX_CLIENT_ID


@pytest.fixture
def calls(monkeypatch):
    """Count the GraphQL requests the catalogue sends."""
    sent: list[str] = []
    real_query = clarus.query

    def spy(tenant, text, variables=None, **kwargs):
        sent.append(tenant.subdomain)
        return real_query(tenant, text, variables, **kwargs)

    monkeypatch.setattr(clarus_catalogue, "query", spy)
    return sent


def test_a_second_ask_is_answered_from_the_cache(catalogue_tenant, calls):
    first = catalogue.account_search(tenant=catalogue_tenant, text="acme")
    again = catalogue.account_search(tenant=catalogue_tenant, text="  ACME ")

    assert again == first
    assert len(calls) == 1


def test_refresh_asks_clarus_again(catalogue_tenant, calls):
    catalogue.warehouse_list(tenant=catalogue_tenant)
    catalogue.warehouse_list(tenant=catalogue_tenant, refresh=True)
    catalogue.warehouse_list(tenant=catalogue_tenant)

    assert len(calls) == 2


def test_refresh_lists_forgets_every_answer_of_the_tenant(catalogue_tenant, calls):
    catalogue.order_type_list(tenant=catalogue_tenant)
    catalogue.carrier_search(tenant=catalogue_tenant, text="dpd")
    before = cache_key(catalogue_tenant, "order-types", {})

    lookups_refresh(tenant=catalogue_tenant)
    catalogue.order_type_list(tenant=catalogue_tenant)
    catalogue.carrier_search(tenant=catalogue_tenant, text="dpd")

    assert len(calls) == 4
    assert cache_key(catalogue_tenant, "order-types", {}) != before


def test_answers_expire(catalogue_tenant, calls, settings):
    settings.DESK_LOOKUP_CACHE_SECONDS = 0.2

    catalogue.order_type_list(tenant=catalogue_tenant)
    time.sleep(0.3)
    catalogue.order_type_list(tenant=catalogue_tenant)

    assert len(calls) == 2


def test_the_cache_is_per_tenant_and_question(make_tenant):
    one, two = make_tenant(subdomain="one"), make_tenant(subdomain="two")

    keys = {
        cache_key(one, "products", {"text": "mug", "account": 1}),
        cache_key(two, "products", {"text": "mug", "account": 1}),
        cache_key(one, "products", {"text": "mug", "account": 2}),
        cache_key(one, "customers-search", {"text": "mug"}),
    }

    assert len(keys) == 4


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def down_tenant(make_tenant):
    """A tenant whose Clarus refuses connections: nothing listens on its port."""
    port = closed_port()
    return make_tenant(
        api_base_url=f"http://127.0.0.1:{port}", token_url=f"http://127.0.0.1:{port}/oauth/token"
    )


def test_clarus_down_says_so(down_tenant):
    with pytest.raises(LookupUnavailable) as raised:
        catalogue.account_search(tenant=down_tenant, text="acme")

    assert raised.value.message == "Clarus is not answering."
    assert raised.value.down
    assert not raised.value.slow


def test_a_down_clarus_is_not_asked_on_every_keystroke(down_tenant, calls, settings):
    settings.DESK_LOOKUP_RETRY_SECONDS = 60
    for text in ("a", "ac", "acm"):
        with pytest.raises(LookupUnavailable):
            catalogue.account_search(tenant=down_tenant, text=text)

    assert len(calls) == 1
    with pytest.raises(LookupUnavailable):
        catalogue.account_search(tenant=down_tenant, text="acme", refresh=True)
    assert len(calls) == 2


def test_clarus_back_up_is_asked_again(sandbox_tenant, calls, settings, live_server):
    settings.DESK_LOOKUP_RETRY_SECONDS = 60
    real_url = sandbox_tenant.api_base_url
    sandbox_tenant.api_base_url = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(LookupUnavailable):
        catalogue.order_type_list(tenant=sandbox_tenant)

    sandbox_tenant.api_base_url = real_url
    lookups_refresh(tenant=sandbox_tenant)

    assert catalogue.order_type_list(tenant=sandbox_tenant) == []
    assert len(calls) == 2


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers: a Clarus that hangs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def test_a_slow_clarus_is_given_up_on_and_said_to_be_slow(make_tenant, silent_server, settings):
    settings.CLARUS_LOOKUP_TIMEOUT = 0.3
    tenant = make_tenant(
        api_base_url=f"http://127.0.0.1:{silent_server}",
        token_url=f"http://127.0.0.1:{silent_server}/oauth/token",
        client_id=SANDBOX_CLIENT_ID,
    )
    # A token in hand, so only the lookup itself waits.
    tenant.access_token = "still-valid"
    tenant.access_token_expires_at = timezone.now() + timedelta(hours=1)
    tenant.save()
    started = timezone.now()

    with pytest.raises(LookupUnavailable) as raised:
        catalogue.product_search(tenant=tenant, text="MUG")

    assert raised.value.slow
    assert raised.value.message == "Clarus is slow to answer."
    assert timezone.now() - started < timedelta(seconds=2)


def test_refused_credentials_are_no_reason_to_type_ids_forever(sandbox_tenant):
    sandbox_tenant.client_secret = "wrong"
    sandbox_tenant.save()

    with pytest.raises(LookupUnavailable) as raised:
        catalogue.order_type_list(tenant=sandbox_tenant)

    assert "reconnect" in raised.value.message


def test_refresh_lists_reaches_every_process(catalogue_tenant, calls):
    # Another app process holds its own copy of the tenant and its own cache (LocMem): what it
    # reads of the tenant with its next request carries the new version all the same.
    elsewhere = Tenant.objects.get(pk=catalogue_tenant.pk)
    before = cache_key(elsewhere, "order-types", {})

    lookups_refresh(tenant=catalogue_tenant)

    next_request = Tenant.objects.get(pk=catalogue_tenant.pk)
    assert cache_key(next_request, "order-types", {}) != before
    assert cache_key(next_request, "order-types", {}) == cache_key(
        catalogue_tenant, "order-types", {}
    )


def test_a_new_connection_asks_clarus_afresh(catalogue_tenant, calls):
    catalogue.order_type_list(tenant=catalogue_tenant)
    data = {name: getattr(catalogue_tenant, name) for name in CONNECTION_FIELDS}

    tenant_connection_update(tenant=catalogue_tenant, data=data, client_secret="")
    catalogue.order_type_list(tenant=Tenant.objects.get(pk=catalogue_tenant.pk))

    assert len(calls) == 2
