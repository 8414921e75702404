"""The Clarus client on its own, with httpx's MockTransport standing in for the network."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from orders import clarus

TOKEN = "token-abc-123"


def recording_transport(goods_out_response, requests):
    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path == "/oauth/token":
            return httpx.Response(
                200, json={"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
            )
        return goods_out_response(request)

    return httpx.MockTransport(handle)


def accepted(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": 42, "type": "goods_outs", "attributes": {}}})


@pytest.fixture
def tenant(make_tenant):
    return make_tenant(
        api_base_url="http://clarus.test", token_url="http://clarus.test/oauth/token"
    )


def test_post_sends_the_three_clarus_headers_and_the_exact_body(tenant):
    requests: list[httpx.Request] = []

    exchange = clarus.post_json(
        tenant,
        "goods_outs",
        {"data": {"type": "goods_outs"}},
        transport=recording_transport(accepted, requests),
    )

    token_request, post = requests
    assert token_request.headers["Authorization"].startswith("Basic ")
    assert b"grant_type=client_credentials" in token_request.content
    assert str(post.url) == "http://clarus.test/api/goods_outs"
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["X-Clarus-Subdomain"] == "acme"
    assert post.headers["Content-Type"] == "application/json"
    assert post.content.decode() == exchange.request_body
    assert json.loads(exchange.request_body) == {"data": {"type": "goods_outs"}}
    assert exchange.status == 200


def test_exchange_never_holds_the_token(tenant):
    exchange = clarus.post_json(
        tenant, "goods_outs", {}, transport=recording_transport(accepted, [])
    )

    assert exchange.request_headers["Authorization"] == clarus.REDACTED
    assert TOKEN not in repr(exchange)


def test_token_is_reused_until_it_nears_expiry(tenant):
    requests: list[httpx.Request] = []
    transport = recording_transport(accepted, requests)

    clarus.post_json(tenant, "goods_outs", {}, transport=transport)
    clarus.post_json(tenant, "goods_outs", {}, transport=transport)
    tenant.access_token_expires_at = timezone.now() + timedelta(seconds=10)
    clarus.post_json(tenant, "goods_outs", {}, transport=transport)

    token_requests = [r for r in requests if r.url.path == "/oauth/token"]
    assert len(token_requests) == 2


def test_path_prefix_is_configurable(make_tenant):
    tenant = make_tenant(api_path_prefix="/api/v1/")
    requests: list[httpx.Request] = []

    clarus.post_json(tenant, "goods_outs", {}, transport=recording_transport(accepted, requests))

    assert requests[-1].url.path == "/api/v1/goods_outs"


def test_401_forgets_the_stored_token(tenant):
    exchange = clarus.post_json(
        tenant,
        "goods_outs",
        {},
        transport=recording_transport(lambda r: httpx.Response(401, json={"error": "expired"}), []),
    )

    tenant.refresh_from_db()
    assert exchange.auth_failed
    assert tenant.access_token == ""


def test_refused_credentials_are_reported_without_calling_goods_outs(tenant):
    requests: list[httpx.Request] = []

    def handle(request):
        requests.append(request)
        return httpx.Response(401, json={"error": "invalid_client"})

    exchange = clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(handle))

    assert len(requests) == 1
    assert exchange.status is None
    assert exchange.auth_failed
    assert "invalid_client" in exchange.transport_error


def test_read_timeout_means_the_order_may_have_arrived(tenant):
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    exchange = clarus.post_json(tenant, "goods_outs", {}, transport=recording_transport(slow, []))

    assert exchange.status is None
    assert exchange.may_have_arrived


def test_connection_refused_means_nothing_arrived(tenant):
    def refused(request):
        raise httpx.ConnectError("refused", request=request)

    exchange = clarus.post_json(
        tenant, "goods_outs", {}, transport=recording_transport(refused, [])
    )

    assert exchange.status is None
    assert not exchange.may_have_arrived
    assert "Could not connect" in exchange.transport_error


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {"Authorization": "Bearer x", "X-Other": "1"},
            {"Authorization": clarus.REDACTED, "X-Other": "1"},
        ),
        ({"set-cookie": "s=1"}, {"set-cookie": clarus.REDACTED}),
        ({"Content-Type": "application/json"}, {"Content-Type": "application/json"}),
    ],
)
def test_redact_headers(headers, expected):
    assert clarus.redact_headers(headers) == expected
