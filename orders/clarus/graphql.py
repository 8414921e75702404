"""Clarus's read side: GraphQL queries at ``/graphql`` (CONTRACT.md §1.4, §2.8)."""

from typing import Any

import httpx

from orders.clarus.http import Endpoint, graphql_url
from orders.clarus.rest import ClarusExchange, post_to
from orders.models import Tenant


def _kind(last: ClarusExchange | None) -> str:
    if last is not None and last.auth_failed:
        return "refused"
    if last is not None and last.status is None:
        return "slow" if last.may_have_arrived else "no_answer"
    if last is not None and last.status is not None and last.status >= 500:
        return "server_error"
    return "bad_query"


class ClarusQueryError(Exception):
    """A GraphQL query got no usable answer: Clarus unreachable, refused, or answered errors.

    ``kind`` says which, in the desk's words: ``refused`` (the desk's credentials), ``slow``
    (no answer in time; the question may have arrived), ``no_answer`` (no connection),
    ``server_error`` (Clarus failed; ``status_text`` names its status) or ``bad_query`` (Clarus
    answered, but not usefully).
    """

    def __init__(self, message: str, exchanges: list[ClarusExchange]) -> None:
        super().__init__(message)
        self.exchanges = exchanges
        last = exchanges[-1] if exchanges else None
        self.kind = _kind(last)
        self.status_text = f"HTTP {last.status}" if last is not None and last.status else ""


def query(
    tenant: Tenant,
    text: str,
    variables: dict[str, Any] | None = None,
    *,
    endpoint: Endpoint = Endpoint.CATALOGUE,
    transport: httpx.BaseTransport | None = None,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Run a GraphQL query for ``tenant`` and return its ``data``.

    ``timeout`` (seconds) shortens the wait, for lookups an agent is waiting on.
    """
    document: dict[str, Any] = {"query": text, "variables": variables or {}}
    exchanges = post_to(
        tenant,
        graphql_url(tenant),
        document,
        endpoint=endpoint,
        transport=transport,
        timeout=timeout,
    )
    last = exchanges[-1]
    if last.status is None:
        raise ClarusQueryError(last.transport_error or "Clarus did not answer.", exchanges)
    if last.status != 200:
        raise ClarusQueryError(f"Clarus answered the lookup with HTTP {last.status}.", exchanges)
    body = last.json()
    # Clarus: GraphQL errors come back in a 200 with an errors array (CONTRACT.md §3.2).
    if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
        errors = body.get("errors") if isinstance(body, dict) else None
        detail = "; ".join(str(e.get("message", e)) for e in errors or [] if isinstance(e, dict))
        raise ClarusQueryError(
            f"Clarus could not answer the lookup ({detail or 'no data'}).", exchanges
        )
    data: dict[str, Any] = body["data"]
    return data


def edges(data: dict[str, Any], resource: str) -> list[dict[str, Any]]:
    """Return the nodes of ``<resource> { all { edges { node } } }``."""
    connection = (data.get(resource) or {}).get("all") or {}
    return [edge["node"] for edge in connection.get("edges") or [] if edge.get("node")]
