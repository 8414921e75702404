"""Site-wide response policy of the desk."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

# The Clarus stand-in answers for Clarus and sets its own caching (OAuth answers are no-store).
NOT_THE_DESK = frozenset({"sandbox"})


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
        add_never_cache_headers(response)
        return response

    return middleware
