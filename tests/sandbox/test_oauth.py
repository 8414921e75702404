import base64
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

import pytest
from django.test import Client

from sandbox.models import SandboxAccessToken, SandboxClient
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET

TOKEN_URL = "/sandbox/oauth/token"
FORM = "application/x-www-form-urlencoded"


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def request_token(client: Client, body: str, **headers: str) -> Any:
    return client.post(TOKEN_URL, body, content_type=FORM, headers=headers)


def test_basic_auth_gets_a_bearer_token(client: Client, sandbox_client: SandboxClient) -> None:
    response = request_token(
        client, "grant_type=client_credentials", **basic(CLIENT_ID, CLIENT_SECRET)
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert len(body["access_token"]) >= 40
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


def test_form_credentials_get_a_bearer_token(client: Client, sandbox_client: SandboxClient) -> None:
    response = request_token(
        client,
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"


def test_only_the_token_digest_is_stored(client: Client, sandbox_client: SandboxClient) -> None:
    response = request_token(
        client, "grant_type=client_credentials", **basic(CLIENT_ID, CLIENT_SECRET)
    )
    token = response.json()["access_token"]

    row = SandboxAccessToken.objects.get()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in vars(row).values()}
    assert row.client == sandbox_client
    assert not row.revoked


def test_each_request_gets_a_new_token(client: Client, sandbox_client: SandboxClient) -> None:
    tokens = {
        request_token(
            client, "grant_type=client_credentials", **basic(CLIENT_ID, CLIENT_SECRET)
        ).json()["access_token"]
        for _ in range(3)
    }

    assert len(tokens) == 3


def test_expires_in_follows_the_client_lifetime(
    client: Client, make_client: Callable[..., SandboxClient]
) -> None:
    make_client(token_lifetime_seconds=90)

    response = request_token(
        client, "grant_type=client_credentials", **basic(CLIENT_ID, CLIENT_SECRET)
    )

    assert response.json()["expires_in"] == 90


@pytest.mark.parametrize("secret", ["s3cret+with/odd=chars:and colon", "plain-secret"])
def test_basic_credentials_raw_or_form_encoded(
    client: Client, make_client: Callable[..., SandboxClient], secret: str
) -> None:
    # authlib sends them raw; RFC 6749 §2.3.1 form-encodes them first.
    make_client(client_id="desk two", client_secret=secret)

    raw = request_token(client, "grant_type=client_credentials", **basic("desk two", secret))
    encoded = request_token(
        client,
        "grant_type=client_credentials",
        **basic(quote_plus("desk two"), quote_plus(secret)),
    )

    assert raw.status_code == 200
    assert encoded.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        basic(CLIENT_ID, "wrong-secret"),
        basic("nobody", CLIENT_SECRET),
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer something"},
    ],
)
def test_bad_basic_credentials_are_invalid_client(
    client: Client, sandbox_client: SandboxClient, headers: dict[str, str]
) -> None:
    response = request_token(client, "grant_type=client_credentials", **headers)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"] == 'Basic realm="Clarus sandbox"'
    assert response["Cache-Control"] == "no-store"
    assert not SandboxAccessToken.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret=wrong",
        f"grant_type=client_credentials&client_id=nobody&client_secret={CLIENT_SECRET}",
        f"grant_type=client_credentials&client_id={CLIENT_ID}",
        "grant_type=client_credentials",
    ],
)
def test_bad_form_credentials_are_invalid_client(
    client: Client, sandbox_client: SandboxClient, body: str
) -> None:
    response = request_token(client, body)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "invalid_request"),
        ("grant_type=", "invalid_request"),
        ("grant_type=client_credentials&grant_type=client_credentials", "invalid_request"),
        ("grant_type=password&username=a&password=b", "unsupported_grant_type"),
        ("grant_type=authorization_code&code=abc", "invalid_request"),
        ("grant_type=refresh_token&refresh_token=abc", "invalid_grant"),
        ("grant_type=refresh_token", "invalid_request"),
    ],
)
def test_malformed_or_unsupported_requests_are_400(
    client: Client, sandbox_client: SandboxClient, body: str, error: str
) -> None:
    response = request_token(client, body, **basic(CLIENT_ID, CLIENT_SECRET))

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_credentials_sent_twice_are_invalid_request(
    client: Client, sandbox_client: SandboxClient
) -> None:
    response = request_token(
        client,
        f"grant_type=client_credentials&client_id={CLIENT_ID}&client_secret={CLIENT_SECRET}",
        **basic(CLIENT_ID, CLIENT_SECRET),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_json_body_is_invalid_request(client: Client, sandbox_client: SandboxClient) -> None:
    response = client.post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        content_type="application/json",
        headers=basic(CLIENT_ID, CLIENT_SECRET),
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_token_endpoint_takes_only_post(client: Client, db: Any) -> None:
    assert client.get(TOKEN_URL).status_code == 405
