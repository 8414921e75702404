"""OAuth tokens per tenant, shared by every process through the tenant's database row.

A token is refreshed under a row lock on the tenant, and only if nobody replaced the stale one
meanwhile, so many concurrent submissions cause one token request, not one each. authlib's
client does the OAuth work (client credentials, authorization code with PKCE, refresh).
"""

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2 import OAuth2Error
from django.db import connection, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from orders import telemetry
from orders.clarus.addresses import ClarusAddressRefused, clarus_address_check
from orders.clarus.http import Endpoint, exchange_observe, http_timeout
from orders.models import AuthFlow, Tenant

# Fetch a new token this long before the current one runs out, so a request never races expiry.
TOKEN_EXPIRY_MARGIN = timedelta(seconds=30)
# Clarus documents no token lifetime (CONTRACT.md §8): without expires_in, assume a short one.
DEFAULT_TOKEN_LIFETIME = timedelta(minutes=5)
TOKEN_FIELDS = ["access_token", "access_token_expires_at", "refresh_token"]
CONNECTION_FIELDS = ["needs_reconnect", "connection_problem"]


class ClarusAuthError(Exception):
    """Clarus refused the tenant's credentials or refresh token: a person must reconnect."""


class ClarusTokenUnavailable(Exception):
    """The token service could not be reached or gave no usable answer: try again later."""


@dataclass(frozen=True)
class PendingAuthorization:
    """What the desk keeps in the session between sending an admin to Clarus and their return."""

    url: str
    state: str
    code_verifier: str


def _oauth_client(
    tenant: Tenant, transport: httpx.BaseTransport | None, **kwargs: Any
) -> OAuth2Client:
    return OAuth2Client(
        client_id=tenant.client_id,
        client_secret=tenant.client_secret,
        token_endpoint_auth_method="client_secret_basic",
        timeout=http_timeout(),
        transport=transport,
        **kwargs,
    )


def token_is_fresh(tenant: Tenant) -> bool:
    return bool(
        tenant.access_token
        and tenant.access_token_expires_at
        and tenant.access_token_expires_at - TOKEN_EXPIRY_MARGIN > timezone.now()
    )


@sensitive_variables("token")
def _store_token(tenant: Tenant, token: dict[str, Any]) -> None:
    access = token.get("access_token")
    if not access:
        raise ClarusTokenUnavailable("The Clarus token service answered without an access token.")
    expires_in = token.get("expires_in")
    lifetime = timedelta(seconds=int(expires_in)) if expires_in else DEFAULT_TOKEN_LIFETIME
    tenant.access_token = str(access)
    tenant.access_token_expires_at = timezone.now() + lifetime
    # Clarus may rotate refresh tokens: keep the newest, or the one we had.
    tenant.refresh_token = str(token.get("refresh_token") or tenant.refresh_token)
    tenant.needs_reconnect = False
    tenant.connection_problem = ""
    tenant.save(update_fields=TOKEN_FIELDS + CONNECTION_FIELDS)


@contextmanager
def _token_request_observed(tenant: Tenant) -> Iterator[None]:
    """Time one request to the token endpoint, count it, and log a line for it (no token)."""
    clock = time.monotonic()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except (OAuthError, OAuth2Error):
        outcome = "refused"
        raise
    except (httpx.ConnectError, httpx.ConnectTimeout):
        outcome = "unreachable"
        raise
    except httpx.HTTPError:
        outcome = "no_answer"
        raise
    except ValueError:
        outcome = "bad_answer"
        raise
    finally:
        if outcome == "ok":
            telemetry.token_refreshes.inc()
        elif outcome == "refused":
            telemetry.token_refusals.inc()
        exchange_observe(
            tenant=tenant,
            endpoint=Endpoint.TOKEN,
            outcome=outcome,
            duration_ms=round((time.monotonic() - clock) * 1000),
        )


@sensitive_variables()
def _request_token(tenant: Tenant, transport: httpx.BaseTransport | None) -> dict[str, Any]:
    """Ask the token endpoint for a new token by the tenant's flow."""
    _token_address_check(tenant)
    if tenant.auth_flow == AuthFlow.AUTHORIZATION_CODE and not tenant.refresh_token:
        raise ClarusAuthError("The desk is not connected to Clarus yet.")
    try:
        with _token_request_observed(tenant), _oauth_client(tenant, transport) as oauth:
            if tenant.auth_flow == AuthFlow.AUTHORIZATION_CODE:
                token = oauth.refresh_token(tenant.token_url, refresh_token=tenant.refresh_token)
            else:
                token = oauth.fetch_token(tenant.token_url, grant_type="client_credentials")
    except OAuthError as exc:
        raise ClarusAuthError(f"Clarus refused the desk's credentials ({exc.error}).") from exc
    except httpx.HTTPError as exc:
        raise ClarusTokenUnavailable(
            f"The Clarus token service could not be reached ({type(exc).__name__})."
        ) from exc
    except ValueError as exc:
        # authlib raises a plain ValueError when the token answer is not JSON.
        raise ClarusTokenUnavailable(
            "The Clarus token service gave an answer that is not a token."
        ) from exc
    return dict(token)


def _token_address_check(tenant: Tenant) -> None:
    """Refuse, before the client secret goes anywhere, a token address the desk may not call."""
    try:
        clarus_address_check(tenant.token_url)
    except ClarusAddressRefused as exc:
        raise ClarusTokenUnavailable(f"The token address was not called: {exc}") from exc


def _mark_needs_reconnect(tenant: Tenant, problem: str) -> None:
    tenant.needs_reconnect = True
    tenant.connection_problem = problem[:300]
    tenant.access_token = ""
    tenant.access_token_expires_at = None
    tenant.save(update_fields=["access_token", "access_token_expires_at", *CONNECTION_FIELDS])


def _copy_tokens(source: Tenant, target: Tenant) -> None:
    for field in TOKEN_FIELDS + CONNECTION_FIELDS:
        setattr(target, field, getattr(source, field))


@sensitive_variables()
def refresh_access_token(
    tenant: Tenant, *, stale: str, transport: httpx.BaseTransport | None = None
) -> str:
    """Return a new token for ``tenant`` unless another process already replaced ``stale``.

    Holds the tenant's row lock while it asks Clarus, so concurrent callers wait for one answer.
    Raises ClarusAuthError (and marks the tenant "needs reconnecting") when Clarus refuses.
    """
    refused: ClarusAuthError | None = None
    with _tenant_lock(tenant) as locked:
        if locked.access_token != stale and token_is_fresh(locked):
            _copy_tokens(locked, tenant)
            return locked.access_token
        try:
            _store_token(locked, _request_token(locked, transport))
        except ClarusAuthError as exc:
            _mark_needs_reconnect(locked, str(exc))
            refused = exc
    _copy_tokens(locked, tenant)
    if refused is not None:
        raise refused
    return locked.access_token


@contextmanager
def _tenant_lock(tenant: Tenant) -> Iterator[Tenant]:
    """Yield the tenant's current row, locked against other refreshes where the database can.

    SQLite has no row locks: a transaction there would lock the whole database for as long as
    Clarus takes to answer, and a sandbox served by the same process could not issue the token.
    SQLite is for one process (development, tests); production runs on PostgreSQL.
    """
    if not connection.features.has_select_for_update:
        yield Tenant.objects.get(pk=tenant.pk)
        return
    with transaction.atomic():
        yield Tenant.objects.select_for_update().get(pk=tenant.pk)


def access_token(tenant: Tenant, *, transport: httpx.BaseTransport | None = None) -> str:
    """Return a usable bearer token for ``tenant``, refreshing it when it is about to expire."""
    if token_is_fresh(tenant):
        return tenant.access_token
    return refresh_access_token(tenant, stale=tenant.access_token, transport=transport)


def authorization_url(tenant: Tenant, *, redirect_uri: str) -> PendingAuthorization:
    """Return where to send a tenant admin to sign in at Clarus, with state and PKCE.

    Raises ClarusAddressRefused if the sign-in address is not one the desk may send them to.
    """
    clarus_address_check(tenant.authorize_url)
    code_verifier = secrets.token_urlsafe(48)
    with _oauth_client(
        tenant, None, redirect_uri=redirect_uri, code_challenge_method="S256"
    ) as oauth:
        url, state = oauth.create_authorization_url(
            tenant.authorize_url, code_verifier=code_verifier
        )
    return PendingAuthorization(url=url, state=state, code_verifier=code_verifier)


@sensitive_variables()
def connect_with_code(
    tenant: Tenant,
    *,
    authorization_response: str,
    redirect_uri: str,
    pending: PendingAuthorization,
    transport: httpx.BaseTransport | None = None,
) -> None:
    """Exchange the code Clarus sent back for tokens and store them on the tenant.

    authlib checks that the ``state`` in the response is the one we sent.
    """
    _token_address_check(tenant)
    try:
        with (
            _token_request_observed(tenant),
            _oauth_client(
                tenant, transport, redirect_uri=redirect_uri, state=pending.state
            ) as oauth,
        ):
            token = oauth.fetch_token(
                tenant.token_url,
                authorization_response=authorization_response,
                code_verifier=pending.code_verifier,
            )
    except (OAuthError, OAuth2Error) as exc:
        raise ClarusAuthError(f"Clarus did not connect the desk ({exc.error}).") from exc
    except httpx.HTTPError as exc:
        raise ClarusTokenUnavailable(
            f"The Clarus token service could not be reached ({type(exc).__name__})."
        ) from exc
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        _store_token(locked, dict(token))
    _copy_tokens(locked, tenant)
