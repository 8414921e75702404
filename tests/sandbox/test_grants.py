"""The token endpoint's authorization-code (RFC 6749 §4.1.3, RFC 7636) and refresh grants."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.models import (
    SandboxAccessToken,
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxRefreshToken,
    SandboxUser,
    token_digest,
)
from sandbox.services import authorization_code_issue
from tests.sandbox.factories import (
    CLIENT_ID,
    CLIENT_SECRET,
    REDIRECT_URI,
    TOKEN,
    basic_auth,
    goods_out_document,
    pkce_pair,
    post_form,
)

OTHER_REDIRECT_URI = "http://127.0.0.1:8000/callback"
Post = Callable[..., Any]


@pytest.fixture
def issue_code(sandbox_client: SandboxClient, sandbox_user: SandboxUser) -> Callable[..., Any]:
    """Return a function that issues a code as the authorization page does: (code, verifier)."""

    def issue(client: SandboxClient = sandbox_client, redirect_uri: str = REDIRECT_URI) -> Any:
        verifier, challenge = pkce_pair()
        code = authorization_code_issue(
            client=client, user=sandbox_user, redirect_uri=redirect_uri, code_challenge=challenge
        )
        return code, verifier

    return issue


def token_request(client: Client, client_id: str = CLIENT_ID, **params: str) -> Any:
    body = {"client_id": client_id, "client_secret": CLIENT_SECRET, **params}
    return post_form(client, TOKEN, body)


def exchange(client: Client, code: str, verifier: str, **overrides: str) -> Any:
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    return token_request(client, **(params | overrides))


def refresh(client: Client, refresh_token: str, client_id: str = CLIENT_ID) -> Any:
    return token_request(client, client_id, grant_type="refresh_token", refresh_token=refresh_token)


def assert_invalid_grant(response: Any, words: str) -> None:
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert words in response.json()["error_description"]
    assert response["Cache-Control"] == "no-store"


def test_code_and_verifier_get_a_token_pair(
    client: Client, issue_code: Callable[..., Any], sandbox_user: SandboxUser
) -> None:
    code, verifier = issue_code()

    response = exchange(client, code, verifier)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response["Cache-Control"] == "no-store"
    access = SandboxAccessToken.objects.get()
    refresh_row = SandboxRefreshToken.objects.get()
    assert access.digest == token_digest(body["access_token"])
    assert refresh_row.digest == token_digest(body["refresh_token"])
    assert access.user == refresh_row.user == sandbox_user
    assert access.refresh_token == refresh_row
    assert refresh_row.expires_at - refresh_row.issued_at == timedelta(days=30)
    assert SandboxAuthorizationCode.objects.get().used_at is not None


def test_user_token_acts_on_the_clients_subdomain(
    client: Client, issue_code: Callable[..., Any], post_goods_out: Post
) -> None:
    code, verifier = issue_code()
    access_token = exchange(client, code, verifier).json()["access_token"]

    response = post_goods_out(goods_out_document(), bearer=access_token)

    assert response.status_code == 200


def test_http_basic_works_for_the_code_grant(
    client: Client, issue_code: Callable[..., Any]
) -> None:
    code, verifier = issue_code()

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

    assert response.status_code == 200


def test_lifetimes_follow_the_client(
    client: Client, make_client: Callable[..., SandboxClient], sandbox_user: SandboxUser
) -> None:
    sandbox_client = make_client(token_lifetime_seconds=90, refresh_token_lifetime_seconds=600)
    verifier, challenge = pkce_pair()
    code = authorization_code_issue(
        client=sandbox_client,
        user=sandbox_user,
        redirect_uri=REDIRECT_URI,
        code_challenge=challenge,
    )

    response = exchange(client, code, verifier)

    assert response.json()["expires_in"] == 90
    row = SandboxRefreshToken.objects.get()
    assert row.expires_at - row.issued_at == timedelta(seconds=600)


def test_wrong_verifier_is_invalid_grant(client: Client, issue_code: Callable[..., Any]) -> None:
    code, _verifier = issue_code()
    other_verifier, _challenge = pkce_pair()

    response = exchange(client, code, other_verifier)

    assert_invalid_grant(response, "code_verifier")
    assert not SandboxAccessToken.objects.exists()


def test_malformed_verifier_is_invalid_grant(
    client: Client, issue_code: Callable[..., Any]
) -> None:
    code, verifier = issue_code()

    response = exchange(client, code, verifier[:42])

    assert_invalid_grant(response, "code_verifier")


@pytest.mark.parametrize("missing", ["code", "redirect_uri", "code_verifier"])
def test_missing_parameters_are_invalid_request(
    client: Client, issue_code: Callable[..., Any], missing: str
) -> None:
    code, verifier = issue_code()
    params = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    del params[missing]

    response = token_request(client, **params)

    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": f"{missing} is required.",
    }


def test_reused_code_is_refused_and_revokes_what_it_gave(
    client: Client, issue_code: Callable[..., Any], post_goods_out: Post
) -> None:
    code, verifier = issue_code()
    first = exchange(client, code, verifier).json()

    again = exchange(client, code, verifier)

    assert_invalid_grant(again, "already been used")
    assert post_goods_out(goods_out_document(), bearer=first["access_token"]).status_code == 401
    assert_invalid_grant(refresh(client, first["refresh_token"]), "revoked")


def test_expired_code_is_refused(client: Client, issue_code: Callable[..., Any]) -> None:
    code, verifier = issue_code()
    SandboxAuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = exchange(client, code, verifier)

    assert_invalid_grant(response, "expired")
    assert not SandboxAccessToken.objects.exists()


def test_code_from_a_zero_lifetime_setting_is_expired(
    client: Client, issue_code: Callable[..., Any], settings: Any
) -> None:
    settings.SANDBOX_AUTHORIZATION_CODE_LIFETIME_SECONDS = 0
    code, verifier = issue_code()

    assert_invalid_grant(exchange(client, code, verifier), "expired")


def test_wrong_redirect_uri_is_refused(
    client: Client, make_client: Callable[..., SandboxClient], issue_code: Callable[..., Any]
) -> None:
    make_client(redirect_uris=[REDIRECT_URI, OTHER_REDIRECT_URI])
    code, verifier = issue_code()

    response = exchange(client, code, verifier, redirect_uri=OTHER_REDIRECT_URI)

    assert_invalid_grant(response, "redirect_uri")


def test_another_clients_code_is_refused(
    client: Client, make_client: Callable[..., SandboxClient], issue_code: Callable[..., Any]
) -> None:
    make_client(client_id="other-desk")
    code, verifier = issue_code()

    stolen = exchange(client, code, verifier, client_id="other-desk")
    rightful = exchange(client, code, verifier)

    assert_invalid_grant(stolen, "not valid")
    assert rightful.status_code == 200


def test_unknown_code_is_refused(client: Client, issue_code: Callable[..., Any]) -> None:
    _code, verifier = issue_code()

    assert_invalid_grant(exchange(client, "made-up", verifier), "not valid")


def test_code_grant_needs_client_authentication(
    client: Client, issue_code: Callable[..., Any]
) -> None:
    code, verifier = issue_code()

    response = post_form(
        client,
        TOKEN,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            "client_id": CLIENT_ID,
        },
    )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.fixture
def pair(client: Client, issue_code: Callable[..., Any]) -> dict[str, Any]:
    code, verifier = issue_code()
    return exchange(client, code, verifier).json()


def test_refresh_rotates_the_pair(
    client: Client, pair: dict[str, Any], post_goods_out: Post
) -> None:
    response = refresh(client, pair["refresh_token"])

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["refresh_token"] != pair["refresh_token"]
    assert body["access_token"] != pair["access_token"]
    old = SandboxRefreshToken.objects.get(digest=token_digest(pair["refresh_token"]))
    new = SandboxRefreshToken.objects.get(digest=token_digest(body["refresh_token"]))
    assert old.rotated_at is not None
    assert new.family == old.family
    assert post_goods_out(goods_out_document(), bearer=body["access_token"]).status_code == 200
    # The access token issued before keeps working until it expires.
    assert post_goods_out(goods_out_document(), bearer=pair["access_token"]).status_code == 200


def test_the_new_refresh_token_refreshes_again(client: Client, pair: dict[str, Any]) -> None:
    second = refresh(client, pair["refresh_token"]).json()

    third = refresh(client, second["refresh_token"])

    assert third.status_code == 200


def test_reused_refresh_token_is_refused_and_ends_the_authorization(
    client: Client, pair: dict[str, Any], post_goods_out: Post
) -> None:
    rotated = refresh(client, pair["refresh_token"]).json()

    reused = refresh(client, pair["refresh_token"])

    assert_invalid_grant(reused, "already been used")
    # RFC 9700 §4.14.2: either party may be a thief, so the newest pair goes too.
    assert_invalid_grant(refresh(client, rotated["refresh_token"]), "revoked")
    assert post_goods_out(goods_out_document(), bearer=rotated["access_token"]).status_code == 401


def test_revoked_refresh_token_is_refused(client: Client, pair: dict[str, Any]) -> None:
    SandboxRefreshToken.objects.update(revoked=True)

    assert_invalid_grant(refresh(client, pair["refresh_token"]), "revoked")


def test_expired_refresh_token_is_refused_and_not_used_up(
    client: Client, pair: dict[str, Any]
) -> None:
    SandboxRefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = refresh(client, pair["refresh_token"])

    assert_invalid_grant(response, "expired")
    assert SandboxRefreshToken.objects.get().rotated_at is None
    assert SandboxAccessToken.objects.count() == 1


def test_zero_refresh_lifetime_gives_expired_refresh_tokens(
    client: Client, make_client: Callable[..., SandboxClient], issue_code: Callable[..., Any]
) -> None:
    make_client(refresh_token_lifetime_seconds=0)
    code, verifier = issue_code()
    issued = exchange(client, code, verifier).json()

    assert_invalid_grant(refresh(client, issued["refresh_token"]), "expired")


def test_another_clients_refresh_token_is_refused(
    client: Client, make_client: Callable[..., SandboxClient], pair: dict[str, Any]
) -> None:
    make_client(client_id="other-desk")

    stolen = refresh(client, pair["refresh_token"], client_id="other-desk")

    assert_invalid_grant(stolen, "not valid")
    assert refresh(client, pair["refresh_token"]).status_code == 200


def test_unknown_refresh_token_is_refused(client: Client, sandbox_client: SandboxClient) -> None:
    assert_invalid_grant(refresh(client, "made-up"), "not valid")


def test_missing_refresh_token_is_invalid_request(
    client: Client, sandbox_client: SandboxClient
) -> None:
    response = token_request(client, grant_type="refresh_token")

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_new_client_secret_revokes_refresh_tokens(
    client: Client, make_client: Callable[..., SandboxClient], pair: dict[str, Any]
) -> None:
    make_client(client_secret="another-secret-456")

    response = post_form(
        client,
        TOKEN,
        {
            "grant_type": "refresh_token",
            "refresh_token": pair["refresh_token"],
            "client_id": CLIENT_ID,
            "client_secret": "another-secret-456",
        },
    )

    assert_invalid_grant(response, "revoked")
