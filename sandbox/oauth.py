"""OAuth 2.0 for the stand-in: the token endpoint (RFC 6749) and bearer checks (RFC 6750).

Clarus documents the client-credentials and authorization-code flows but not the token request
itself (CONTRACT.md §1.1, §8), so this follows the RFCs: a form-encoded body, the client
authenticated by HTTP Basic or by ``client_id``/``client_secret`` in the body. A grant is a
function in ``GRANTS``; the authorization-code and refresh-token grants slot in beside
client credentials.
"""

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, QueryDict

from sandbox.models import SandboxAccessToken, SandboxClient, SandboxSubdomain, token_digest
from sandbox.services import access_token_issue

REALM = "Clarus sandbox"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


class OAuthError(Exception):
    """A token request the endpoint refuses, as an RFC 6749 §5.2 error."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class BearerError(Exception):
    """A request whose bearer token is missing or no good."""


class SubdomainError(Exception):
    """A request whose X-Clarus-Subdomain is missing, unknown, or not its token's tenant."""


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int

    def as_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }


Grant = Callable[[SandboxClient, QueryDict], IssuedToken]


def client_credentials_grant(client: SandboxClient, form: QueryDict) -> IssuedToken:
    """Issue a token acting as the client itself (RFC 6749 §4.4)."""
    _row, token = access_token_issue(client=client)
    return IssuedToken(token, client.token_lifetime_seconds)


GRANTS: dict[str, Grant] = {"client_credentials": client_credentials_grant}


def token_request(request: HttpRequest) -> IssuedToken:
    """Answer a token request, or raise OAuthError."""
    if request.content_type != FORM_CONTENT_TYPE:
        raise OAuthError("invalid_request", f"Send the token request as {FORM_CONTENT_TYPE}.")
    form = request.POST
    grant_type = _single(form, "grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required.")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthError("unsupported_grant_type", f"The {grant_type} grant is not supported.")
    return grant(client_authenticate(request, form), form)


def client_authenticate(request: HttpRequest, form: QueryDict) -> SandboxClient:
    """Return the client the request authenticates as, by HTTP Basic or by the form body."""
    header = request.headers.get("Authorization", "")
    if header:
        if "client_secret" in form:
            # RFC 6749 §2.3: a client must not use more than one authentication method.
            raise OAuthError("invalid_request", "Send the client credentials only once.")
        candidates = _basic_credentials(header)
    else:
        client_id, client_secret = _single(form, "client_id"), _single(form, "client_secret")
        candidates = [(client_id, client_secret)] if client_id and client_secret else []
    for client_id, client_secret in candidates:
        client = (
            SandboxClient.objects.select_related("subdomain").filter(client_id=client_id).first()
        )
        if client is None:
            # Hash anyway, so an unknown client id takes as long to refuse as a wrong secret.
            make_password(client_secret)
        elif client.check_secret(client_secret):
            return client
    raise OAuthError("invalid_client", "Client authentication failed.", status=401)


def bearer_token(request: HttpRequest) -> SandboxAccessToken:
    """Return the live access token the request carries, or raise BearerError."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise BearerError("Send an access token as Authorization: Bearer <token>.")
    row = (
        SandboxAccessToken.objects.select_related("client__subdomain")
        .filter(digest=token_digest(token.strip()))
        .first()
    )
    if row is None:
        raise BearerError("The access token is not valid.")
    if row.revoked:
        raise BearerError("The access token has been revoked.")
    if row.is_expired:
        raise BearerError("The access token has expired.")
    return row


def request_subdomain(request: HttpRequest, token: SandboxAccessToken) -> SandboxSubdomain:
    """Return the tenant the request names, which must be the one its token was issued for."""
    # Clarus: the subdomain header is a second required security scheme (CONTRACT.md §1.2).
    slug = request.headers.get("X-Clarus-Subdomain", "").strip()
    if not slug:
        raise SubdomainError("Send the tenant's subdomain in the X-Clarus-Subdomain header.")
    subdomain = token.client.subdomain
    if slug == subdomain.slug:
        return subdomain
    if not SandboxSubdomain.objects.filter(slug=slug).exists():
        raise SubdomainError(f"Unknown subdomain {slug!r}.")
    raise SubdomainError(f"The access token was not issued for subdomain {slug!r}.")


def _basic_credentials(header: str) -> list[tuple[str, str]]:
    """Return the (id, secret) pairs an HTTP Basic header may mean; [] if it is not Basic.

    RFC 6749 §2.3.1 form-encodes both before Basic encoding, but many clients (authlib
    among them) send them raw: try them as sent, then decoded.
    """
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return []
    try:
        raw = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return []
    try:
        text = raw.decode()
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    client_id, colon, client_secret = text.partition(":")
    if not colon:
        return []
    as_sent = (client_id, client_secret)
    decoded = (unquote_plus(client_id), unquote_plus(client_secret))
    return [as_sent] if decoded == as_sent else [as_sent, decoded]


def _single(form: QueryDict, name: str) -> str:
    """Return a form parameter; RFC 6749 §3.2 forbids sending one twice."""
    values = form.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} was sent more than once.")
    return values[0] if values else ""
