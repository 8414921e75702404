"""The authorization endpoint's request: RFC 6749 §4.1.1 with PKCE (RFC 7636), checked.

Only two mistakes cannot go back to the client, because the redirect URI itself is in doubt: an
unknown client and a redirect URI it did not register (§4.1.2.1). Those are shown to the user;
every other mistake is sent to the redirect URI as ``error`` and ``state``.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import QueryDict

from sandbox.models import SandboxClient
from sandbox.oauth import CODE_CHALLENGE_PATTERN


class AuthorizationPageError(Exception):
    """A request that cannot be sent back to its client: show the message to the user."""


class AuthorizationRedirectError(Exception):
    """A request refused back to the client with an RFC 6749 §4.1.2.1 error."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


@dataclass(frozen=True)
class AuthorizationRequest:
    client: SandboxClient
    redirect_uri: str
    code_challenge: str
    # None when the client sent none; "" is a state too, and goes back as sent.
    state: str | None

    def location(self, **parameters: str) -> str:
        """Return the redirect URI with ``parameters`` and the state added to its query."""
        if self.state is not None:
            parameters["state"] = self.state
        return redirect_uri_with(self.redirect_uri, parameters)

    def error_location(self, error: str, description: str) -> str:
        return self.location(error=error, error_description=description)


def authorization_request_parse(params: QueryDict) -> AuthorizationRequest:
    """Return the checked request, or raise AuthorizationPageError or AuthorizationRedirectError."""
    client_id = _single_or_page_error(params, "client_id")
    client = (
        SandboxClient.objects.select_related("subdomain").filter(client_id=client_id).first()
        if client_id
        else None
    )
    if client is None:
        raise AuthorizationPageError("The application asking for access is not known here.")
    redirect_uri = _single_or_page_error(params, "redirect_uri")
    if not redirect_uri:
        raise AuthorizationPageError("The application did not say where to send you back.")
    if redirect_uri not in client.redirect_uris:
        raise AuthorizationPageError(
            "The application asked to send you back to an address it has not registered."
        )
    states = params.getlist("state")
    request = AuthorizationRequest(
        client=client,
        redirect_uri=redirect_uri,
        code_challenge=params.get("code_challenge", ""),
        state=states[0] if states else None,
    )
    if problem := _problem(params):
        raise AuthorizationRedirectError(request.error_location(*problem))
    return request


def redirect_uri_with(uri: str, parameters: dict[str, str]) -> str:
    """Return ``uri`` with ``parameters`` added to the query it already has (§3.1.2)."""
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *parameters.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _problem(params: QueryDict) -> tuple[str, str] | None:
    """Return the error and description for a request the client got wrong, or None."""
    for name in ("response_type", "state", "code_challenge", "code_challenge_method", "scope"):
        if len(params.getlist(name)) > 1:
            # §3.1: no parameter may be sent twice.
            return "invalid_request", f"{name} was sent more than once."
    response_type = params.get("response_type", "")
    if not response_type:
        return "invalid_request", "response_type is required."
    if response_type != "code":
        return "unsupported_response_type", "Only response_type=code is supported."
    challenge = params.get("code_challenge", "")
    if not challenge:
        # RFC 7636 §4.4.1: the server requires PKCE.
        return "invalid_request", "code_challenge is required."
    # The RFC's default method is plain, which is refused: S256 only.
    if params.get("code_challenge_method", "plain") != "S256":
        return "invalid_request", "code_challenge_method must be S256."
    if not CODE_CHALLENGE_PATTERN.fullmatch(challenge):
        return "invalid_request", "code_challenge must be 43 base64url characters."
    return None


def _single_or_page_error(params: QueryDict, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise AuthorizationPageError(f"The application sent {name} more than once.")
    return values[0] if values else ""
