import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sandbox.faults import faults_clear, faults_set
from sandbox.models import SandboxAccessToken, SandboxClient, SandboxGoodsOut
from sandbox.services import access_token_issue
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, GOODS_OUTS, edited, goods_out_document

Post = Callable[..., Any]


def test_success_echoes_the_attributes_and_stores_the_document(post_goods_out: Post) -> None:
    document = goods_out_document()

    response = post_goods_out(document)

    assert response.status_code == 200
    stored = SandboxGoodsOut.objects.get()
    line_ids = list(stored.lines.order_by("line_number").values_list("pk", flat=True))
    echoed_lines = [
        {**change, "id": line_id}
        for change, line_id in zip(
            document["data"]["attributes"]["lines_changes"], line_ids, strict=True
        )
    ]
    assert response.json() == {
        "data": {
            "id": stored.pk,
            "type": "goods_outs",
            "attributes": {
                **document["data"]["attributes"],
                "lines_changes": echoed_lines,
                "goods_out_status_id": 2,
            },
        }
    }
    assert stored.subdomain.slug == "acme"
    assert stored.reference == "SO-1001"
    assert stored.document == document
    assert stored.address == document["data"]["relationships"]["address"]["data"]["attributes"]
    assert stored.line_count == 2


def test_ids_count_up(post_goods_out: Post) -> None:
    first = post_goods_out(goods_out_document()).json()["data"]["id"]
    second = post_goods_out(goods_out_document()).json()["data"]["id"]

    assert isinstance(first, int)
    assert second > first


def test_goods_out_without_address_stores_no_address(post_goods_out: Post) -> None:
    response = post_goods_out(edited(goods_out_document(), "data.relationships", {}))

    assert response.status_code == 200
    assert SandboxGoodsOut.objects.get().address is None


def test_a_status_sent_by_the_client_is_echoed(post_goods_out: Post) -> None:
    document = edited(goods_out_document(), "data.attributes.goods_out_status_id", 1)

    response = post_goods_out(document)

    assert response.json()["data"]["attributes"]["goods_out_status_id"] == 1


def test_v1_path_is_the_same_endpoint(post_goods_out: Post) -> None:
    response = post_goods_out(goods_out_document(), path="/sandbox/api/v1/goods_outs")

    assert response.status_code == 200
    assert SandboxGoodsOut.objects.filter(pk=response.json()["data"]["id"]).exists()


def test_charset_parameter_is_allowed(post_goods_out: Post) -> None:
    response = post_goods_out(goods_out_document(), content_type="application/json; charset=utf-8")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Send an access token as Authorization: Bearer <token>."),
        ("Basic ZGVzazpzZWNyZXQ=", "Send an access token as Authorization: Bearer <token>."),
        ("Bearer ", "Send an access token as Authorization: Bearer <token>."),
        ("Bearer not-a-token-we-issued", "The access token is not valid."),
    ],
)
def test_missing_or_unknown_token_is_401(
    client: Client, sandbox_client: SandboxClient, authorization: str | None, message: str
) -> None:
    headers = {"X-Clarus-Subdomain": "acme"}
    if authorization is not None:
        headers["Authorization"] = authorization

    response = client.post(
        GOODS_OUTS, goods_out_document(), content_type="application/json", headers=headers
    )

    assert response.status_code == 401
    assert response.json() == {"error": message}
    assert response["WWW-Authenticate"].startswith('Bearer realm="Clarus sandbox"')
    assert not SandboxGoodsOut.objects.exists()


def test_token_from_zero_lifetime_client_is_expired(
    post_goods_out: Post, make_client: Callable[..., SandboxClient]
) -> None:
    client = make_client(client_id="short-lived", token_lifetime_seconds=0)
    _row, token = access_token_issue(client=client)

    response = post_goods_out(goods_out_document(), bearer=token)

    assert response.status_code == 401
    assert response.json() == {"error": "The access token has expired."}


def test_token_past_its_expiry_is_refused(post_goods_out: Post, token: str) -> None:
    SandboxAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = post_goods_out(goods_out_document())

    assert response.status_code == 401
    assert response.json() == {"error": "The access token has expired."}
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_revoked_token_is_refused(post_goods_out: Post, token: str) -> None:
    SandboxAccessToken.objects.update(revoked=True)

    response = post_goods_out(goods_out_document())

    assert response.status_code == 401
    assert response.json() == {"error": "The access token has been revoked."}


@pytest.mark.parametrize(
    ("subdomain", "message"),
    [
        (None, "Send the tenant's subdomain in the X-Clarus-Subdomain header."),
        ("", "Send the tenant's subdomain in the X-Clarus-Subdomain header."),
        ("nowhere", "Unknown subdomain 'nowhere'."),
        ("globex", "The access token was not issued for subdomain 'globex'."),
    ],
)
def test_subdomain_must_be_the_tokens_tenant(
    post_goods_out: Post,
    make_client: Callable[..., SandboxClient],
    subdomain: str | None,
    message: str,
) -> None:
    make_client(subdomain="globex", client_id="globex-desk")

    response = post_goods_out(goods_out_document(), subdomain=subdomain)

    assert response.status_code == 401
    assert response.json() == {"error": message}
    assert not SandboxGoodsOut.objects.exists()


def test_token_is_checked_before_anything_else(client: Client, db: Any) -> None:
    response = client.post(GOODS_OUTS, "not json", content_type="text/plain")

    assert response.status_code == 401


def test_subdomain_is_checked_before_the_body(post_goods_out: Post) -> None:
    response = post_goods_out("not json", subdomain="nowhere", content_type="text/plain")

    assert response.status_code == 401


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_wrong_content_type_is_422_on_content_type(post_goods_out: Post, content_type: str) -> None:
    response = post_goods_out('{"data": {}}', content_type=content_type)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["source"] == "Content-Type"
    assert (error["code"], error["symbol"]) == (1012, "unsupported_media_type")


@pytest.mark.parametrize("body", ["{not json", "[]", '{"data": NaN}', "   "])
def test_body_that_is_not_a_json_object_is_422(post_goods_out: Post, body: str) -> None:
    response = post_goods_out(body)

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["code"], error["symbol"], error["source"]) == (1011, "invalid_json", None)
    assert error["details"]


def test_all_problems_come_back_in_one_422(post_goods_out: Post) -> None:
    document = goods_out_document()
    attributes = document["data"]["attributes"]
    attributes["reference"] = "R" * 51
    attributes["account_id"] = "1"
    attributes["lines_changes"][1]["attributes"]["order_quantity"] = 0
    document["data"]["relationships"]["address"]["data"]["attributes"]["postcode"] = "X" * 11

    response = post_goods_out(document)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {error["source"] for error in errors} == {
        "reference",
        "account_id",
        "lines_changes[1].order_quantity",
        "address.postcode",
    }
    for error in errors:
        assert set(error) == {"code", "symbol", "details", "source"}
        assert isinstance(error["code"], int)
    assert not SandboxGoodsOut.objects.exists()


def test_goods_outs_take_only_post(client: Client, token: str) -> None:
    response = client.get(
        GOODS_OUTS, headers={"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": "acme"}
    )

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("status", "symbol"), [(500, "internal_server_error"), (503, "service_unavailable")]
)
def test_forced_status_answers_it_and_stores_nothing(
    post_goods_out: Post, sandbox_client: SandboxClient, status: int, symbol: str
) -> None:
    faults_set(subdomain="acme", forced_status=status)

    response = post_goods_out(goods_out_document())

    assert response.status_code == status
    [error] = response.json()["errors"]
    assert (error["code"], error["symbol"], error["source"]) == (status, symbol, None)
    assert error["details"]
    assert not SandboxGoodsOut.objects.exists()


def test_forced_status_wins_over_validation(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=503)

    response = post_goods_out(edited(goods_out_document(), "data.type", "nope"))

    assert response.status_code == 503


def test_forced_status_comes_after_the_json_check(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=500)

    response = post_goods_out("{broken")

    assert response.status_code == 422


def test_forced_401_uses_the_401_shape(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=401)

    response = post_goods_out(goods_out_document())

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_cleared_faults_answer_normally(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", forced_status=500, latency_ms=5)
    faults_clear(subdomain="acme")

    assert post_goods_out(goods_out_document()).status_code == 200


def test_latency_delays_a_successful_answer(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", latency_ms=50)

    started = time.monotonic()
    response = post_goods_out(goods_out_document())
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed >= 0.05


def test_latency_delays_a_forced_error(post_goods_out: Post) -> None:
    faults_set(subdomain="acme", latency_ms=50, forced_status=500)

    started = time.monotonic()
    response = post_goods_out(goods_out_document())

    assert response.status_code == 500
    assert time.monotonic() - started >= 0.05


def test_faults_do_not_touch_the_token_endpoint(
    client: Client, sandbox_client: SandboxClient
) -> None:
    faults_set(subdomain="acme", forced_status=500)

    response = client.post(
        "/sandbox/oauth/token",
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200


def test_forced_status_must_be_an_error_status(sandbox_client: SandboxClient) -> None:
    with pytest.raises(ValidationError):
        faults_set(subdomain="acme", forced_status=200)
