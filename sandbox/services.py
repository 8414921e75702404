"""Writes: registering clients, issuing tokens, storing received goods-outs."""

import secrets
from datetime import timedelta
from typing import Any

from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone

from sandbox.models import (
    SandboxAccessToken,
    SandboxClient,
    SandboxGoodsOut,
    SandboxSubdomain,
    token_digest,
)


@transaction.atomic
def client_register(
    *,
    subdomain: str,
    client_id: str,
    client_secret: str,
    name: str | None = None,
    token_lifetime_seconds: int | None = None,
) -> tuple[SandboxClient, bool]:
    """Create or update ``subdomain`` and its client ``client_id``; return it and if it is new.

    Running it again with the same arguments changes nothing; a new secret replaces the old one
    and revokes the tokens issued under it. Raise ValidationError if ``subdomain`` is no slug.
    """
    validate_slug(subdomain)
    tenant, tenant_created = SandboxSubdomain.objects.get_or_create(
        slug=subdomain, defaults={"name": name or subdomain}
    )
    if name and not tenant_created and tenant.name != name:
        tenant.name = name
        tenant.save(update_fields=["name"])
    client = SandboxClient.objects.filter(client_id=client_id).first()
    created = client is None
    if client is None:
        client = SandboxClient(client_id=client_id, subdomain=tenant)
    elif client.subdomain_id != tenant.pk:
        client.subdomain = tenant
        client.tokens.update(revoked=True)
    if created or not client.check_secret(client_secret):
        client.set_secret(client_secret)
        if not created:
            client.tokens.update(revoked=True)
    if token_lifetime_seconds is not None:
        client.token_lifetime_seconds = token_lifetime_seconds
    client.save()
    return client, created


def access_token_issue(*, client: SandboxClient) -> tuple[SandboxAccessToken, str]:
    """Issue a bearer token to ``client``; return the stored row and the token itself."""
    # 32 random bytes: 43 URL-safe characters, and the only time the token exists in the clear.
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    row = SandboxAccessToken.objects.create(
        client=client,
        digest=token_digest(token),
        issued_at=now,
        expires_at=now + timedelta(seconds=client.token_lifetime_seconds),
    )
    return row, token


def goods_out_create(*, subdomain: SandboxSubdomain, document: dict[str, Any]) -> SandboxGoodsOut:
    """Store a goods-out document that passed validation."""
    data = document["data"]
    address = data.get("relationships", {}).get("address", {}).get("data", {}).get("attributes")
    return SandboxGoodsOut.objects.create(
        subdomain=subdomain,
        reference=data["attributes"]["reference"],
        document=document,
        address=address,
    )
