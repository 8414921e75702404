"""The one place that talks to Clarus: URLs, headers, OAuth tokens, timeouts, httpx, authlib.

``tokens`` keeps each tenant's OAuth tokens (both flows Clarus offers), ``rest`` sends JSON:API
requests and returns ``ClarusExchange`` records that are safe to store.
"""

from orders.clarus.graphql import ClarusQueryError, edges, query
from orders.clarus.http import REDACTED, Transport, http_client, redact_headers
from orders.clarus.rest import ClarusExchange, post_json
from orders.clarus.tokens import (
    ClarusAuthError,
    ClarusTokenUnavailable,
    access_token,
    authorization_url,
    connect_with_code,
    refresh_access_token,
)

__all__ = [
    "REDACTED",
    "ClarusAuthError",
    "ClarusExchange",
    "ClarusQueryError",
    "ClarusTokenUnavailable",
    "Transport",
    "access_token",
    "authorization_url",
    "connect_with_code",
    "edges",
    "http_client",
    "post_json",
    "query",
    "redact_headers",
    "refresh_access_token",
]
