"""The one place that talks to Clarus: URLs, headers, OAuth tokens, timeouts, httpx, authlib.

``tokens`` keeps each tenant's OAuth tokens (both flows Clarus offers), ``rest`` sends JSON:API
requests and returns ``ClarusExchange`` records that are safe to store, ``addresses`` says which
hosts the desk may call at all (DESK_CLARUS_HOSTS).
"""

from orders.clarus.addresses import (
    ClarusAddressRefused,
    clarus_address_check,
    clarus_hosts,
    path_prefix_check,
)
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
    "ClarusAddressRefused",
    "ClarusAuthError",
    "ClarusExchange",
    "ClarusQueryError",
    "ClarusTokenUnavailable",
    "Transport",
    "access_token",
    "authorization_url",
    "clarus_address_check",
    "clarus_hosts",
    "connect_with_code",
    "edges",
    "http_client",
    "path_prefix_check",
    "post_json",
    "query",
    "redact_headers",
    "refresh_access_token",
]
