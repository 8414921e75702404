"""Shared fixtures: staff logins, and a desk tenant wired to the sandbox over real HTTP."""

import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.testcases import LiveServerThread

from clarus_admin.development_server import ThreadedNoDelayWSGIServer
from orders.clarus import access_token
from orders.models import Tenant
from sandbox.seed import catalogue_seed

SANDBOX_CLIENT_ID = "desk-tests"
SANDBOX_CLIENT_SECRET = "desk-tests-secret-0123456789"
# The Clarus hosts the desk may call in tests: the sandbox on loopback (the live server answers
# at localhost), the test client's host, and the made-up hosts of the unit tests.
TEST_CLARUS_HOSTS = ["127.0.0.1", "localhost", "testserver", "clarus.test", "clarus.example"]

# pytest-django's live_server runs Django's LiveServerThread, whose server would hold each
# answer's body back 40 ms on a kept connection (clarus_admin/development_server.py).
LiveServerThread.server_class = ThreadedNoDelayWSGIServer


@pytest.fixture(autouse=True, scope="session")
def expected_database() -> None:
    """Fail the run if it was meant for another database than the one configured."""
    expected = os.environ.get("DESK_EXPECT_DATABASE")
    if expected:
        assert connection.vendor == expected, f"expected {expected}, running on {connection.vendor}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def clarus_hosts(settings: Any) -> list[str]:
    """Let the desk call the test Clarus hosts, over plain http as in development."""
    settings.DESK_CLARUS_HOSTS = list(TEST_CLARUS_HOSTS)
    settings.DESK_CLARUS_REQUIRE_HTTPS = False
    return settings.DESK_CLARUS_HOSTS


@pytest.fixture
def agent(db: Any) -> User:
    return User.objects.create_user("agent", password="agent-pass-123")


@pytest.fixture
def agent_client(client: Any, agent: User) -> Any:
    client.force_login(agent)
    return client


@pytest.fixture
def make_tenant(db: Any) -> Callable[..., Tenant]:
    def make(**fields: Any) -> Tenant:
        values = {
            "name": "Acme 3PL",
            "subdomain": "acme",
            "api_base_url": "http://clarus.test",
            "token_url": "http://clarus.test/oauth/token",
            "client_id": "client-id",
            "client_secret": "client-secret-value",
        }
        values.update(fields)
        return Tenant.objects.create(**values)

    return make


@pytest.fixture
def sandbox_tenant(live_server: Any, transactional_db: Any) -> Tenant:
    """Return a desk tenant whose Clarus is the sandbox served by the live test server."""
    call_command(
        "sandbox_client",
        subdomain="acme",
        name="Acme Warehouse",
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
    )
    base_url = f"{live_server.url}/sandbox"
    return Tenant.objects.create(
        name="Acme 3PL",
        subdomain="acme",
        api_base_url=base_url,
        token_url=f"{base_url}/oauth/token",
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
    )


@pytest.fixture(autouse=True)
def fresh_lookup_cache() -> None:
    """Start every test with an empty cache: Clarus lookups are cached per tenant id."""
    cache.clear()


@pytest.fixture
def catalogue_tenant(sandbox_tenant: Tenant) -> Tenant:
    """Return the sandbox tenant with a small seeded catalogue (200 products, seed 1).

    It holds a token already: a page's first lookups, sent together, would otherwise each ask
    for one, and the in-memory SQLite test database refuses concurrent writes.
    """
    catalogue_seed(subdomain="acme", products=200, seed=1)
    access_token(sandbox_tenant)
    return sandbox_tenant


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """Keep SQLite's test database in a file, not in shared memory.

    The live server answers the browser's requests on several threads at once (lookups, a new
    line, the sandbox behind them), and each renews the session: in shared memory SQLite refuses
    a second writer outright ("database table is locked"), in a file it waits its turn.
    """
    database = django_settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})
        name = f"desk-tests-{os.getpid()}.sqlite3"
        database["TEST"]["NAME"] = str(Path(tempfile.gettempdir()) / name)


@dataclass(frozen=True)
class Heard:
    """One request a ``listener`` received."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Listener:
    """A tiny HTTP server on loopback that records every request and answers like a token
    endpoint: an address the desk must not call, to see whether it did."""

    url: str
    heard: list[Heard] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    heard: list[Heard] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            heard.append(Heard(self.command, self.path, dict(self.headers.items()), body))
            answer = json.dumps({"access_token": "listener-token", "expires_in": 3600}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Listener(url=f"http://127.0.0.1:{server.server_address[1]}", heard=heard)
    finally:
        server.shutdown()
        server.server_close()
