"""Which addresses the desk may call as Clarus: the hosts the deployment allows.

The desk sends a tenant's client secret and tokens to the addresses its tenant admin types, and
shows Clarus's answers on its pages. An address that pointed at another machine (the desk's own
network, a cloud metadata service) would hand that machine the credentials and let the desk
fetch pages it must not. So only the hosts in ``DESK_CLARUS_HOSTS`` may be called, over https
unless the desk runs in debug mode. The form checks this beside each field, and every request
checks it again here before connecting, so a tenant row changed another way (the Django admin,
the database) reaches no other host either.

Addresses are read with httpx, the parser of the client that will make the request, so the host
checked is the host called.
"""

import re

import httpx
from django.conf import settings


class ClarusAddressRefused(Exception):
    """The address is not one the desk may call as Clarus: nothing was sent to it."""


# Whitespace, control characters and backslashes: no Clarus address needs them, and URL parsers
# disagree about where a host ends around them.
_UNSAFE_CHARACTERS = re.compile(r"[\s\\\x00-\x1f\x7f]")
# One segment of the REST path prefix: letters, digits and - . _ ~ (RFC 3986 "unreserved").
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def clarus_hosts() -> list[str]:
    """Return the host names the desk may call as Clarus, lower case, IPv6 without brackets."""
    return [
        host.strip().lower().removeprefix("[").removesuffix("]")
        for host in settings.DESK_CLARUS_HOSTS
        if host.strip()
    ]


def _hosts_in_words() -> str:
    hosts = clarus_hosts()
    if not hosts:
        return "This desk is not set up to call any Clarus address yet."
    return "This desk may only call Clarus at " + ", ".join(hosts) + "."


def clarus_address_check(url: str) -> str:
    """Return the host of ``url`` if the desk may call it; raise ClarusAddressRefused if not."""
    if _UNSAFE_CHARACTERS.search(url):
        raise ClarusAddressRefused(
            "The address has spaces, backslashes or other characters a web address cannot have."
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ClarusAddressRefused("This is not a web address.") from exc
    if settings.DESK_CLARUS_REQUIRE_HTTPS:
        if parsed.scheme != "https":
            raise ClarusAddressRefused(
                "Use an address starting with https://: the desk sends its credentials there."
            )
    elif parsed.scheme not in ("http", "https"):
        raise ClarusAddressRefused("Use an address starting with https://.")
    if parsed.userinfo:
        raise ClarusAddressRefused("The address must not carry a user name or password.")
    host = parsed.host.lower()
    if not host or host not in clarus_hosts():
        raise ClarusAddressRefused(
            f"{host[:100] or 'This address'} is not a Clarus address. {_hosts_in_words()}"
        )
    return host


def path_prefix_check(prefix: str) -> None:
    """Raise ClarusAddressRefused unless ``prefix`` is a plain path such as ``/api/v1``.

    No scheme or host, no ``..``, ``@``, ``?``, ``#``, ``//`` or spaces: the prefix is glued to
    the API address, and must not change where it leads.
    """
    inner = prefix.strip("/")
    segments = inner.split("/") if inner else []
    if (
        "//" in prefix
        or ".." in prefix
        or any(
            segment in (".", "..") or not _PATH_SEGMENT.fullmatch(segment) for segment in segments
        )
    ):
        raise ClarusAddressRefused(
            "Enter a plain path such as /api or /api/v1: letters, digits, - . _ ~ between "
            "slashes, without .. or an address."
        )
