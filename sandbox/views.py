"""The stand-in's endpoints: Clarus's token and goods-out API, and two pages to look around."""

import json

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from sandbox import responses, selectors, services
from sandbox.faults import latency_apply
from sandbox.oauth import BearerError, OAuthError, SubdomainError, bearer_token, request_subdomain
from sandbox.oauth import token_request as oauth_token_request
from sandbox.validation import (
    Problem,
    content_type_problem,
    goods_out_create_problems,
    parse_json_object,
)


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
def goods_out_create(request: HttpRequest) -> JsonResponse:
    try:
        subdomain = request_subdomain(request, bearer_token(request))
    except BearerError as error:
        return responses.unauthorized(str(error), invalid_token=True)
    except SubdomainError as error:
        return responses.unauthorized(str(error))
    if problem := content_type_problem(request.content_type or ""):
        return responses.unprocessable([problem])
    document = parse_json_object(request.body)
    if isinstance(document, Problem):
        return responses.unprocessable([document])
    latency_apply(subdomain)
    if subdomain.forced_status:
        return responses.forced_error(subdomain.forced_status)
    if problems := goods_out_create_problems(document):
        return responses.unprocessable(problems)
    goods_out = services.goods_out_create(subdomain=subdomain, document=document)
    return responses.goods_out_created(goods_out)


@require_GET
def goods_out_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.goods_out_list(), 50).get_page(request.GET.get("page"))
    return render(request, "sandbox/goods_out_list.html", {"page": page})


@require_GET
def goods_out_detail(request: HttpRequest, goods_out_id: int) -> HttpResponse:
    goods_out = selectors.goods_out_get(goods_out_id=goods_out_id)
    document = json.dumps(goods_out.document, indent=2, ensure_ascii=False)
    return render(
        request,
        "sandbox/goods_out_detail.html",
        {"goods_out": goods_out, "document": document},
    )
