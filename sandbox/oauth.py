"""OAuth 2.0 for the stand-in: the token and revocation endpoints, and bearer checks.

Clarus documents the client-credentials and authorization-code flows but not the token request
itself (CONTRACT.md §1.1, §8), so this follows the RFCs: a form-encoded body, the client
authenticated by HTTP Basic or by ``client_id``/``client_secret`` in the body (RFC 6749), the
``authorization_code`` grant with PKCE S256 only (RFC 7636), ``refresh_token`` with rotation, and
token revocation (RFC 7009). A grant is a function in ``GRANTS``.

Refresh tokens rotate: each use answers a new pair and ends the old refresh token. Presenting a
used one again refuses with ``invalid_grant`` and, as the OAuth 2.0 Security BCP asks (RFC 9700
§4.14.2), revokes every token of its authorization, since either the client or a thief replayed
it. A replayed authorization code does the same (RFC 6749 §4.1.2).
"""

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, QueryDict

from sandbox import services
from sandbox.models import (
    SandboxAccessToken,
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxRefreshToken,
    SandboxSubdomain,
    SandboxTokenRequest,
    token_digest,
)
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
    refresh_token: str | None = None

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
        }
        if self.refresh_token is not None:
            answer["refresh_token"] = self.refresh_token
        return answer


@dataclass
class TokenAttempt:
    """What is known of a token request so far, for its SandboxTokenRequest row."""

    client_id: str = ""
    grant_type: str = ""
    client: SandboxClient | None = None


Grant = Callable[[SandboxClient, QueryDict], IssuedToken]

# RFC 7636 §4.1-4.2: a verifier is 43 to 128 unreserved characters; an S256 challenge is the
# unpadded base64url of a SHA-256 digest, 43 characters.
CODE_VERIFIER_PATTERN = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
CODE_CHALLENGE_PATTERN = re.compile(r"[A-Za-z0-9\-_]{43}")


def client_credentials_grant(client: SandboxClient, form: QueryDict) -> IssuedToken:
    """Issue a token acting as the client itself (RFC 6749 §4.4)."""
    _row, token = access_token_issue(client=client)
    return IssuedToken(token, client.token_lifetime_seconds)


def authorization_code_grant(client: SandboxClient, form: QueryDict) -> IssuedToken:
    """Exchange a code from the authorization page for a token pair (RFC 6749 §4.1.3)."""
    code, redirect_uri = _required(form, "code"), _required(form, "redirect_uri")
    verifier = _required(form, "code_verifier")
    row = (
        SandboxAuthorizationCode.objects.select_related("user")
        .filter(digest=token_digest(code))
        .first()
    )
    if row is None or row.client_id != client.pk:
        raise OAuthError("invalid_grant", "The authorization code is not valid.")
    if row.used_at is not None:
        services.token_family_revoke(family=row.family)
        raise OAuthError("invalid_grant", "The authorization code has already been used.")
    if row.is_expired:
        raise OAuthError("invalid_grant", "The authorization code has expired.")
    if redirect_uri != row.redirect_uri:
        raise OAuthError(
            "invalid_grant", "redirect_uri is not the one the authorization request used."
        )
    if not pkce_verify(verifier, row.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code challenge.")
    if not services.authorization_code_use(code=row):
        services.token_family_revoke(family=row.family)
        raise OAuthError("invalid_grant", "The authorization code has already been used.")
    access_token, refresh_token = services.token_pair_issue(
        client=client, user=row.user, family=row.family
    )
    return IssuedToken(access_token, client.token_lifetime_seconds, refresh_token)


def refresh_token_grant(client: SandboxClient, form: QueryDict) -> IssuedToken:
    """Exchange a refresh token for a new pair, ending the old one (RFC 6749 §6)."""
    token = _required(form, "refresh_token")
    row = (
        SandboxRefreshToken.objects.select_related("user")
        .filter(digest=token_digest(token))
        .first()
    )
    if row is None or row.client_id != client.pk:
        raise OAuthError("invalid_grant", "The refresh token is not valid.")
    if row.revoked:
        raise OAuthError("invalid_grant", "The refresh token has been revoked.")
    if row.rotated_at is None and row.is_expired:
        raise OAuthError("invalid_grant", "The refresh token has expired.")
    if row.rotated_at is not None or not services.refresh_token_rotate(refresh_token=row):
        services.token_family_revoke(family=row.family)
        raise OAuthError(
            "invalid_grant",
            "The refresh token has already been used; every token of its authorization is revoked.",
        )
    access_token, refresh_token = services.token_pair_issue(
        client=client, user=row.user, family=row.family
    )
    return IssuedToken(access_token, client.token_lifetime_seconds, refresh_token)


GRANTS: dict[str, Grant] = {
    "client_credentials": client_credentials_grant,
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_token_grant,
}


def pkce_verify(verifier: str, challenge: str) -> bool:
    """Return whether ``verifier`` hashes to the S256 ``challenge`` (RFC 7636 §4.6)."""
    if not CODE_VERIFIER_PATTERN.fullmatch(verifier):
        return False
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return hmac.compare_digest(computed, challenge)


def token_request(request: HttpRequest) -> IssuedToken:
    """Answer a token request, or raise OAuthError; record it either way."""
    attempt = TokenAttempt()
    try:
        issued = _token_request(request, attempt)
    except OAuthError as error:
        _attempt_log(attempt, error.error)
        raise
    _attempt_log(attempt, SandboxTokenRequest.ISSUED)
    return issued


def _token_request(request: HttpRequest, attempt: TokenAttempt) -> IssuedToken:
    attempt.client_id = _presented_client_id(request)
    form = _form(request)
    attempt.grant_type = form.get("grant_type", "")
    grant_type = _single(form, "grant_type")
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required.")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise OAuthError("unsupported_grant_type", f"The {grant_type} grant is not supported.")
    attempt.client = client_authenticate(request, form)
    return grant(attempt.client, form)


def _attempt_log(attempt: TokenAttempt, outcome: str) -> None:
    services.token_request_log(
        client=attempt.client,
        client_id=attempt.client.client_id if attempt.client else attempt.client_id,
        grant_type=attempt.grant_type,
        outcome=outcome,
    )


def revocation_request(request: HttpRequest) -> None:
    """Revoke the token a client sends (RFC 7009), or raise OAuthError.

    An unknown token is no error (§2.2). A refresh token takes every token of its authorization
    with it: the access tokens issued from it included.
    """
    form = _form(request)
    client = client_authenticate(request, form)
    digest = token_digest(_required(form, "token"))
    # §2.1: the hint only speeds the search up, and two lookups by unique digest need no help;
    # it is read only to refuse it sent twice.
    _single(form, "token_type_hint")
    row = (
        SandboxAccessToken.objects.filter(digest=digest).first()
        or SandboxRefreshToken.objects.filter(digest=digest).first()
    )
    if row is None:
        return
    if row.client_id != client.pk:
        raise OAuthError("unauthorized_client", "The token was not issued to this client.")
    if isinstance(row, SandboxRefreshToken):
        services.token_family_revoke(family=row.family)
    else:
        services.access_token_revoke(access_token=row)


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


def _form(request: HttpRequest) -> QueryDict:
    if request.content_type != FORM_CONTENT_TYPE:
        raise OAuthError("invalid_request", f"Send the request as {FORM_CONTENT_TYPE}.")
    return request.POST


def _presented_client_id(request: HttpRequest) -> str:
    """Return the client id a request names, whether or not it authenticates."""
    pairs = _basic_credentials(request.headers.get("Authorization", ""))
    if pairs:
        return pairs[-1][0]
    if request.content_type == FORM_CONTENT_TYPE:
        return request.POST.get("client_id", "")
    return ""


def _single(form: QueryDict, name: str) -> str:
    """Return a form parameter; RFC 6749 §3.2 forbids sending one twice."""
    values = form.getlist(name)
    if len(values) > 1:
        raise OAuthError("invalid_request", f"{name} was sent more than once.")
    return values[0] if values else ""


def _required(form: QueryDict, name: str) -> str:
    value = _single(form, name)
    if not value:
        raise OAuthError("invalid_request", f"{name} is required.")
    return value
