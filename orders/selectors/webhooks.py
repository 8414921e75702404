"""Reads for Clarus's webhooks: the tenant a secret address belongs to."""

import hmac

from orders.models import Tenant


def tenant_for_webhook(*, subdomain: str, secret: str) -> Tenant | None:
    """Return the tenant whose webhook address this is, comparing secrets in constant time."""
    tenant = Tenant.objects.filter(subdomain=subdomain).first()
    if tenant is None or not hmac.compare_digest(tenant.webhook_secret, secret):
        return None
    return tenant
