"""The Clarus client on its own, with httpx's MockTransport standing in for the network."""

import json
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from orders import clarus
from orders.clarus.documents import goods_out_body

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

    [exchange] = clarus.post_json(
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


def test_the_body_sent_is_goods_out_body_byte_for_byte(tenant):
    requests: list[httpx.Request] = []
    document = {"data": {"type": "goods_outs", "attributes": {"delivery_notes": "Zoë’s café"}}}

    [exchange] = clarus.post_json(
        tenant, "goods_outs", document, transport=recording_transport(accepted, requests)
    )

    assert requests[-1].content == goods_out_body(document).encode()
    assert (
        exchange.request_body
        == '{"data":{"type":"goods_outs","attributes":{"delivery_notes":"Zoë’s café"}}}'
    )


def test_exchange_never_holds_the_token(tenant):
    [exchange] = clarus.post_json(
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


def test_401_refreshes_the_token_once_and_retries_once(tenant):
    requests: list[httpx.Request] = []
    answers = iter([httpx.Response(401, json={"error": "expired"}), None])

    def first_refused(request):
        return next(answers) or accepted(request)

    exchanges = clarus.post_json(
        tenant, "goods_outs", {}, transport=recording_transport(first_refused, requests)
    )

    assert [exchange.status for exchange in exchanges] == [401, 200]
    assert [r.url.path for r in requests] == [
        "/oauth/token",
        "/api/goods_outs",
        "/oauth/token",
        "/api/goods_outs",
    ]


def test_a_second_401_is_not_retried_again(tenant):
    requests: list[httpx.Request] = []

    exchanges = clarus.post_json(
        tenant,
        "goods_outs",
        {},
        transport=recording_transport(
            lambda r: httpx.Response(401, json={"error": "no"}), requests
        ),
    )

    assert [exchange.status for exchange in exchanges] == [401, 401]
    assert len(requests) == 4
    assert all(exchange.auth_failed for exchange in exchanges)


def test_refused_credentials_are_reported_without_calling_goods_outs(tenant):
    requests: list[httpx.Request] = []

    def handle(request):
        requests.append(request)
        return httpx.Response(401, json={"error": "invalid_client"})

    [exchange] = clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(handle))

    tenant.refresh_from_db()
    assert len(requests) == 1
    assert exchange.status is None
    assert exchange.auth_failed
    assert "invalid_client" in exchange.transport_error
    assert tenant.needs_reconnect
    assert "invalid_client" in tenant.connection_problem


def test_unreachable_token_service_does_not_ask_for_reconnection(tenant):
    def down(request):
        raise httpx.ConnectError("refused", request=request)

    [exchange] = clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(down))

    tenant.refresh_from_db()
    assert exchange.status is None
    assert not exchange.auth_failed
    assert "could not be reached" in exchange.transport_error
    assert not tenant.needs_reconnect


def test_authorization_code_tenant_refreshes_with_its_refresh_token(make_tenant):
    tenant = make_tenant(auth_flow="authorization_code", refresh_token="refresh-1")
    requests: list[httpx.Request] = []

    def handle(request):
        requests.append(request)
        if request.url.path == "/oauth/token":
            return httpx.Response(
                200,
                json={
                    "access_token": TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 60,
                    "refresh_token": "refresh-2",
                },
            )
        return accepted(request)

    clarus.post_json(tenant, "goods_outs", {}, transport=httpx.MockTransport(handle))

    tenant.refresh_from_db()
    assert b"grant_type=refresh_token" in requests[0].content
    assert b"refresh_token=refresh-1" in requests[0].content
    assert tenant.refresh_token == "refresh-2"


def test_authorization_code_tenant_without_a_refresh_token_must_connect(make_tenant):
    tenant = make_tenant(auth_flow="authorization_code")

    [exchange] = clarus.post_json(
        tenant, "goods_outs", {}, transport=recording_transport(accepted, [])
    )

    tenant.refresh_from_db()
    assert exchange.auth_failed
    assert tenant.needs_reconnect
    assert "not connected" in exchange.transport_error


def test_a_token_replaced_by_another_process_is_used_without_asking_again(tenant):
    requests: list[httpx.Request] = []
    transport = recording_transport(accepted, requests)
    clarus.access_token(tenant, transport=transport)
    stale_copy = type(tenant).objects.get(pk=tenant.pk)
    stale_copy.access_token = "older-token"

    token = clarus.refresh_access_token(stale_copy, stale="older-token", transport=transport)

    assert token == TOKEN
    assert len(requests) == 1


def test_read_timeout_means_the_order_may_have_arrived(tenant):
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    [exchange] = clarus.post_json(tenant, "goods_outs", {}, transport=recording_transport(slow, []))

    assert exchange.status is None
    assert exchange.may_have_arrived


def test_connection_refused_means_nothing_arrived(tenant):
    def refused(request):
        raise httpx.ConnectError("refused", request=request)

    [exchange] = clarus.post_json(
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
