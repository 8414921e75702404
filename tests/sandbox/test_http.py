"""The sandbox over real HTTP, driven the way the desk drives Clarus: authlib, then httpx."""

from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client

from sandbox.models import SandboxGoodsOut
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, goods_out_document


@pytest.fixture
def base_url(live_server: Any, transactional_db: Any, make_client: Any) -> str:
    make_client()
    return f"{live_server.url}/sandbox"


@pytest.mark.parametrize("auth_method", ["client_secret_basic", "client_secret_post"])
def test_authlib_token_then_goods_out(base_url: str, auth_method: str) -> None:
    with OAuth2Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        token_endpoint_auth_method=auth_method,
        timeout=10,
    ) as oauth:
        token = oauth.fetch_token(f"{base_url}/oauth/token", grant_type="client_credentials")

    with httpx.Client(timeout=10) as http:
        response = http.post(
            f"{base_url}/api/goods_outs",
            json=goods_out_document(),
            headers={
                "Authorization": f"Bearer {token['access_token']}",
                "X-Clarus-Subdomain": "acme",
            },
        )

    assert token["token_type"] == "Bearer"
    assert response.status_code == 200
    assert response.json()["data"]["id"] == SandboxGoodsOut.objects.get().pk


def test_wrong_secret_over_http_is_invalid_client(base_url: str) -> None:
    with httpx.Client(timeout=10) as http:
        response = http.post(
            f"{base_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, "wrong"),
        )

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
