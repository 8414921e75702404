"""The token-request log tests count: one row per call to the token endpoint."""

from typing import Any

from django.test import Client

from sandbox.models import SandboxClient, SandboxTokenRequest
from sandbox.selectors import token_request_count
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, REVOKE, TOKEN, basic_auth, post_form


def test_each_call_is_one_row(client: Client, sandbox_client: SandboxClient) -> None:
    for _ in range(3):
        post_form(client, TOKEN, {"grant_type": "client_credentials"}, headers=basic_auth())

    assert token_request_count(client_id=CLIENT_ID) == 3
    row = SandboxTokenRequest.objects.first()
    assert row is not None
    assert row.client == sandbox_client
    assert row.presented_client_id == CLIENT_ID
    assert row.grant_type == "client_credentials"
    assert row.outcome == SandboxTokenRequest.ISSUED


def test_refusals_are_counted_with_their_error(
    client: Client, sandbox_client: SandboxClient
) -> None:
    post_form(client, TOKEN, {"grant_type": "client_credentials"}, headers=basic_auth())
    post_form(
        client, TOKEN, {"grant_type": "client_credentials"}, headers=basic_auth(CLIENT_ID, "x")
    )
    post_form(client, TOKEN, {"grant_type": "refresh_token", "refresh_token": "x"}, basic_auth())
    post_form(client, TOKEN, {"grant_type": "password"}, headers=basic_auth())

    assert token_request_count(client_id=CLIENT_ID) == 4
    assert token_request_count(client_id=CLIENT_ID, outcome="issued") == 1
    assert token_request_count(client_id=CLIENT_ID, outcome="invalid_client") == 1
    assert token_request_count(client_id=CLIENT_ID, grant_type="refresh_token") == 1
    assert token_request_count(client_id=CLIENT_ID, outcome="unsupported_grant_type") == 1
    failed = SandboxTokenRequest.objects.get(outcome="invalid_client")
    assert failed.client is None


def test_form_client_id_is_recorded_when_authentication_fails(client: Client, db: Any) -> None:
    post_form(
        client,
        TOKEN,
        {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )

    assert token_request_count(client_id="nobody", outcome="invalid_client") == 1


def test_clients_are_counted_apart(
    client: Client, sandbox_client: SandboxClient, make_client: Any
) -> None:
    make_client(client_id="other-desk")

    post_form(client, TOKEN, {"grant_type": "client_credentials"}, headers=basic_auth())
    post_form(
        client,
        TOKEN,
        {"grant_type": "client_credentials"},
        headers=basic_auth("other-desk", CLIENT_SECRET),
    )

    assert token_request_count(client_id=CLIENT_ID) == 1
    assert token_request_count(client_id="other-desk") == 1


def test_revocation_is_not_a_token_request(client: Client, token: str) -> None:
    post_form(client, REVOKE, {"token": token}, headers=basic_auth())

    assert not SandboxTokenRequest.objects.exists()
