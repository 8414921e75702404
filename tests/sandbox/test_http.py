"""The sandbox over real HTTP, driven the way the desk drives Clarus: authlib, then httpx."""

import html
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client

from sandbox.faults import faults_set
from sandbox.models import SandboxGoodsOut, SandboxRefreshToken
from sandbox.selectors import token_request_count
from sandbox.services import user_register
from tests.sandbox.factories import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    REDIRECT_URI,
    USERNAME,
    goods_out_document,
)


def client_credentials_token(base_url: str) -> str:
    with httpx.Client(timeout=10) as http:
        response = http.post(
            f"{base_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(CLIENT_ID, CLIENT_SECRET),
        )
    access_token: str = response.json()["access_token"]
    return access_token


def goods_out_post(http: httpx.Client, base_url: str, access_token: str) -> httpx.Response:
    return http.post(
        f"{base_url}/api/goods_outs",
        json=goods_out_document(),
        headers={"Authorization": f"Bearer {access_token}", "X-Clarus-Subdomain": "acme"},
    )


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
        response = goods_out_post(http, base_url, token["access_token"])

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


def sign_in(authorization_url: str) -> str:
    """Sign in on the authorization page as a browser would; return where it redirects."""
    with httpx.Client(timeout=10) as browser:
        page = browser.get(authorization_url)
        assert page.status_code == 200
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert action is not None
        assert csrf_token is not None
        answer = browser.post(
            str(page.url.join(html.unescape(action[1]))),
            data={
                "csrfmiddlewaretoken": csrf_token[1],
                "username": USERNAME,
                "password": PASSWORD,
                "decision": "allow",
            },
        )
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_authlib_authorization_code_with_pkce_then_refresh(base_url: str) -> None:
    user_register(subdomain="acme", username=USERNAME, password=PASSWORD)
    code_verifier = generate_token(48)

    with OAuth2Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        timeout=10,
    ) as oauth:
        url, state = oauth.create_authorization_url(
            f"{base_url}/oauth/authorize", code_verifier=code_verifier
        )
        callback = sign_in(url)
        # authlib checks the state that came back against the one it sent.
        token = oauth.fetch_token(
            f"{base_url}/oauth/token",
            authorization_response=callback,
            code_verifier=code_verifier,
            state=state,
        )
        refreshed = oauth.refresh_token(f"{base_url}/oauth/token")
        with httpx.Client(timeout=10) as http:
            used = goods_out_post(http, base_url, refreshed["access_token"])
        oauth.revoke_token(
            f"{base_url}/oauth/revoke",
            token=refreshed["refresh_token"],
            token_type_hint="refresh_token",
        )
        with httpx.Client(timeout=10) as http:
            after_revocation = goods_out_post(http, base_url, refreshed["access_token"])

    assert callback.startswith(f"{REDIRECT_URI}?code=")
    assert f"state={state}" in callback
    assert token["token_type"] == "Bearer"
    assert token["refresh_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert refreshed["access_token"] != token["access_token"]
    assert used.status_code == 200
    assert after_revocation.status_code == 401
    assert not SandboxRefreshToken.objects.filter(revoked=False).exists()
    assert token_request_count(client_id=CLIENT_ID, grant_type="authorization_code") == 1
    assert token_request_count(client_id=CLIENT_ID, grant_type="refresh_token") == 1


# The live server shares one in-memory SQLite connection between its threads, which cannot take
# concurrent queries: these run only in `make test`'s PostgreSQL pass (marker postgres_only).


@pytest.mark.postgres_only
def test_fail_next_counts_concurrent_requests_once_each(base_url: str) -> None:
    access_token = client_credentials_token(base_url)
    faults_set(subdomain="acme", fail_next=4)

    def post(_index: int) -> int:
        with httpx.Client(timeout=20) as http:
            return goods_out_post(http, base_url, access_token).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(post, range(8)))

    assert statuses == [200] * 4 + [500] * 4
    assert SandboxGoodsOut.objects.count() == 4


@pytest.mark.postgres_only
def test_expire_tokens_after_counts_concurrent_requests(base_url: str) -> None:
    access_token = client_credentials_token(base_url)
    faults_set(subdomain="acme", expire_tokens_after=3)

    def post(_index: int) -> int:
        with httpx.Client(timeout=20) as http:
            return goods_out_post(http, base_url, access_token).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(post, range(6)))
    with httpx.Client(timeout=10) as http:
        after = goods_out_post(http, base_url, access_token)

    # Requests already past the token check when the third is stored may still get in.
    assert statuses.count(200) >= 3
    assert after.status_code == 401
    assert SandboxGoodsOut.objects.count() == statuses.count(200)


def test_token_requests_are_counted_over_http(base_url: str) -> None:
    for _ in range(2):
        client_credentials_token(base_url)

    assert token_request_count(client_id=CLIENT_ID, outcome="issued") == 2
