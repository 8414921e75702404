from http import HTTPStatus

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from orders import telemetry
from orders.selectors.webhooks import tenant_for_webhook
from orders.services.webhooks import MAX_BODY_BYTES, WebhookRefused, webhook_receive

# How each kind of refused delivery is answered.
REFUSED_STATUS = {
    "forbidden": HTTPStatus.FORBIDDEN,
    "bad_body": HTTPStatus.BAD_REQUEST,
    "too_large": HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
}


@csrf_exempt
@require_POST
def clarus_webhook(request: HttpRequest, subdomain: str, secret: str) -> JsonResponse:
    """Take a Clarus Automations delivery: answer 2xx quickly, as Clarus asks (CONTRACT.md §5)."""
    tenant = tenant_for_webhook(subdomain=subdomain, secret=secret)
    if tenant is None:
        telemetry.webhook_deliveries.labels(outcome="unknown_address").inc()
        return JsonResponse({"error": "Unknown webhook address."}, status=HTTPStatus.NOT_FOUND)
    if _content_length(request) > MAX_BODY_BYTES:
        # Refused unread: a body is read whole into memory.
        telemetry.webhook_deliveries.labels(outcome="too_large").inc()
        error = f"The body is longer than {MAX_BODY_BYTES} bytes."
        return JsonResponse({"error": error}, status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    try:
        received = webhook_receive(tenant=tenant, headers=request.headers, raw_body=request.body)
    except WebhookRefused as refused:
        telemetry.webhook_deliveries.labels(outcome=refused.kind).inc()
        return JsonResponse({"error": str(refused)}, status=REFUSED_STATUS[refused.kind])
    outcome = "repeat" if received.repeated else "kept"
    telemetry.webhook_deliveries.labels(outcome=outcome).inc()
    return JsonResponse({"received": received.delivery.pk, "repeat": received.repeated})


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
