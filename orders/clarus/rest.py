"""Clarus's REST side: JSON:API requests with the three headers Clarus requires.

Every call returns ``ClarusExchange`` records, one per request that went over the wire, with the
bearer token already redacted so they can be stored as they are.
"""

import json
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from orders.clarus.addresses import ClarusAddressRefused, clarus_address_check, path_prefix_check
from orders.clarus.documents import goods_out_body
from orders.clarus.http import (
    Endpoint,
    answer_outcome,
    exchange_observe,
    http_client,
    http_timeout,
    redact_headers,
    rest_url,
    shared_client,
)
from orders.clarus.tokens import (
    ClarusAuthError,
    ClarusTokenUnavailable,
    access_token,
    refresh_access_token,
)
from orders.models import Tenant


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
    # True when Clarus refused the desk's access (a 401, or a refused token refresh).
    auth_failed: bool = False

    def json(self) -> Any:
        """Return the response body parsed as JSON, or None if it is not JSON."""
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None


@sensitive_variables()
def _exchange(
    tenant: Tenant,
    url: str,
    body: str,
    *,
    transport: httpx.BaseTransport | None,
    token: str | None,
    endpoint: Endpoint,
    timeout: float | None = None,
    method: str = "POST",
) -> ClarusExchange:
    """Send one request (or fail to get a token for it) and record what happened."""
    headers = {
        "Authorization": f"Bearer {token}",
        # Clarus: the tenant header goes on every call beside the token (CONTRACT.md §1.2).
        "X-Clarus-Subdomain": tenant.subdomain,
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    sent = ClarusExchange(
        method=method,
        url=url,
        request_headers=redact_headers(headers),
        request_body=body,
        started_at=timezone.now(),
        duration_ms=0,
    )
    clock = time.monotonic()

    def answered(outcome: str, **fields: Any) -> ClarusExchange:
        exchange = replace(sent, duration_ms=round((time.monotonic() - clock) * 1000), **fields)
        exchange_observe(
            tenant=tenant,
            endpoint=endpoint,
            outcome=outcome,
            duration_ms=exchange.duration_ms,
            status=exchange.status,
        )
        return exchange

    try:
        if transport is None:
            response = shared_client().request(
                method, url, content=body.encode(), headers=headers, timeout=http_timeout(timeout)
            )
        else:
            with http_client(transport, timeout=timeout) as client:
                response = client.request(method, url, content=body.encode(), headers=headers)
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        return answered(
            "unreachable", transport_error=f"Could not connect to Clarus at {url} ({exc})."
        )
    except httpx.TimeoutException:
        return answered(
            "no_answer",
            transport_error=(
                f"Clarus did not answer within {timeout or settings.CLARUS_READ_TIMEOUT:g} s."
            ),
            may_have_arrived=True,
        )
    except httpx.HTTPError as exc:
        return answered(
            "no_answer",
            transport_error=f"The connection to Clarus broke before it answered ({exc}).",
            may_have_arrived=True,
        )
    return answered(
        answer_outcome(response.status_code),
        status=response.status_code,
        response_headers=redact_headers(dict(response.headers)),
        response_body=response.text,
        auth_failed=response.status_code == 401,
    )


def _not_sent(
    tenant: Tenant,
    url: str,
    body: str,
    problem: Exception,
    *,
    endpoint: Endpoint,
    method: str = "POST",
) -> ClarusExchange:
    """Record a request that never went over the wire: no token, or an address refused."""
    no_token = isinstance(problem, ClarusAuthError | ClarusTokenUnavailable)
    exchange_observe(
        tenant=tenant,
        endpoint=endpoint,
        outcome="no_token" if no_token else "not_sent",
        duration_ms=0,
    )
    return ClarusExchange(
        method=method,
        url=url,
        request_headers={"X-Clarus-Subdomain": tenant.subdomain},
        request_body=body,
        started_at=timezone.now(),
        duration_ms=0,
        transport_error=str(problem),
        auth_failed=isinstance(problem, ClarusAuthError),
    )


def post_json(
    tenant: Tenant,
    path: str,
    document: Any,
    *,
    endpoint: Endpoint = Endpoint.OTHER,
    transport: httpx.BaseTransport | None = None,
) -> list[ClarusExchange]:
    """POST ``document`` to the tenant's REST ``path``; return every exchange it took.

    ``document`` None sends no body, for Clarus actions that take none (e.g. cancel). A 401
    refreshes the token once and retries once (two exchanges); a refused refresh leaves the
    tenant marked "needs reconnecting".
    """
    try:
        path_prefix_check(tenant.api_path_prefix)
    except ClarusAddressRefused as exc:
        body = "" if document is None else goods_out_body(document)
        return [_not_sent(tenant, rest_url(tenant, path), body, exc, endpoint=endpoint)]
    return post_to(tenant, rest_url(tenant, path), document, endpoint=endpoint, transport=transport)


@sensitive_variables()
def post_to(
    tenant: Tenant,
    url: str,
    document: Any,
    *,
    endpoint: Endpoint = Endpoint.OTHER,
    transport: httpx.BaseTransport | None = None,
    timeout: float | None = None,
    method: str = "POST",
) -> list[ClarusExchange]:
    """POST ``document`` as JSON to ``url`` with the tenant's credentials (see ``post_json``).

    ``timeout`` (seconds) replaces the configured read timeout, for calls an agent waits on;
    ``method`` names another method with a JSON body (PATCH).
    """
    body = "" if document is None else goods_out_body(document)
    try:
        # Before the token: a refused address gets neither the request nor the credentials.
        clarus_address_check(url)
    except ClarusAddressRefused as exc:
        return [_not_sent(tenant, url, body, exc, endpoint=endpoint, method=method)]
    try:
        token = access_token(tenant, transport=transport)
    except (ClarusAuthError, ClarusTokenUnavailable) as exc:
        return [_not_sent(tenant, url, body, exc, endpoint=endpoint, method=method)]
    first = _exchange(
        tenant,
        url,
        body,
        transport=transport,
        token=token,
        endpoint=endpoint,
        timeout=timeout,
        method=method,
    )
    if first.status != 401:
        return [first]
    try:
        token = refresh_access_token(tenant, stale=token, transport=transport)
    except (ClarusAuthError, ClarusTokenUnavailable) as exc:
        return [first, _not_sent(tenant, url, body, exc, endpoint=endpoint, method=method)]
    second = _exchange(
        tenant,
        url,
        body,
        transport=transport,
        token=token,
        endpoint=endpoint,
        timeout=timeout,
        method=method,
    )
    return [first, second]


def patch_json(
    tenant: Tenant,
    path: str,
    document: Any,
    *,
    endpoint: Endpoint = Endpoint.OTHER,
    transport: httpx.BaseTransport | None = None,
) -> list[ClarusExchange]:
    """PATCH ``document`` to the tenant's REST ``path``; return every exchange (``post_json``)."""
    try:
        path_prefix_check(tenant.api_path_prefix)
    except ClarusAddressRefused as exc:
        return [
            _not_sent(
                tenant,
                rest_url(tenant, path),
                goods_out_body(document),
                exc,
                endpoint=endpoint,
                method="PATCH",
            )
        ]
    return post_to(
        tenant,
        rest_url(tenant, path),
        document,
        endpoint=endpoint,
        transport=transport,
        method="PATCH",
    )
