"""``runserver`` and the test live server send each answer at once, as gunicorn does: TCP_NODELAY
on every connection they accept (clarus_admin/development_server.py)."""

import socket
import socketserver
from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver
from django.core.management import get_commands, load_command_class
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer


def accepted_connection_nodelay(server_class: type[socketserver.TCPServer]) -> int:
    """Accept one loopback connection on a new ``server_class``; return its TCP_NODELAY."""
    server = server_class(("127.0.0.1", 0), WSGIRequestHandler)
    try:
        with socket.create_connection(("127.0.0.1", server.server_address[1])):
            connection, _ = server.get_request()
            with connection:
                return connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.server_close()


def test_djangos_own_server_leaves_nagle_on() -> None:
    assert accepted_connection_nodelay(WSGIServer) == 0


def test_runserver_is_the_desks_with_static_files() -> None:
    assert get_commands()["runserver"] == "clarus_admin"
    command = load_command_class("clarus_admin", "runserver")
    assert isinstance(command, StaticRunserver)
    assert accepted_connection_nodelay(command.server_cls) != 0


def test_the_live_server_sends_answers_at_once(live_server: Any) -> None:
    assert accepted_connection_nodelay(type(live_server.thread.httpd)) != 0
