"""The JSON answers the stand-in gives, in the shapes Clarus documents (CONTRACT.md §3.2)."""

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse, JsonResponse

from sandbox.models import SandboxGoodsOut
from sandbox.oauth import REALM, IssuedToken, OAuthError
from sandbox.validation import Problem

# Clarus: a created goods-out starts PENDING, status id 2 (GoodsOutStatusId, CONTRACT.md §2.6).
PENDING = 2


def token_issued(token: IssuedToken) -> JsonResponse:
    return _no_store(JsonResponse(token.as_json()))


def oauth_error(error: OAuthError) -> JsonResponse:
    response = JsonResponse(
        {"error": error.error, "error_description": error.description}, status=error.status
    )
    if error.status == 401:
        response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
    return _no_store(response)


def unauthorized(message: str, *, invalid_token: bool = False) -> JsonResponse:
    """Answer 401 in Clarus's own shape, ``{"error": message}``."""
    response = JsonResponse({"error": message}, status=401)
    challenge = f'Bearer realm="{REALM}"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    response["WWW-Authenticate"] = challenge
    return response


def unprocessable(problems: Iterable[Problem]) -> JsonResponse:
    return JsonResponse({"errors": [problem.as_json() for problem in problems]}, status=422)


def forced_error(status: int, *, retry_after_seconds: int = 1) -> JsonResponse:
    """Answer with a status a fault knob forces, with a body shaped like a real one.

    A 429 says when to come back: Clarus documents no rate limit (CONTRACT.md §3.4), so this
    follows RFC 6585 §4 with a Retry-After in seconds.
    """
    if status == 401:
        return unauthorized("Forced by the sandbox's forced_status knob.")
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = f"HTTP error {status}"
    error = {
        "code": status,
        "symbol": phrase.lower().replace(" ", "_").replace("-", "_"),
        "details": f"{phrase} (forced by the sandbox's fault knobs).",
        "source": None,
    }
    response = JsonResponse({"errors": [error]}, status=status)
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        response["Retry-After"] = str(retry_after_seconds)
    return response


def revoked() -> HttpResponse:
    """Answer a revocation: 200 whether or not the token was known (RFC 7009 §2.2)."""
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


def goods_out_created(goods_out: SandboxGoodsOut) -> JsonResponse:
    """Answer 200 with the new id and the attributes echoed, as Clarus's create does."""
    attributes: dict[str, Any] = dict(goods_out.attributes)
    if attributes.get("goods_out_status_id") is None:
        attributes["goods_out_status_id"] = PENDING
    # Each added line comes back with the id Clarus gave it (GoodsOutLineChange.id), which later
    # amendments address it by.
    line_ids = dict(goods_out.lines.values_list("line_number", "pk"))
    if "lines_changes" in attributes:
        attributes["lines_changes"] = [
            {**change, "id": line_ids[number]} if number in line_ids else change
            for number, change in enumerate(attributes["lines_changes"], start=1)
        ]
    return JsonResponse(
        {"data": {"id": goods_out.pk, "type": "goods_outs", "attributes": attributes}}
    )


def _no_store(response: JsonResponse) -> JsonResponse:
    # RFC 6749 §5.1: token answers must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def not_found(details: str) -> JsonResponse:
    """Answer 404 in Clarus's ErrorResponse shape (CONTRACT.md §3.2)."""
    error = {"code": 404, "symbol": "not_found", "details": details, "source": None}
    return JsonResponse({"errors": [error]}, status=404)


def goods_out_updated(
    goods_out: SandboxGoodsOut, *, document: dict[str, Any], added_line_ids: list[int]
) -> JsonResponse:
    """Answer 200 with the goods-out's header as it now stands and the line changes applied,
    each added line with the id Clarus gave it (GoodsOutLineChange.id)."""
    attributes: dict[str, Any] = dict(goods_out.current_attributes)
    attributes["goods_out_status_id"] = goods_out.goods_out_status_id or PENDING
    added = iter(added_line_ids)
    changes = []
    for change in document["data"]["attributes"].get("lines_changes") or []:
        echoed = dict(change)
        if change.get("type") == "ADD":
            echoed["id"] = next(added)
        changes.append(echoed)
    attributes["lines_changes"] = changes
    return JsonResponse(
        {"data": {"id": goods_out.pk, "type": "goods_outs", "attributes": attributes}}
    )
