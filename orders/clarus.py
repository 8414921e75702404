"""The one module that talks to Clarus: URLs, headers, OAuth tokens, timeouts, httpx.

Every call returns a ``ClarusExchange``: what was sent and what came back (or why nothing came
back), with the bearer token already redacted so the exchange can be stored as it is.
"""

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from django.conf import settings
from django.utils import timezone

from orders.models import Tenant

REDACTED = "[redacted]"
# Fetch a new token this long before the current one runs out, so a request never races expiry.
TOKEN_EXPIRY_MARGIN = timedelta(seconds=30)
# Clarus documents no token lifetime (CONTRACT.md §8): without expires_in, assume a short one.
DEFAULT_TOKEN_LIFETIME = timedelta(minutes=5)
SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})


class ClarusAuthError(Exception):
    """Clarus refused the tenant's client credentials."""


@dataclass(frozen=True)
class ClarusExchange:
    """One request to Clarus and its answer, safe to store."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    started_at: datetime
    duration_ms: int
    status: int | None = None
    response_headers: dict[str, str] | None = None
    response_body: str = ""
    # Why no answer came back: set when status is None.
    transport_error: str = ""
    # True when the request may have reached Clarus although no answer came back.
    may_have_arrived: bool = False
    auth_failed: bool = False

    def json(self) -> Any:
        """Return the response body parsed as JSON, or None if it is not JSON."""
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return headers with credentials replaced, for storing and showing."""
    return {
        name: (REDACTED if name.lower() in SENSITIVE_HEADERS else value)
        for name, value in headers.items()
    }


def http_timeout() -> httpx.Timeout:
    return httpx.Timeout(
        settings.CLARUS_READ_TIMEOUT,
        connect=settings.CLARUS_CONNECT_TIMEOUT,
    )


def http_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """Return the configured httpx client for Clarus calls."""
    return httpx.Client(timeout=http_timeout(), transport=transport, follow_redirects=False)


def _token_is_fresh(tenant: Tenant) -> bool:
    return bool(
        tenant.access_token
        and tenant.access_token_expires_at
        and tenant.access_token_expires_at - TOKEN_EXPIRY_MARGIN > timezone.now()
    )


def fetch_access_token(tenant: Tenant, *, transport: httpx.BaseTransport | None = None) -> str:
    """Fetch a client-credentials token for ``tenant`` and keep it on the tenant row."""
    oauth = OAuth2Client(
        client_id=tenant.client_id,
        client_secret=tenant.client_secret,
        token_endpoint_auth_method="client_secret_basic",
        timeout=http_timeout(),
        transport=transport,
    )
    try:
        with oauth:
            token = oauth.fetch_token(tenant.token_url, grant_type="client_credentials")
    except OAuthError as exc:
        raise ClarusAuthError(f"Clarus refused the desk's credentials ({exc.error}).") from exc
    except httpx.HTTPError as exc:
        raise ClarusAuthError(f"The Clarus token service could not be reached ({exc}).") from exc
    except ValueError as exc:
        # authlib raises a plain ValueError when the token answer is not JSON.
        raise ClarusAuthError(
            "The Clarus token service gave an answer that is not a token."
        ) from exc
    access_token = token.get("access_token")
    if not access_token:
        raise ClarusAuthError("The Clarus token service answered without an access token.")
    expires_in = token.get("expires_in")
    lifetime = timedelta(seconds=int(expires_in)) if expires_in else DEFAULT_TOKEN_LIFETIME
    tenant.access_token = str(access_token)
    tenant.access_token_expires_at = timezone.now() + lifetime
    tenant.save(update_fields=["access_token", "access_token_expires_at"])
    return tenant.access_token


def access_token(tenant: Tenant, *, transport: httpx.BaseTransport | None = None) -> str:
    """Return a usable bearer token for ``tenant``, fetching one when needed."""
    if _token_is_fresh(tenant):
        return tenant.access_token
    return fetch_access_token(tenant, transport=transport)


def forget_access_token(tenant: Tenant) -> None:
    """Drop the stored token so the next call fetches a new one."""
    tenant.access_token = ""
    tenant.access_token_expires_at = None
    tenant.save(update_fields=["access_token", "access_token_expires_at"])


def post_json(
    tenant: Tenant,
    path: str,
    document: Mapping[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
) -> ClarusExchange:
    """POST ``document`` to the tenant's REST ``path`` and return the exchange."""
    url = tenant.api_url(path)
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "Authorization": "Bearer …",
        # Clarus: the tenant header goes on every call beside the token (CONTRACT.md §1.2).
        "X-Clarus-Subdomain": tenant.subdomain,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    sent = ClarusExchange(
        method="POST",
        url=url,
        request_headers=redact_headers(headers),
        request_body=body,
        started_at=timezone.now(),
        duration_ms=0,
    )
    clock = time.monotonic()

    def answered(**outcome: Any) -> ClarusExchange:
        return replace(sent, duration_ms=round((time.monotonic() - clock) * 1000), **outcome)

    try:
        headers["Authorization"] = f"Bearer {access_token(tenant, transport=transport)}"
    except ClarusAuthError as exc:
        return answered(transport_error=str(exc), auth_failed=True)
    try:
        with http_client(transport) as client:
            response = client.post(url, content=body.encode(), headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        return answered(transport_error=f"Could not connect to Clarus at {url} ({exc}).")
    except httpx.TimeoutException:
        return answered(
            transport_error=f"Clarus did not answer within {settings.CLARUS_READ_TIMEOUT:g} s.",
            may_have_arrived=True,
        )
    except httpx.HTTPError as exc:
        return answered(
            transport_error=f"The connection to Clarus broke before it answered ({exc}).",
            may_have_arrived=True,
        )
    if response.status_code == 401:
        # The stored token is no good (expired early or revoked): the next call fetches another.
        forget_access_token(tenant)
    return answered(
        status=response.status_code,
        response_headers=redact_headers(dict(response.headers)),
        response_body=response.text,
        auth_failed=response.status_code == 401,
    )
