"""Django's own web servers, for ``runserver`` and the test live server, answering without delay.

Django's servers write an answer's headers and its body in two writes. On a kept-alive
connection (the desk's Clarus client keeps its connections, and so do browsers) Nagle's
algorithm holds the body back until the client acknowledges the headers, which Linux delays by
up to 40 ms once a connection has carried a few requests: a request answered in 1 ms took 41.
gunicorn sets TCP_NODELAY on every connection it accepts for this reason (``gunicorn/sock.py``),
so production never waited; these servers do the same.
"""

import socket
import socketserver
from typing import Any

from django.core.servers.basehttp import ThreadedWSGIServer, WSGIServer


class NoDelayConnections(socketserver.TCPServer):
    """Send what is written on each accepted connection at once (TCP_NODELAY)."""

    def get_request(self) -> tuple[socket.socket, Any]:
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class NoDelayWSGIServer(NoDelayConnections, WSGIServer):
    """``runserver``'s server (it adds the threads itself)."""


class ThreadedNoDelayWSGIServer(NoDelayConnections, ThreadedWSGIServer):
    """The test live server's."""
