"""The stand-in's endpoints: Clarus's OAuth and goods-out API, and pages to look around."""

import json
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sandbox import amend, cancel, delivery_addresses, faults, responses, selectors, services
from sandbox.authorization import (
    AuthorizationPageError,
    AuthorizationRedirectError,
    authorization_request_parse,
)
from sandbox.catalogue_rules import unknown_product_problems
from sandbox.forms import DENY, AuthorizeForm
from sandbox.models import SandboxSubdomain
from sandbox.oauth import BearerError, OAuthError, SubdomainError, bearer_token, request_subdomain
from sandbox.oauth import revocation_request as oauth_revocation_request
from sandbox.oauth import token_request as oauth_token_request
from sandbox.validation import (
    Problem,
    content_type_problem,
    goods_out_create_problems,
    parse_json_object,
)


def api_caller(request: HttpRequest) -> SandboxSubdomain | HttpResponse:
    """Return the subdomain a Clarus API call's bearer token and ``X-Clarus-Subdomain`` name, or
    the 401 Clarus answers when either is missing or wrong (CONTRACT.md §1)."""
    try:
        return request_subdomain(request, bearer_token(request))
    except BearerError as error:
        return responses.unauthorized(str(error), invalid_token=True)
    except SubdomainError as error:
        return responses.unauthorized(str(error))


def api_document(request: HttpRequest) -> tuple[SandboxSubdomain, dict[str, Any]] | HttpResponse:
    """Return the caller's subdomain (``api_caller``) and the JSON object it sent, or the 401 or
    422 Clarus answers (a body that is not JSON:API's content type or not a JSON object)."""
    subdomain = api_caller(request)
    if isinstance(subdomain, HttpResponse):
        return subdomain
    if problem := content_type_problem(request.content_type or ""):
        return responses.unprocessable([problem])
    document = parse_json_object(request.body)
    if isinstance(document, Problem):
        return responses.unprocessable([document])
    return subdomain, document


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    try:
        issued = oauth_token_request(request)
    except OAuthError as error:
        return responses.oauth_error(error)
    return responses.token_issued(issued)


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        oauth_revocation_request(request)
    except OAuthError as error:
        return responses.oauth_error(error)
    return responses.revoked()


# A browser page with its own form: CSRF-protected, unlike the machine endpoints around it.
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    try:
        authorization = authorization_request_parse(request.GET)
    except AuthorizationPageError as error:
        return render(request, "sandbox/authorize_error.html", {"message": error}, status=400)
    except AuthorizationRedirectError as error:
        return HttpResponseRedirect(error.location)
    form = AuthorizeForm(
        request.POST if request.method == "POST" else None,
        subdomain=authorization.client.subdomain,
    )
    if form.is_valid():
        if form.cleaned_data["decision"] == DENY:
            return HttpResponseRedirect(
                authorization.error_location("access_denied", "The user denied access.")
            )
        code = services.authorization_code_issue(
            client=authorization.client,
            user=form.cleaned_data["user"],
            redirect_uri=authorization.redirect_uri,
            code_challenge=authorization.code_challenge,
        )
        return HttpResponseRedirect(authorization.location(code=code))
    return render(request, "sandbox/authorize.html", {"form": form, "authorization": authorization})


@csrf_exempt
@require_POST
def goods_out_create(request: HttpRequest) -> HttpResponse:
    called = api_document(request)
    if isinstance(called, HttpResponse):
        return called
    subdomain, document = called
    faults.latency_apply(subdomain)
    if status := faults.failure_status(subdomain):
        return responses.forced_error(status, retry_after_seconds=subdomain.retry_after_seconds)
    if problems := goods_out_create_problems(document):
        return responses.unprocessable(problems)
    if problems := unknown_product_problems(subdomain=subdomain, document=document):
        return responses.unprocessable(problems)
    goods_out = services.goods_out_create(subdomain=subdomain, document=document)
    faults.tokens_expiry_count(subdomain)
    if faults.drop_due(subdomain):
        return faults.connection_drop(request)
    return responses.goods_out_created(goods_out)


@csrf_exempt
@require_http_methods(["PATCH"])
def goods_out_update(request: HttpRequest, goods_out_id: int) -> HttpResponse:
    """``PATCH /api/goods_outs/{id}``: amend a goods-out (sandbox.amend, CONTRACT.md §2.4)."""
    called = api_document(request)
    if isinstance(called, HttpResponse):
        return called
    subdomain, document = called
    faults.latency_apply(subdomain)
    if status := faults.failure_status(subdomain):
        return responses.forced_error(status, retry_after_seconds=subdomain.retry_after_seconds)
    outcome = amend.goods_out_amend(
        subdomain=subdomain, goods_out_id=goods_out_id, document=document
    )
    if not outcome.found:
        return responses.not_found(f"No goods-out {goods_out_id}.")
    if outcome.goods_out is None:
        return responses.unprocessable(outcome.problems)
    if faults.drop_due(subdomain):
        return faults.connection_drop(request)
    return responses.goods_out_updated(
        outcome.goods_out, document=document, added_line_ids=outcome.added_line_ids
    )


@csrf_exempt
@require_POST
def delivery_address_create(request: HttpRequest) -> HttpResponse:
    """``POST /api/delivery_addresses`` (CONTRACT.md §4); the latency knob applies to it too."""
    called = api_document(request)
    if isinstance(called, HttpResponse):
        return called
    subdomain, document = called
    faults.latency_apply(subdomain)
    if problems := delivery_addresses.delivery_address_create_problems(document):
        return responses.unprocessable(problems)
    address = delivery_addresses.delivery_address_create(
        subdomain=subdomain, attributes=document["data"]["attributes"]
    )
    return delivery_addresses.delivery_address_created(address)


@csrf_exempt
@require_POST
def goods_out_cancel(request: HttpRequest, goods_out_id: int) -> HttpResponse:
    """``POST /api/goods_outs/{id}/cancel``: no body (CONTRACT.md §2.7)."""
    subdomain = api_caller(request)
    if isinstance(subdomain, HttpResponse):
        return subdomain
    outcome = cancel.goods_out_cancel(subdomain=subdomain, goods_out_id=goods_out_id)
    # Clarus: 404 and 422 carry the ErrorResponse shape (CONTRACT.md §3.2).
    if not outcome.found:
        missing = {"code": 404, "symbol": "not_found", "details": f"No goods-out {goods_out_id}."}
        return JsonResponse({"errors": [{**missing, "source": None}]}, status=404)
    if outcome.refused:
        refusal = {"code": 1020, "symbol": "cannot_cancel", "details": outcome.refused}
        return JsonResponse({"errors": [{**refusal, "source": None}]}, status=422)
    return JsonResponse({"data": outcome.data})


@require_GET
def goods_out_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.goods_out_list(), 50).get_page(request.GET.get("page"))
    return render(request, "sandbox/goods_out_list.html", {"page": page})


@require_GET
def goods_out_detail(request: HttpRequest, goods_out_id: int) -> HttpResponse:
    goods_out = selectors.goods_out_get(goods_out_id=goods_out_id)
    document = json.dumps(goods_out.document, indent=2, ensure_ascii=False)
    amendments = [
        {
            "received_at": amendment["received_at"],
            "document": json.dumps(amendment["document"], indent=2, ensure_ascii=False),
        }
        for amendment in goods_out.amendments or []
    ]
    return render(
        request,
        "sandbox/goods_out_detail.html",
        {
            "goods_out": goods_out,
            "document": document,
            "amendments": amendments,
            "lines": goods_out.lines.order_by("line_number"),
        },
    )
