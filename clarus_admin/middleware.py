"""Site-wide response policy of the desk."""

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

# The Clarus stand-in answers for Clarus and sets its own caching (OAuth answers are no-store).
NOT_THE_DESK = frozenset({"sandbox"})
# What Django's add_never_cache_headers writes on a response that has no caching headers yet.
NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def private_pages(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Keep every desk response out of shared and browser caches.

    Almost every page shows callers' names, addresses, emails or phones (the entry form, an
    order, the history and its CSV, the dashboard, lookups, htmx fragments), and a cached copy
    would outlive the session on a shared PC or in a proxy. So every response of the desk, signed
    in or not, is ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private``
    (Django's ``never_cache``) rather than a list of pages that could miss a new one. Static
    files (served by the web server in production) and the sandbox keep their own headers.
    """

    static_prefix = "/" + settings.STATIC_URL.lstrip("/") if settings.STATIC_URL else None

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        if static_prefix and request.path.startswith(static_prefix):
            return response
        match = request.resolver_match
        if match is not None and NOT_THE_DESK.intersection(match.namespaces):
            return response
        if "Cache-Control" in response or "Expires" in response:
            add_never_cache_headers(response)
        else:
            # The same headers, without parsing and writing Cache-Control again.
            response.headers["Expires"] = http_date(time.time())
            response.headers["Cache-Control"] = NEVER_CACHE
        return response

    return middleware


# The session's key holding when its idle time last started again (seconds since the epoch).
RENEWED_KEY = "_desk_renewed"
# The idle sign-out is renewed at most this often: within it, a request writes nothing.
RENEW_EVERY_SECONDS = 60


def session_renewal(
    get_response: Callable[[HttpRequest], HttpResponseBase],
) -> Callable[[HttpRequest], HttpResponseBase]:
    """Start a signed-in session's idle time again, at most once a minute.

    A session ends ``SESSION_COOKIE_AGE`` after it was last saved. Saving it on every request
    (``SESSION_SAVE_EVERY_REQUEST``) cost every page and htmx fragment a database write; saving
    it when the last renewal is a minute old or more costs one write a minute, and the session
    still ends between ``SESSION_COOKIE_AGE`` minus a minute and ``SESSION_COOKIE_AGE`` after the
    last request. A session that is saved anyway (signing in, switching tenant) counts as
    renewed.
    """

    def middleware(request: HttpRequest) -> HttpResponseBase:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(RENEWED_KEY)
        if session.modified or not isinstance(renewed, int) or now - renewed >= RENEW_EVERY_SECONDS:
            session[RENEWED_KEY] = now
        return response

    return middleware
