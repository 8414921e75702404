"""Every desk response is no-store: the middleware writes what Django's never_cache writes."""

from email.utils import parsedate_to_datetime

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from clarus_admin.middleware import private_pages


def answered(response: HttpResponse) -> HttpResponse:
    request: HttpRequest = RequestFactory().get("/orders/new/line-row/")
    request.resolver_match = None
    return private_pages(lambda _: response)(request)  # type: ignore[return-value]


def test_a_response_without_caching_headers_gets_djangos_never_cache_headers():
    django_writes = HttpResponse("x")
    add_never_cache_headers(django_writes)

    response = answered(HttpResponse("x"))

    assert response["Cache-Control"] == django_writes["Cache-Control"]
    expires = parsedate_to_datetime(response["Expires"])
    assert abs((expires - timezone.now()).total_seconds()) < 5


def test_a_views_own_caching_headers_are_merged_as_django_merges_them():
    def with_headers() -> HttpResponse:
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=300, public"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    django_writes = with_headers()
    add_never_cache_headers(django_writes)

    response = answered(with_headers())

    assert response["Cache-Control"] == django_writes["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["Expires"] == django_writes["Expires"]
