"""Receiving Clarus Automations webhooks for goods-outs (CONTRACT.md §5).

Clarus signs nothing: it sends identifying ``X-ClarusWMS-*`` headers, and the desk adds an
unguessable secret to the address it gives Clarus. Deliveries can repeat, so each is kept once.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from orders.models import Tenant, WebhookDelivery

KEPT_HEADERS = (
    "X-ClarusWMS-Domain",
    "X-ClarusWMS-API-Domain",
    "X-ClarusWMS-Subdomain",
    "X-ClarusWMS-Automation-ID",
    "X-ClarusWMS-Integration-ID",
)


class WebhookRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebhookReceived:
    delivery: WebhookDelivery
    repeated: bool


def tenant_for_webhook(*, subdomain: str, secret: str) -> Tenant | None:
    """Return the tenant whose webhook address this is, comparing secrets in constant time."""
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None or not hmac.compare_digest(tenant.webhook_secret, secret):
        return None
    return tenant


def _goods_out_id(body: dict[str, Any]) -> int | None:
    # The payload schema is not documented (CONTRACT.md §5); the conditions' `data.account_id`
    # suggests the record sits under `data`. Accept it there or at the top.
    record = body.get("data") if isinstance(body.get("data"), dict) else body
    try:
        return int(record.get("id"))  # type: ignore[union-attr, arg-type]
    except (TypeError, ValueError):
        return None


def webhook_receive(
    *, tenant: Tenant, headers: Mapping[str, str], raw_body: bytes
) -> WebhookReceived:
    """Check and keep one delivery; a repeat of one already kept only counts as a repeat.

    ``headers`` must look names up case-insensitively, as Django's ``request.headers`` does.
    """
    if headers.get("X-ClarusWMS-Subdomain", "") != tenant.subdomain:
        raise WebhookRefused(403, "X-ClarusWMS-Subdomain does not name this tenant.")
    if not headers.get("X-ClarusWMS-Automation-ID"):
        raise WebhookRefused(403, "X-ClarusWMS-Automation-ID is missing.")
    try:
        body = json.loads(raw_body)
    except ValueError as exc:
        raise WebhookRefused(400, "The body is not JSON.") from exc
    if not isinstance(body, dict):
        raise WebhookRefused(400, "The body is not a JSON object.")
    automation_id = headers["X-ClarusWMS-Automation-ID"]
    fingerprint = hashlib.sha256(automation_id.encode() + b"\0" + raw_body).hexdigest()
    event = str(body.get("event") or body.get("action") or "")
    kept = {name: headers[name] for name in KEPT_HEADERS if name in headers}
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(
                tenant=tenant,
                fingerprint=fingerprint,
                automation_id=automation_id[:100],
                event=event[:50],
                goods_out_id=_goods_out_id(body),
                headers=kept,
                body=body,
            )
    except IntegrityError:
        WebhookDelivery.objects.filter(tenant=tenant, fingerprint=fingerprint).update(
            repeats=F("repeats") + 1
        )
        return WebhookReceived(
            WebhookDelivery.objects.get(tenant=tenant, fingerprint=fingerprint), repeated=True
        )
    return WebhookReceived(delivery, repeated=False)
