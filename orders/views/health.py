"""Probes for the machines that run the desk: alive (``/healthz``) and able to work
(``/readyz``). Open to anyone, so they say nothing but that: no versions, no tenants."""

from http import HTTPStatus

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from orders.selectors.health import readiness_problems


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer that this process serves requests; no database, nothing else asked."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Answer whether the desk can work: database, migrations, a live delivery worker.

    503 with the reasons (``database``, ``migrations``, ``delivery_worker``) when it cannot.
    """
    problems = readiness_problems()
    if problems:
        return JsonResponse(
            {"ready": False, "reasons": problems}, status=HTTPStatus.SERVICE_UNAVAILABLE
        )
    return JsonResponse({"ready": True, "reasons": []})
