"""The configured HTTP client and header redaction shared by every Clarus call."""

import ssl
from collections.abc import Mapping
from functools import cache

import certifi
import httpx
from django.conf import settings

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
