"""Token revocation, RFC 7009."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sandbox.models import SandboxAccessToken, SandboxClient, SandboxRefreshToken, SandboxUser
from sandbox.services import authorization_code_issue, user_register
from tests.sandbox.factories import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    REVOKE,
    TOKEN,
    USERNAME,
    basic_auth,
    goods_out_document,
    pkce_pair,
    post_form,
)

Post = Callable[..., Any]


@pytest.fixture
def pair(client: Client, sandbox_client: SandboxClient, sandbox_user: SandboxUser) -> Any:
    """Return a token pair from the authorization-code grant."""
    verifier, challenge = pkce_pair()
    code = authorization_code_issue(
        client=sandbox_client,
        user=sandbox_user,
        redirect_uri=REDIRECT_URI,
        code_challenge=challenge,
    )
    response = post_form(
        client,
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
        headers=basic_auth(),
    )
    return response.json()


def revoke(client: Client, **params: str) -> Any:
    return post_form(client, REVOKE, params, headers=basic_auth())


def refresh(client: Client, refresh_token: str) -> Any:
    return post_form(
        client,
        TOKEN,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=basic_auth(),
    )


@pytest.mark.parametrize("hint", [None, "access_token", "refresh_token", "id_token"])
def test_revoking_an_access_token_ends_only_it(
    client: Client, pair: Any, post_goods_out: Post, token: str, hint: str | None
) -> None:
    params = {"token": pair["access_token"]}
    if hint:
        params["token_type_hint"] = hint

    response = revoke(client, **params)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    refused = post_goods_out(goods_out_document(), bearer=pair["access_token"])
    assert refused.status_code == 401
    assert refused.json() == {"error": "The access token has been revoked."}
    assert post_goods_out(goods_out_document(), bearer=token).status_code == 200
    assert refresh(client, pair["refresh_token"]).status_code == 200


@pytest.mark.parametrize("hint", [None, "refresh_token", "access_token"])
def test_revoking_a_refresh_token_ends_it_and_its_access_tokens(
    client: Client, pair: Any, post_goods_out: Post, token: str, hint: str | None
) -> None:
    params = {"token": pair["refresh_token"]}
    if hint:
        params["token_type_hint"] = hint

    response = revoke(client, **params)

    assert response.status_code == 200
    assert refresh(client, pair["refresh_token"]).json()["error"] == "invalid_grant"
    assert post_goods_out(goods_out_document(), bearer=pair["access_token"]).status_code == 401
    # A client-credentials token of the same client is another authorization.
    assert post_goods_out(goods_out_document(), bearer=token).status_code == 200


def test_revoking_a_rotated_refresh_token_ends_the_whole_authorization(
    client: Client, pair: Any, post_goods_out: Post
) -> None:
    rotated = refresh(client, pair["refresh_token"]).json()

    revoke(client, token=rotated["refresh_token"])

    assert not SandboxRefreshToken.objects.filter(revoked=False).exists()
    assert post_goods_out(goods_out_document(), bearer=pair["access_token"]).status_code == 401
    assert post_goods_out(goods_out_document(), bearer=rotated["access_token"]).status_code == 401


def test_client_credentials_token_can_be_revoked(
    client: Client, post_goods_out: Post, token: str
) -> None:
    revoke(client, token=token)

    assert post_goods_out(goods_out_document()).status_code == 401


def test_unknown_token_is_200(client: Client, sandbox_client: SandboxClient) -> None:
    response = revoke(client, token="never-issued")

    assert response.status_code == 200
    assert response.content == b""


def test_form_credentials_work_too(client: Client, token: str) -> None:
    response = post_form(
        client, REVOKE, {"token": token, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    )

    assert response.status_code == 200
    assert SandboxAccessToken.objects.get().revoked


def test_missing_token_is_invalid_request(client: Client, sandbox_client: SandboxClient) -> None:
    response = revoke(client)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "headers", [basic_auth(CLIENT_ID, "wrong"), basic_auth("nobody", CLIENT_SECRET), {}]
)
def test_client_must_authenticate(client: Client, token: str, headers: dict[str, str]) -> None:
    response = post_form(client, REVOKE, {"token": token}, headers=headers)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not SandboxAccessToken.objects.get().revoked


def test_another_clients_token_is_refused_and_kept(
    client: Client, make_client: Callable[..., SandboxClient], token: str
) -> None:
    make_client(client_id="other-desk")

    response = post_form(
        client,
        REVOKE,
        {"token": token},
        headers=basic_auth("other-desk", CLIENT_SECRET),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "unauthorized_client"
    assert not SandboxAccessToken.objects.get().revoked


def test_json_body_is_invalid_request(client: Client, token: str) -> None:
    response = client.post(
        REVOKE, {"token": token}, content_type="application/json", headers=basic_auth()
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_revocation_takes_only_post(client: Client, db: Any) -> None:
    assert client.get(REVOKE).status_code == 405


def test_revocation_needs_no_csrf_token(token: str) -> None:
    browser = Client(enforce_csrf_checks=True)

    response = post_form(browser, REVOKE, {"token": token}, headers=basic_auth())

    assert response.status_code == 200


def test_new_user_password_revokes_the_users_tokens_only(
    client: Client, pair: Any, post_goods_out: Post, token: str
) -> None:
    user_register(subdomain="acme", username=USERNAME, password="a-new-password-456")

    assert refresh(client, pair["refresh_token"]).json()["error"] == "invalid_grant"
    assert post_goods_out(goods_out_document(), bearer=pair["access_token"]).status_code == 401
    assert post_goods_out(goods_out_document(), bearer=token).status_code == 200
