"""One log line per request, and a request id that follows the request into its Clarus calls.

The id is the caller's ``X-Request-ID`` when it is a plain token (a proxy's or load balancer's
id, up to 128 letters, digits and ``._:+=/-``), else a new one; the response carries it back in
``X-Request-ID``. The line names the request id, method, path (without its query string, which
may hold search terms; a webhook secret redacted), the URL's name, status, duration, tenant
(subdomain), user id and order id: never a header's value, a form field or a cookie.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase

from clarus_admin.log_redaction import redact_webhook_secrets
from orders.log_context import LogContext, log_context, log_scope

logger = logging.getLogger("desk.request")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")
# Paths longer than this are cut in the line (the path is the caller's to choose).
PATH_LIMIT = 300


def request_id_from(header: str | None) -> str:
    """Return the caller's request id if it is a plain token, else a new one."""
    if header is not None and SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestLog:
    """Open a log scope per request, echo its id, and log one line when the response is ready.

    For a streamed response (the CSV export) the duration is the time to its first byte.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.monotonic()
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        with log_scope(request_id=request_id) as scope:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            _note_request(scope, request)
            duration_ms = round((time.monotonic() - started) * 1000)
            path = redact_webhook_secrets(request.path)[:PATH_LIMIT]
            match = request.resolver_match
            logger.info(
                "%s %s %s %d ms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "desk": {
                        "event": "request",
                        "method": request.method,
                        "path": path,
                        "route": match.view_name if match is not None else None,
                        "status": response.status_code,
                        "duration_ms": duration_ms,
                    }
                },
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponseBase],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        """Name the user and order in the scope before the view runs, for its Clarus lines."""
        scope = log_context()
        if scope is not None:
            _note_request(scope, request)


def _note_request(scope: LogContext, request: HttpRequest) -> None:
    """Fill the scope with the tenant, user and order the request turned out to concern."""
    match = request.resolver_match
    kwargs = match.kwargs if match is not None else {}
    if scope.order_id is None and isinstance(kwargs.get("order_id"), int):
        scope.order_id = kwargs["order_id"]
    if not scope.tenant:
        membership = getattr(request, "membership", None)
        if membership is not None:
            scope.tenant = membership.tenant.subdomain
        elif isinstance(kwargs.get("subdomain"), str):
            scope.tenant = kwargs["subdomain"]
    user = getattr(request, "user", None)
    if scope.user_id is None and user is not None and user.is_authenticated:
        scope.user_id = user.pk
