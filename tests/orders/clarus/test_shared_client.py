"""The process's pooled client for Clarus (orders/clarus/http.py, ``shared_client``)."""

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from orders.clarus import http

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: clarus_session=tenant-a; Path=/"
    b"\r\nContent-Length: 2\r\n\r\nok"
)


class Server:
    """An HTTP/1.1 server on loopback that counts connections; ``hang_up`` closes each one
    after its first answer, as a server whose idle timeout ran out does (no ``Connection:
    close`` said)."""

    def __init__(self, *, hang_up: bool) -> None:
        self.hang_up = hang_up
        self.connections = 0
        self.requests: list[bytes] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            received = b""
            while True:
                try:
                    chunk = connection.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                received += chunk
                while b"\r\n\r\n" in received:
                    head, received = received.split(b"\r\n\r\n", 1)
                    self.requests.append(head)
                    connection.sendall(ANSWER)
                    if self.hang_up:
                        return

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def fresh_client() -> Iterator[None]:
    http.shared_client_close()
    yield
    http.shared_client_close()


def test_one_client_per_process(fresh_client, monkeypatch):
    first = http.shared_client()
    assert http.shared_client() is first

    # A worker forked from this process: its own client, the parent's left open for the parent.
    monkeypatch.setattr(http.os, "getpid", lambda: -1)
    forked = http.shared_client()

    assert forked is not first
    assert not first.is_closed
    monkeypatch.undo()
    forked.close()


def test_kept_connections_are_reused(fresh_client):
    server = Server(hang_up=False)
    try:
        answers = [http.shared_client().get(server.url).text for _ in range(3)]
    finally:
        server.close()

    assert answers == ["ok"] * 3
    assert server.connections == 1


def test_a_connection_the_server_closed_is_not_reused(fresh_client):
    server = Server(hang_up=True)
    try:
        first = http.shared_client().get(server.url)
        time.sleep(0.2)  # the server's hang-up reaches this side
        second = http.shared_client().get(server.url)
    finally:
        server.close()

    assert first.text == second.text == "ok"
    assert server.connections == 2


def test_threads_share_the_client(fresh_client):
    server = Server(hang_up=False)
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(lambda _: http.shared_client().get(server.url).text, range(40)))
    finally:
        server.close()

    assert answers == ["ok"] * 40
    assert 1 <= server.connections <= 8


def test_closing_closes_the_connections(fresh_client):
    client = http.shared_client()

    http.shared_client_close()

    assert client.is_closed
    assert http.shared_client() is not client


def test_no_cookie_is_kept_from_one_request_to_the_next(fresh_client):
    """Every tenant's requests share the client: a cookie Clarus set for one must not go out with
    another's."""
    server = Server(hang_up=False)
    try:
        first = http.shared_client().get(server.url)
        http.shared_client().get(server.url, headers={"X-Clarus-Subdomain": "tenant-b"})
    finally:
        server.close()

    assert first.headers["set-cookie"].startswith("clarus_session=")
    assert len(server.requests) == 2
    assert b"cookie:" not in server.requests[1].lower()
    assert not http.shared_client().cookies
