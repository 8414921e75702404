import uuid
from typing import Any

import pytest
from django.test import Client

from sandbox.models import SandboxAccessToken, SandboxClient, SandboxRefreshToken, SandboxUser
from sandbox.services import (
    access_token_issue,
    goods_out_create,
    refresh_token_issue,
    token_request_log,
)
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, PASSWORD, goods_out_document


@pytest.fixture
def records(sandbox_client: SandboxClient, sandbox_user: SandboxUser) -> dict[str, Any]:
    row, token = access_token_issue(client=sandbox_client)
    refresh_row, refresh_token = refresh_token_issue(
        client=sandbox_client, user=sandbox_user, family=uuid.uuid4()
    )
    token_request_log(
        client=sandbox_client,
        client_id=CLIENT_ID,
        grant_type="client_credentials",
        outcome="issued",
    )
    goods_out = goods_out_create(subdomain=sandbox_client.subdomain, document=goods_out_document())
    return {
        "client": sandbox_client,
        "user": sandbox_user,
        "token_row": row,
        "token": token,
        "refresh_row": refresh_row,
        "refresh_token": refresh_token,
        "goods_out": goods_out,
    }


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sandbox/sandboxsubdomain/",
        "/admin/sandbox/sandboxclient/",
        "/admin/sandbox/sandboxaccesstoken/",
        "/admin/sandbox/sandboxgoodsout/",
        "/admin/sandbox/sandboxrefreshtoken/",
        "/admin/sandbox/sandboxuser/",
        "/admin/sandbox/sandboxtokenrequest/",
    ],
)
def test_changelists_show_no_secrets(
    admin_client: Client, records: dict[str, Any], url: str
) -> None:
    response = admin_client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert records["client"].secret_hash not in page
    assert records["token_row"].digest not in page
    assert records["token"] not in page
    assert records["refresh_row"].digest not in page
    assert records["refresh_token"] not in page
    assert records["user"].password_hash not in page
    assert CLIENT_SECRET not in page
    assert PASSWORD not in page


def test_client_and_token_pages_show_no_secrets(
    admin_client: Client, records: dict[str, Any]
) -> None:
    client_page = admin_client.get(f"/admin/sandbox/sandboxclient/{records['client'].pk}/change/")
    token_page = admin_client.get(
        f"/admin/sandbox/sandboxaccesstoken/{records['token_row'].pk}/change/"
    )

    assert client_page.status_code == 200
    assert token_page.status_code == 200
    assert records["client"].secret_hash not in client_page.content.decode()
    assert records["token_row"].digest not in token_page.content.decode()


def test_goods_out_page_shows_the_document(admin_client: Client, records: dict[str, Any]) -> None:
    response = admin_client.get(f"/admin/sandbox/sandboxgoodsout/{records['goods_out'].pk}/change/")

    assert response.status_code == 200
    assert "SO-1001" in response.content.decode()
    assert "<pre>" in response.content.decode()


def test_clients_cannot_be_added_in_the_admin(admin_client: Client, db: Any) -> None:
    assert admin_client.get("/admin/sandbox/sandboxclient/add/").status_code == 403


def test_revoke_action(admin_client: Client, records: dict[str, Any]) -> None:
    response = admin_client.post(
        "/admin/sandbox/sandboxaccesstoken/",
        {"action": "revoke", "_selected_action": [records["token_row"].pk]},
    )

    assert response.status_code == 302
    assert SandboxAccessToken.objects.get().revoked


def test_user_and_refresh_token_pages_show_no_secrets(
    admin_client: Client, records: dict[str, Any]
) -> None:
    user_page = admin_client.get(f"/admin/sandbox/sandboxuser/{records['user'].pk}/change/")
    refresh_page = admin_client.get(
        f"/admin/sandbox/sandboxrefreshtoken/{records['refresh_row'].pk}/change/"
    )

    assert user_page.status_code == 200
    assert refresh_page.status_code == 200
    assert records["user"].password_hash not in user_page.content.decode()
    assert records["refresh_row"].digest not in refresh_page.content.decode()


def test_users_cannot_be_added_in_the_admin(admin_client: Client, db: Any) -> None:
    assert admin_client.get("/admin/sandbox/sandboxuser/add/").status_code == 403


def test_refresh_token_revoke_action_ends_the_authorization(
    admin_client: Client, records: dict[str, Any], sandbox_client: SandboxClient
) -> None:
    refresh_row = records["refresh_row"]
    _access, _token = access_token_issue(
        client=sandbox_client, user=records["user"], refresh_token=refresh_row
    )

    response = admin_client.post(
        "/admin/sandbox/sandboxrefreshtoken/",
        {"action": "revoke", "_selected_action": [refresh_row.pk]},
    )

    assert response.status_code == 302
    assert SandboxRefreshToken.objects.get().revoked
    assert SandboxAccessToken.objects.get(refresh_token=refresh_row).revoked
    assert not SandboxAccessToken.objects.get(pk=records["token_row"].pk).revoked


def test_fault_knobs_are_editable_in_the_admin(
    admin_client: Client, sandbox_client: SandboxClient
) -> None:
    subdomain = sandbox_client.subdomain

    response = admin_client.post(
        f"/admin/sandbox/sandboxsubdomain/{subdomain.pk}/change/",
        {
            "slug": "acme",
            "name": "Acme",
            "latency_ms": "0",
            "forced_status": "429",
            "retry_after_seconds": "9",
            "fail_next": "2",
            "drop_after_store": "1",
            "expire_tokens_after": "",
        },
    )

    assert response.status_code == 302
    subdomain.refresh_from_db()
    assert (subdomain.forced_status, subdomain.retry_after_seconds) == (429, 9)
    assert (subdomain.fail_next, subdomain.drop_after_store) == (2, 1)
