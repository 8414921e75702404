from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sandbox.models import SandboxClient, SandboxUser
from sandbox.services import access_token_issue, client_register, user_register
from tests.sandbox.factories import (
    CLIENT_ID,
    CLIENT_SECRET,
    GOODS_OUTS,
    PASSWORD,
    REDIRECT_URI,
    USERNAME,
)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    # The default hasher takes a third of a second per secret; the tests check many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_client(db: Any) -> Callable[..., SandboxClient]:
    def make(
        subdomain: str = "acme",
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        **options: Any,
    ) -> SandboxClient:
        options.setdefault("redirect_uris", [REDIRECT_URI])
        client, _created = client_register(
            subdomain=subdomain, client_id=client_id, client_secret=client_secret, **options
        )
        return client

    return make


@pytest.fixture
def sandbox_client(make_client: Callable[..., SandboxClient]) -> SandboxClient:
    return make_client()


@pytest.fixture
def sandbox_user(sandbox_client: SandboxClient) -> SandboxUser:
    user, _created = user_register(subdomain="acme", username=USERNAME, password=PASSWORD)
    return user


@pytest.fixture
def token(sandbox_client: SandboxClient) -> str:
    _row, token = access_token_issue(client=sandbox_client)
    return token


@pytest.fixture
def post_goods_out(client: Client, token: str) -> Callable[..., Any]:
    """Return a function that POSTs a document to the goods-out endpoint as the desk would."""

    def post(
        document: Any,
        *,
        path: str = GOODS_OUTS,
        bearer: str | None = None,
        subdomain: str | None = "acme",
        content_type: str = "application/json",
    ) -> Any:
        headers = {"Authorization": f"Bearer {bearer or token}"}
        if subdomain is not None:
            headers["X-Clarus-Subdomain"] = subdomain
        return client.post(path, document, content_type=content_type, headers=headers)

    return post


@pytest.fixture
def base_url(live_server: Any, transactional_db: Any, make_client: Callable[..., Any]) -> str:
    """Return the sandbox's URL on the live test server, with the desk's client registered."""
    make_client()
    return f"{live_server.url}/sandbox"
