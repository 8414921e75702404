"""The authorization page: RFC 6749 §4.1.1-4.1.2 with PKCE, as a browser meets it."""

from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxAuthorizationCode, SandboxClient, SandboxUser, token_digest
from sandbox.services import user_register
from tests.sandbox.factories import (
    CLIENT_ID,
    PASSWORD,
    REDIRECT_URI,
    USERNAME,
    authorize_url,
    pkce_pair,
)

VERIFIER, CHALLENGE = pkce_pair()
ALLOW = {"username": USERNAME, "password": PASSWORD, "decision": "allow"}


def redirected_to(response: Any) -> tuple[str, dict[str, list[str]]]:
    """Return where a redirect goes, without its query, and the query's parameters."""
    assert response.status_code == 302
    parts = urlsplit(response["Location"])
    return parts._replace(query="").geturl(), parse_qs(parts.query, keep_blank_values=True)


def test_get_shows_the_sign_in_page(client: Client, sandbox_user: SandboxUser) -> None:
    response = client.get(authorize_url(CHALLENGE))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="username"' in page
    assert 'type="password"' in page
    assert 'value="allow"' in page
    assert 'value="deny"' in page
    assert CLIENT_ID in page
    assert REDIRECT_URI in page
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_form_posts_back_to_the_same_request(client: Client, sandbox_user: SandboxUser) -> None:
    url = authorize_url(CHALLENGE)

    page = client.get(url).content.decode()

    assert f'action="{url.replace("&", "&amp;")}"' in page


def test_allow_redirects_with_a_code_and_the_state(
    client: Client, sandbox_user: SandboxUser
) -> None:
    response = client.post(authorize_url(CHALLENGE), ALLOW)

    where, params = redirected_to(response)
    assert where == REDIRECT_URI
    assert params["state"] == ["state-123"]
    [code] = params["code"]
    row = SandboxAuthorizationCode.objects.get()
    assert row.digest == token_digest(code)
    assert code not in {str(value) for value in vars(row).values()}
    assert row.client.client_id == CLIENT_ID
    assert row.user == sandbox_user
    assert row.redirect_uri == REDIRECT_URI
    assert row.code_challenge == CHALLENGE
    assert row.used_at is None
    lifetime = row.expires_at - row.issued_at
    assert lifetime == timedelta(seconds=60)


def test_code_lifetime_follows_the_setting(
    client: Client, sandbox_user: SandboxUser, settings: Any
) -> None:
    settings.SANDBOX_AUTHORIZATION_CODE_LIFETIME_SECONDS = 5

    client.post(authorize_url(CHALLENGE), ALLOW)

    row = SandboxAuthorizationCode.objects.get()
    assert row.expires_at - row.issued_at == timedelta(seconds=5)


def test_redirect_keeps_the_query_the_uri_has(
    client: Client, make_client: Any, sandbox_user: SandboxUser
) -> None:
    uri = "https://desk.example/cb?tenant=acme"
    make_client(redirect_uris=[REDIRECT_URI, uri])

    response = client.post(authorize_url(CHALLENGE, redirect_uri=uri), ALLOW)

    where, params = redirected_to(response)
    assert where == "https://desk.example/cb"
    assert params["tenant"] == ["acme"]
    assert set(params) == {"tenant", "code", "state"}


def test_no_state_sent_means_none_returned(client: Client, sandbox_user: SandboxUser) -> None:
    response = client.post(authorize_url(CHALLENGE, state=None), ALLOW)

    _where, params = redirected_to(response)
    assert set(params) == {"code"}


def test_deny_redirects_with_access_denied_and_the_state(
    client: Client, sandbox_user: SandboxUser
) -> None:
    response = client.post(authorize_url(CHALLENGE), {**ALLOW, "decision": "deny"})

    where, params = redirected_to(response)
    assert where == REDIRECT_URI
    assert params["error"] == ["access_denied"]
    assert params["state"] == ["state-123"]
    assert "code" not in params
    assert not SandboxAuthorizationCode.objects.exists()


def test_deny_needs_no_sign_in(client: Client, sandbox_client: SandboxClient) -> None:
    response = client.post(authorize_url(CHALLENGE), {"decision": "deny"})

    _where, params = redirected_to(response)
    assert params["error"] == ["access_denied"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": USERNAME, "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": USERNAME, "password": ""},
        {},
    ],
)
def test_wrong_sign_in_shows_the_page_again(
    client: Client, sandbox_user: SandboxUser, credentials: dict[str, str]
) -> None:
    response = client.post(authorize_url(CHALLENGE), {**credentials, "decision": "allow"})

    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert not SandboxAuthorizationCode.objects.exists()


def test_users_of_another_subdomain_cannot_sign_in(
    client: Client, make_client: Any, sandbox_client: SandboxClient
) -> None:
    make_client(subdomain="globex", client_id="globex-desk")
    user_register(subdomain="globex", username=USERNAME, password=PASSWORD)

    response = client.post(authorize_url(CHALLENGE), ALLOW)

    assert response.status_code == 200
    assert not SandboxAuthorizationCode.objects.exists()


def test_missing_decision_shows_the_page_again(client: Client, sandbox_user: SandboxUser) -> None:
    response = client.post(authorize_url(CHALLENGE), {"username": USERNAME, "password": PASSWORD})

    assert response.status_code == 200
    assert not SandboxAuthorizationCode.objects.exists()


def test_the_form_needs_its_csrf_token(sandbox_user: SandboxUser) -> None:
    browser = Client(enforce_csrf_checks=True)
    url = authorize_url(CHALLENGE)

    refused = browser.post(url, ALLOW)
    page = browser.get(url)
    token = page.context["csrf_token"]
    accepted = browser.post(url, {**ALLOW, "csrfmiddlewaretoken": str(token)})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert SandboxAuthorizationCode.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_id": "nobody"}, "not known here"),
        ({"client_id": None}, "not known here"),
        ({"redirect_uri": "https://evil.example/cb"}, "has not registered"),
        ({"redirect_uri": REDIRECT_URI + "/"}, "has not registered"),
        ({"redirect_uri": None}, "did not say where to send you back"),
    ],
)
def test_unknown_client_or_redirect_uri_is_a_page_not_a_redirect(
    client: Client, sandbox_user: SandboxUser, overrides: dict[str, str | None], message: str
) -> None:
    url = authorize_url(CHALLENGE, **overrides)

    shown = client.get(url)
    posted = client.post(url, ALLOW)

    for response in (shown, posted):
        assert response.status_code == 400
        assert "Location" not in response
        assert message in response.content.decode()
    assert not SandboxAuthorizationCode.objects.exists()


def test_client_id_sent_twice_is_a_page(client: Client, sandbox_user: SandboxUser) -> None:
    response = client.get(authorize_url(CHALLENGE) + f"&client_id={CLIENT_ID}")

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"response_type": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"code_challenge": None}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "too-short"}, "invalid_request"),
        ({"code_challenge": CHALLENGE[:-1] + "="}, "invalid_request"),
    ],
)
def test_request_errors_go_back_to_the_client(
    client: Client, sandbox_user: SandboxUser, overrides: dict[str, str | None], error: str
) -> None:
    shown = client.get(authorize_url(CHALLENGE, **overrides))
    posted = client.post(authorize_url(CHALLENGE, **overrides), ALLOW)

    for response in (shown, posted):
        where, params = redirected_to(response)
        assert where == REDIRECT_URI
        assert params["error"] == [error]
        assert params["error_description"]
        assert params["state"] == ["state-123"]
    assert not SandboxAuthorizationCode.objects.exists()


def test_parameter_sent_twice_goes_back_as_invalid_request(
    client: Client, sandbox_user: SandboxUser
) -> None:
    response = client.get(authorize_url(CHALLENGE) + "&response_type=code")

    _where, params = redirected_to(response)
    assert params["error"] == ["invalid_request"]


def test_other_methods_are_refused(client: Client, sandbox_user: SandboxUser) -> None:
    assert client.put(authorize_url(CHALLENGE)).status_code == 405


def test_codes_are_unique_and_expire(client: Client, sandbox_user: SandboxUser) -> None:
    first = redirected_to(client.post(authorize_url(CHALLENGE), ALLOW))[1]["code"]
    second = redirected_to(client.post(authorize_url(CHALLENGE), ALLOW))[1]["code"]

    assert first != second
    assert all(row.expires_at > timezone.now() for row in SandboxAuthorizationCode.objects.all())
