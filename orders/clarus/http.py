"""The configured HTTP client and header redaction shared by every Clarus call."""

import atexit
import logging
import os
import ssl
import threading
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from http.cookiejar import CookieJar, DefaultCookiePolicy

import certifi
import httpx
from django.conf import settings

from orders import telemetry
from orders.models import Tenant

# How tests swap the network for a function (httpx.MockTransport); callers outside this package
# name it, never httpx.
Transport = httpx.BaseTransport

REDACTED = "[redacted]"
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return headers with credentials replaced, for storing and showing."""
    return {
        name: (REDACTED if name.lower() in SENSITIVE_HEADERS else value)
        for name, value in headers.items()
    }


def rest_url(tenant: Tenant, path: str) -> str:
    """Return the absolute URL of a REST path such as ``goods_outs``."""
    prefix = tenant.api_path_prefix.strip("/")
    base = tenant.api_base_url.rstrip("/")
    return f"{base}/{prefix}/{path.lstrip('/')}" if prefix else f"{base}/{path.lstrip('/')}"


def graphql_url(tenant: Tenant) -> str:
    # Clarus: GraphQL lives at /graphql beside the REST prefix, not under it (CONTRACT.md §1.4).
    return f"{tenant.api_base_url.rstrip('/')}/graphql"


def http_timeout(read: float | None = None) -> httpx.Timeout:
    """Return the Clarus timeouts; ``read`` shortens them for calls someone waits on."""
    if read is None:
        return httpx.Timeout(settings.CLARUS_READ_TIMEOUT, connect=settings.CLARUS_CONNECT_TIMEOUT)
    return httpx.Timeout(read, connect=min(read, settings.CLARUS_CONNECT_TIMEOUT))


@cache
def tls_context() -> ssl.SSLContext:
    """Return the TLS settings every Clarus call shares (httpx's own defaults).

    Built once: loading the CA bundle costs about 20 ms, more than a whole lookup should.
    """
    return ssl.create_default_context(cafile=certifi.where())


def http_client(
    transport: httpx.BaseTransport | None = None, *, timeout: float | None = None
) -> httpx.Client:
    """Return a new httpx client for Clarus calls, configured as the shared one; the caller
    closes it. For a request through a transport of its own (tests); the desk's own calls go
    through ``shared_client``."""
    return httpx.Client(
        timeout=http_timeout(timeout),
        transport=transport,
        follow_redirects=False,
        verify=tls_context(),
    )


# Seconds an idle connection to Clarus is kept for the next request: shorter than servers keep
# theirs (gunicorn 2 s, nginx 75 s…) would be safest, long enough for a submit's requests and
# the next agent's. httpx drops a kept connection the server has closed before reusing it.
KEEPALIVE_SECONDS = 1.5
_shared_lock = threading.Lock()
_shared: tuple[int, httpx.Client] | None = None


def shared_client() -> httpx.Client:
    """Return this process's client for Clarus: one connection pool (and TLS context) for every
    request, thread-safe, kept connections reused instead of a new connection and TLS handshake
    per request.

    One per process: a process forked from one that had it (gunicorn's workers) builds its own
    rather than share the parent's sockets. Closed when the process exits. Each request passes
    its own timeout (``http_timeout``).
    """
    global _shared
    pid = os.getpid()
    current = _shared
    if current is not None and current[0] == pid:
        return current[1]
    with _shared_lock:
        if _shared is None or _shared[0] != pid:
            client = httpx.Client(
                timeout=http_timeout(),
                follow_redirects=False,
                verify=tls_context(),
                limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
                # Tenants share the client and often Clarus's host: a cookie one tenant's answer
                # sets must never go out with another's request, so none is kept.
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            )
            # A forked copy of the parent's client is left alone: closing it would close the
            # parent's connections.
            _shared = (pid, client)
        return _shared[1]


def shared_client_close() -> None:
    """Close this process's client and its connections (the next request builds another)."""
    global _shared
    with _shared_lock:
        current, _shared = _shared, None
    if current is not None and current[0] == os.getpid():
        current[1].close()


atexit.register(shared_client_close)


class Endpoint(StrEnum):
    """What a request to Clarus was for: the fixed names its metrics and log lines use."""

    TOKEN = "token"
    GOODS_OUT_CREATE = "goods_out_create"
    GOODS_OUT_CANCEL = "goods_out_cancel"
    GOODS_OUT_LOOKUP = "goods_out_lookup"
    GOODS_OUT_AMEND = "goods_out_amend"
    GOODS_OUT_READ = "goods_out_read"
    CATALOGUE = "catalogue"
    OTHER = "other"


exchange_logger = logging.getLogger("desk.clarus")


def answer_outcome(status: int) -> str:
    """Return the outcome a Clarus answer's HTTP status stands for, in a word."""
    if 200 <= status < 300:
        return "ok"
    named = {401: "unauthorized", 422: "rejected", 429: "throttled"}
    if status in named:
        return named[status]
    return "server_error" if status >= 500 else "client_error"


def exchange_observe(
    *,
    tenant: Tenant,
    endpoint: Endpoint,
    outcome: str,
    duration_ms: int,
    status: int | None = None,
) -> None:
    """Count one request to Clarus (or one that could not be sent) and log a line for it.

    The line names the endpoint, never the URL or anything sent: ids and the tenant only.
    """
    telemetry.clarus_request_seconds.labels(endpoint=endpoint.value, outcome=outcome).observe(
        duration_ms / 1000
    )
    exchange_logger.info(
        "Clarus %s: %s in %d ms",
        endpoint.value,
        outcome,
        duration_ms,
        extra={
            "desk": {
                "event": "clarus_exchange",
                "tenant": tenant.subdomain,
                "endpoint": endpoint.value,
                "outcome": outcome,
                "status": status,
                "duration_ms": duration_ms,
            }
        },
    )
