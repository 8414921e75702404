"""drop_after_store over real sockets: the client sees a transport error, Clarus has the order."""

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from django.test import RequestFactory

from sandbox.faults import ConnectionDropped, connection_drop, faults_set
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, goods_out_document

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def fetch_token(http: httpx.Client, base_url: str) -> str:
    response = http.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    access_token: str = response.json()["access_token"]
    return access_token


@pytest.mark.parametrize("path", ["api/goods_outs", "api/v1/goods_outs"])
def test_live_server_drops_the_connection_after_storing(base_url: str, path: str) -> None:
    faults_set(subdomain="acme", drop_after_store=1)

    with httpx.Client(timeout=10) as http:
        headers = {
            "Authorization": f"Bearer {fetch_token(http, base_url)}",
            "X-Clarus-Subdomain": "acme",
        }
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            http.post(f"{base_url}/{path}", json=goods_out_document(), headers=headers)
        again = http.post(f"{base_url}/{path}", json=goods_out_document(), headers=headers)

    dropped, answered = SandboxGoodsOut.objects.order_by("pk")
    assert dropped.reference == "SO-1001"
    assert again.status_code == 200
    assert again.json()["data"]["id"] == answered.pk
    assert SandboxSubdomain.objects.get(slug="acme").drop_after_store == 0


def test_live_server_drops_as_many_as_asked(base_url: str) -> None:
    faults_set(subdomain="acme", drop_after_store=2)

    with httpx.Client(timeout=10) as http:
        headers = {
            "Authorization": f"Bearer {fetch_token(http, base_url)}",
            "X-Clarus-Subdomain": "acme",
        }
        outcomes = []
        for _ in range(3):
            try:
                response = http.post(
                    f"{base_url}/api/goods_outs", json=goods_out_document(), headers=headers
                )
            except httpx.TransportError as error:
                outcomes.append(type(error).__name__)
            else:
                outcomes.append(str(response.status_code))

    assert outcomes == ["RemoteProtocolError", "RemoteProtocolError", "200"]
    assert SandboxGoodsOut.objects.count() == 3


def dropping_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI app that drops its connection the sandbox's way, for servers other than Django's."""
    request = RequestFactory().generic("POST", "/")
    request.META = environ
    try:
        connection_drop(request)
    except ConnectionDropped:
        start_response("500 Internal Server Error", [])
        return [b"no socket to drop"]
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_plain_wsgiref_server_drops_too() -> None:
    server = make_server("127.0.0.1", 0, dropping_app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"http://127.0.0.1:{server.server_port}/", content=b"{}", timeout=5)
    finally:
        server.shutdown()
        server.server_close()


def test_gunicorn_socket_is_shut_down() -> None:
    ours, peer = socket.socketpair()
    with ours, peer:
        request = RequestFactory().post("/")
        request.META["gunicorn.socket"] = ours

        connection_drop(request)

        assert peer.recv(1) == b""


def test_without_a_socket_the_drop_is_an_exception() -> None:
    with pytest.raises(ConnectionDropped):
        connection_drop(RequestFactory().post("/"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture(params=["sync", "gthread"])
def gunicorn_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Serve tests/sandbox/drop_app.py with gunicorn; return its URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            request.param,
            "--log-level",
            "warning",
            "tests.sandbox.drop_app:application",
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn exited: {server.stderr.read().decode()}")  # type: ignore[union-attr]
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not start in time")
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_gunicorn_drops_the_connection(gunicorn_url: str) -> None:
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        httpx.post(gunicorn_url, json={"data": {}}, timeout=5)
