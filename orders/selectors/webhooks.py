"""Reads for Clarus's webhooks: the tenant a secret address belongs to."""

import hmac

from django.utils import timezone

from orders.models import Tenant


def tenant_for_webhook(*, subdomain: str, secret: str) -> Tenant | None:
    """Return the tenant whose webhook address this is, comparing secrets in constant time.

    The secret before the last rotation still counts until ``previous_webhook_secret_until``.
    """
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None:
        return None
    given = secret.encode()
    current = hmac.compare_digest(tenant.webhook_secret.encode(), given)
    until = tenant.previous_webhook_secret_until
    previous = hmac.compare_digest(tenant.previous_webhook_secret.encode(), given)
    if current or (previous and until is not None and timezone.now() < until):
        return tenant
    return None
