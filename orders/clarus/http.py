"""The configured HTTP client and header redaction shared by every Clarus call."""

import logging
import ssl
from collections.abc import Mapping
from enum import StrEnum
from functools import cache

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
    """Return the configured httpx client for Clarus calls."""
    return httpx.Client(
        timeout=http_timeout(timeout),
        transport=transport,
        follow_redirects=False,
        verify=tls_context(),
    )


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
