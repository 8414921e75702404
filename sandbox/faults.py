"""Fault knobs: make a pretend tenant slow, make it fail, cut it off, or end its tokens.

Tests and demos use them to see how the desk copes with a Clarus that misbehaves. They live on
``SandboxSubdomain`` and apply to ``POST goods_outs`` and ``PATCH goods_outs/{id}`` (and their
``/api/v1`` twins) only, never to the token endpoint. "Store" below means "store or amend".

``latency_ms`` (default 0)
    Wait this long before answering, forced errors included.
``forced_status`` (400-599, default unset)
    Answer every goods-out request with this status and store nothing. A 401 comes in Clarus's
    ``{"error": …}`` shape, any other status in its ErrorResponse shape
    ``{"errors": [{"code", "symbol", "details", "source"}]}`` (CONTRACT.md §3.2).
``retry_after_seconds`` (default 1)
    The ``Retry-After`` header sent with a forced 429.
``fail_next`` (default 0)
    Answer only the next N goods-out requests with ``forced_status`` (500 if unset), then answer
    normally: the request that uses up the count clears ``forced_status`` too, so "Clarus is
    down for three requests, then up" is ``fail_next=3`` with or without a status. Each request
    takes one from the count with a conditional UPDATE, so concurrent requests count right.
``drop_after_store`` (default 0)
    Store the next N valid goods-outs, then close the connection without sending a byte of the
    answer: the client sees a transport error (httpx: ``RemoteProtocolError``, "Server
    disconnected without sending a response") although Clarus has the order. Counted like
    ``fail_next``. See ``connection_drop`` for how.
``expire_tokens_after`` (default unset)
    After N more stored goods-outs, every access token of the subdomain expires (refresh tokens
    live on), then the knob clears itself: the N-th request is still answered 200, the next one
    with the same token gets 401. For "the token expires mid-run".

In one request they apply in this order: bearer token and subdomain, Content-Type and JSON,
``latency_ms``, ``fail_next``/``forced_status``, validation (422), store,
``expire_tokens_after``, ``drop_after_store``.

Set them in tests with ``faults_set`` (replaces them all) or ``faults_update`` (changes some),
and for demos with ``manage.py sandbox_faults --subdomain demo --fail-next 2 …`` (``--help``
lists the options), or by putting them in the ``SANDBOX_FAULTS`` environment variable and running
``manage.py sandbox_faults --from-env``; its form is ``slug:knob=value,knob=value;slug:…``, e.g.
``SANDBOX_FAULTS="demo:latency_ms=800,fail_next=2"``, with ``none`` to unset a knob.

``sandbox.services.tokens_expire`` and ``tokens_revoke`` end every token of a subdomain at once.
"""

import contextlib
import inspect
import logging
import socket
import socketserver
import time
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.http import HttpRequest, HttpResponse

from sandbox.models import SandboxSubdomain
from sandbox.services import tokens_expire

logger = logging.getLogger(__name__)

# Each knob and the value that means "no fault".
KNOBS: Final[Mapping[str, int | None]] = {
    "latency_ms": 0,
    "forced_status": None,
    "retry_after_seconds": 1,
    "fail_next": 0,
    "drop_after_store": 0,
    "expire_tokens_after": None,
}
NULLABLE_KNOBS: Final = frozenset({"forced_status", "expire_tokens_after"})
DEFAULT_FAILURE_STATUS = 500


class ConnectionDropped(Exception):
    """The connection was to be dropped, but the server gives no way to reach its socket.

    The Django test client lands here, and so does a server that is neither socketserver-based
    nor gunicorn: there it becomes a 500.
    """


def faults_set(
    *,
    subdomain: str,
    latency_ms: int = 0,
    forced_status: int | None = None,
    retry_after_seconds: int = 1,
    fail_next: int = 0,
    drop_after_store: int = 0,
    expire_tokens_after: int | None = None,
) -> SandboxSubdomain:
    """Set the faults of ``subdomain``, replacing any it had."""
    return faults_update(
        subdomain=subdomain,
        knobs={
            "latency_ms": latency_ms,
            "forced_status": forced_status,
            "retry_after_seconds": retry_after_seconds,
            "fail_next": fail_next,
            "drop_after_store": drop_after_store,
            "expire_tokens_after": expire_tokens_after,
        },
    )


def faults_update(*, subdomain: str, knobs: Mapping[str, int | None]) -> SandboxSubdomain:
    """Change the named knobs of ``subdomain`` and leave the others; raise ValidationError."""
    unknown = set(knobs) - set(KNOBS)
    if unknown:
        raise ValidationError(f"Unknown fault knob(s): {', '.join(sorted(unknown))}.")
    tenant = SandboxSubdomain.objects.get(slug=subdomain)
    for name, value in knobs.items():
        if value is None and name not in NULLABLE_KNOBS:
            raise ValidationError({name: "This knob cannot be unset."})
        setattr(tenant, name, value)
    tenant.full_clean()
    tenant.save(update_fields=list(knobs))
    return tenant


def faults_clear(*, subdomain: str) -> SandboxSubdomain:
    """Make ``subdomain`` answer promptly and normally again."""
    return faults_set(subdomain=subdomain)


def faults_describe(subdomain: SandboxSubdomain) -> str:
    """Return the knobs of ``subdomain`` on one line, as ``SANDBOX_FAULTS`` writes them."""
    values = ",".join(
        f"{name}={'none' if getattr(subdomain, name) is None else getattr(subdomain, name)}"
        for name in KNOBS
    )
    return f"{subdomain.slug}:{values}"


def faults_parse(text: str) -> dict[str, dict[str, int | None]]:
    """Parse ``SANDBOX_FAULTS`` text into knobs per subdomain; raise ValueError if malformed."""
    faults: dict[str, dict[str, int | None]] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        slug, colon, settings = entry.partition(":")
        if not colon or not slug.strip():
            raise ValueError(f"{entry!r} must look like subdomain:knob=value,knob=value.")
        knobs = faults.setdefault(slug.strip(), {})
        for setting in filter(None, (part.strip() for part in settings.split(","))):
            name, equals, value = (part.strip() for part in setting.partition("="))
            if not equals or name not in KNOBS:
                raise ValueError(
                    f"{setting!r} is not knob=value with a knob of {', '.join(KNOBS)}."
                )
            try:
                knobs[name] = None if value.lower() == "none" else int(value)
            except ValueError:
                raise ValueError(f"{setting!r}: the value must be a number or none.") from None
    return faults


def latency_apply(subdomain: SandboxSubdomain) -> None:
    """Wait as long as the subdomain's latency knob says."""
    if subdomain.latency_ms:
        time.sleep(subdomain.latency_ms / 1000)


def failure_status(subdomain: SandboxSubdomain) -> int | None:
    """Return the status to fail this goods-out request with, or None to go on."""
    if not subdomain.fail_next:
        return subdomain.forced_status
    status = subdomain.forced_status or DEFAULT_FAILURE_STATUS
    # The request that takes the last one from the count clears forced_status with it.
    taken = SandboxSubdomain.objects.filter(pk=subdomain.pk, fail_next__gt=0).update(
        fail_next=F("fail_next") - 1,
        forced_status=Case(When(fail_next=1, then=Value(None)), default=F("forced_status")),
    )
    return status if taken else None


def drop_due(subdomain: SandboxSubdomain) -> bool:
    """Return whether this request's connection is to be dropped; count it if so."""
    if not subdomain.drop_after_store:
        return False
    taken = SandboxSubdomain.objects.filter(pk=subdomain.pk, drop_after_store__gt=0).update(
        drop_after_store=F("drop_after_store") - 1
    )
    return taken == 1


def tokens_expiry_count(subdomain: SandboxSubdomain) -> None:
    """Count one stored goods-out towards ``expire_tokens_after``; expire tokens at zero."""
    if subdomain.expire_tokens_after is None:
        return
    with transaction.atomic():
        # The UPDATE locks the row until commit, so only the request that reaches zero sees it.
        rows = SandboxSubdomain.objects.filter(pk=subdomain.pk)
        rows.filter(expire_tokens_after__gt=0).update(
            expire_tokens_after=F("expire_tokens_after") - 1
        )
        if rows.filter(expire_tokens_after=0).update(expire_tokens_after=None):
            expired = tokens_expire(subdomain=subdomain.slug)
            logger.info("Sandbox fault: expired %d access token(s) of %s.", expired, subdomain)


def connection_drop(request: HttpRequest) -> HttpResponse:
    """Close the request's connection without answering; raise ConnectionDropped if impossible.

    WSGI gives an application no way to hang up, so this finds the connection's socket and
    shuts it down both ways (``shutdown(SHUT_RDWR)``): the client gets a FIN before any byte of
    the answer, and the server's own attempt to write the returned response fails with a broken
    pipe, which both servers below expect and ignore. The socket comes from

    - gunicorn (sync and gthread workers): ``environ["gunicorn.socket"]``;
    - any ``socketserver``-based server, which is what ``runserver`` and the test live server
      (Django's ``WSGIServer``/``ThreadedWSGIServer`` with ``WSGIRequestHandler``) and
      ``wsgiref`` are: the request handler calling this application on the current thread,
      found on the call stack, holds the socket as ``request`` (documented socketserver API).

    The request body has been read by then, so the close is a clean FIN, not a reset.
    """
    sock = _connection_socket(request.META)
    if sock is None:
        raise ConnectionDropped("No socket to drop: the server hides its connections.")
    # OSError: the client went away first, and the connection is dropped all the same.
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    logger.info("Sandbox fault: dropped the connection after storing a goods-out.")
    # Never sent: writing it is what fails.
    return HttpResponse(status=204)


def _connection_socket(environ: Mapping[str, Any]) -> socket.socket | None:
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    frame = inspect.currentframe()
    try:
        while frame is not None:
            handler = frame.f_locals.get("self")
            if isinstance(handler, socketserver.StreamRequestHandler) and isinstance(
                handler.request, socket.socket
            ):
                return handler.request
            frame = frame.f_back
    finally:
        # Frames refer to their locals; do not keep the stack alive.
        del frame
    return None
