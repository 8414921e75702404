from typing import Any

import pytest
from django.test import Client

from sandbox.models import SandboxAccessToken, SandboxClient
from sandbox.services import access_token_issue, goods_out_create
from tests.sandbox.factories import CLIENT_SECRET, goods_out_document


@pytest.fixture
def records(sandbox_client: SandboxClient) -> dict[str, Any]:
    row, token = access_token_issue(client=sandbox_client)
    goods_out = goods_out_create(subdomain=sandbox_client.subdomain, document=goods_out_document())
    return {"client": sandbox_client, "token_row": row, "token": token, "goods_out": goods_out}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/sandbox/sandboxsubdomain/",
        "/admin/sandbox/sandboxclient/",
        "/admin/sandbox/sandboxaccesstoken/",
        "/admin/sandbox/sandboxgoodsout/",
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
    assert CLIENT_SECRET not in page


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
