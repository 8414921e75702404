"""Writes: registering clients and users, issuing and ending tokens, storing received goods-outs."""

import secrets
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import transaction
from django.utils import timezone

from sandbox.goods_out_records import goods_out_columns, goods_out_lines
from sandbox.models import (
    SandboxAccessToken,
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxGoodsOut,
    SandboxGoodsOutLine,
    SandboxRefreshToken,
    SandboxSubdomain,
    SandboxTokenRequest,
    SandboxUser,
    token_digest,
)

# RFC 6749 §4.1.2 recommends at most ten minutes; a minute is plenty for a redirect.
AUTHORIZATION_CODE_LIFETIME_SECONDS = 60


@transaction.atomic
def client_register(
    *,
    subdomain: str,
    client_id: str,
    client_secret: str,
    name: str | None = None,
    token_lifetime_seconds: int | None = None,
    refresh_token_lifetime_seconds: int | None = None,
    redirect_uris: Sequence[str] | None = None,
) -> tuple[SandboxClient, bool]:
    """Create or update ``subdomain`` and its client ``client_id``; return it and if it is new.

    Running it again with the same arguments changes nothing; a new secret replaces the old one
    and revokes the tokens issued under it. ``redirect_uris``, when given, replace the client's
    list. Raise ValidationError if ``subdomain`` is no slug or a redirect URI is no absolute
    http(s) URL without a fragment.
    """
    validate_slug(subdomain)
    if redirect_uris is not None:
        for uri in redirect_uris:
            redirect_uri_validate(uri)
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
        _client_tokens_revoke(client)
    if created or not client.check_secret(client_secret):
        client.set_secret(client_secret)
        if not created:
            _client_tokens_revoke(client)
    if token_lifetime_seconds is not None:
        client.token_lifetime_seconds = token_lifetime_seconds
    if refresh_token_lifetime_seconds is not None:
        client.refresh_token_lifetime_seconds = refresh_token_lifetime_seconds
    if redirect_uris is not None:
        client.redirect_uris = list(dict.fromkeys(redirect_uris))
    client.save()
    return client, created


def redirect_uri_validate(uri: str) -> None:
    """Raise ValidationError unless ``uri`` may be registered as a redirect URI."""
    # RFC 6749 §3.1.2: absolute, and without a fragment.
    URLValidator(schemes=["http", "https"])(uri)
    if urlsplit(uri).fragment or uri.endswith("#"):
        raise ValidationError(f"{uri} must not have a fragment.", code="fragment")


@transaction.atomic
def user_register(*, subdomain: str, username: str, password: str) -> tuple[SandboxUser, bool]:
    """Create or update the demo user ``username`` of ``subdomain``; return it and if it is new.

    A new password replaces the old one and revokes the user's tokens.
    """
    tenant = SandboxSubdomain.objects.get(slug=subdomain)
    user = SandboxUser.objects.filter(subdomain=tenant, username=username).first()
    created = user is None
    if user is None:
        user = SandboxUser(subdomain=tenant, username=username)
    elif user.check_password(password):
        return user, False
    user.set_password(password)
    user.save()
    if not created:
        user.access_tokens.update(revoked=True)
        user.refresh_tokens.update(revoked=True)
    return user, created


def access_token_issue(
    *,
    client: SandboxClient,
    user: SandboxUser | None = None,
    refresh_token: SandboxRefreshToken | None = None,
) -> tuple[SandboxAccessToken, str]:
    """Issue a bearer token to ``client``; return the stored row and the token itself."""
    # 32 random bytes: 43 URL-safe characters, and the only time the token exists in the clear.
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    row = SandboxAccessToken.objects.create(
        client=client,
        user=user,
        refresh_token=refresh_token,
        family=refresh_token.family if refresh_token else None,
        digest=token_digest(token),
        issued_at=now,
        expires_at=now + timedelta(seconds=client.token_lifetime_seconds),
    )
    return row, token


def refresh_token_issue(
    *, client: SandboxClient, user: SandboxUser, family: uuid.UUID
) -> tuple[SandboxRefreshToken, str]:
    """Issue a refresh token in ``family``; return the stored row and the token itself."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    row = SandboxRefreshToken.objects.create(
        client=client,
        user=user,
        family=family,
        digest=token_digest(token),
        issued_at=now,
        expires_at=now + timedelta(seconds=client.refresh_token_lifetime_seconds),
    )
    return row, token


@transaction.atomic
def token_pair_issue(
    *, client: SandboxClient, user: SandboxUser, family: uuid.UUID
) -> tuple[str, str]:
    """Issue an access token and a refresh token for ``user``; return both."""
    refresh_row, refresh_token = refresh_token_issue(client=client, user=user, family=family)
    _row, access_token = access_token_issue(client=client, user=user, refresh_token=refresh_row)
    return access_token, refresh_token


def authorization_code_issue(
    *, client: SandboxClient, user: SandboxUser, redirect_uri: str, code_challenge: str
) -> str:
    """Issue a single-use authorization code; return the code itself."""
    code = secrets.token_urlsafe(32)
    lifetime = getattr(
        settings, "SANDBOX_AUTHORIZATION_CODE_LIFETIME_SECONDS", AUTHORIZATION_CODE_LIFETIME_SECONDS
    )
    now = timezone.now()
    SandboxAuthorizationCode.objects.create(
        client=client,
        user=user,
        digest=token_digest(code),
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        issued_at=now,
        expires_at=now + timedelta(seconds=lifetime),
    )
    return code


def authorization_code_use(*, code: SandboxAuthorizationCode) -> bool:
    """Mark ``code`` used; return False if another request used it first."""
    # A conditional UPDATE, so two requests racing with one code cannot both win.
    used = SandboxAuthorizationCode.objects.filter(pk=code.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return used == 1


def refresh_token_rotate(*, refresh_token: SandboxRefreshToken) -> bool:
    """Mark ``refresh_token`` used up; return False if another request rotated it first."""
    rotated = SandboxRefreshToken.objects.filter(
        pk=refresh_token.pk, rotated_at__isnull=True, revoked=False
    ).update(rotated_at=timezone.now())
    return rotated == 1


@transaction.atomic
def token_family_revoke(*, family: uuid.UUID) -> None:
    """Revoke every refresh and access token descended from one authorization."""
    SandboxRefreshToken.objects.filter(family=family).update(revoked=True)
    SandboxAccessToken.objects.filter(family=family).update(revoked=True)


def access_token_revoke(*, access_token: SandboxAccessToken) -> None:
    SandboxAccessToken.objects.filter(pk=access_token.pk).update(revoked=True)


def tokens_expire(*, subdomain: str, refresh_tokens: bool = False) -> int:
    """Make every live access token of ``subdomain`` expire now; return how many did.

    Refresh tokens keep working, as they do when access tokens run out on their own, unless
    ``refresh_tokens`` is set.
    """
    now = timezone.now()
    count = SandboxAccessToken.objects.filter(
        client__subdomain__slug=subdomain, expires_at__gt=now
    ).update(expires_at=now)
    if refresh_tokens:
        count += SandboxRefreshToken.objects.filter(
            client__subdomain__slug=subdomain, expires_at__gt=now
        ).update(expires_at=now)
    return count


@transaction.atomic
def tokens_revoke(*, subdomain: str) -> int:
    """Revoke every access and refresh token of ``subdomain``; return how many it revoked."""
    count = SandboxAccessToken.objects.filter(
        client__subdomain__slug=subdomain, revoked=False
    ).update(revoked=True)
    count += SandboxRefreshToken.objects.filter(
        client__subdomain__slug=subdomain, revoked=False
    ).update(revoked=True)
    return count


def token_request_log(
    *, client: SandboxClient | None, client_id: str, grant_type: str, outcome: str
) -> SandboxTokenRequest:
    """Record one call to the token endpoint."""
    return SandboxTokenRequest.objects.create(
        client=client,
        presented_client_id=client_id[:100],
        grant_type=grant_type[:50],
        outcome=outcome[:50],
    )


@transaction.atomic
def goods_out_create(*, subdomain: SandboxSubdomain, document: dict[str, Any]) -> SandboxGoodsOut:
    """Store a goods-out document that passed validation, with the lines GraphQL lists."""
    data = document["data"]
    address = data.get("relationships", {}).get("address", {}).get("data", {}).get("attributes")
    goods_out = SandboxGoodsOut.objects.create(
        subdomain=subdomain,
        reference=data["attributes"]["reference"],
        document=document,
        address=address,
        **goods_out_columns(data["attributes"]),
    )
    SandboxGoodsOutLine.objects.bulk_create(goods_out_lines(goods_out))
    return goods_out


def _client_tokens_revoke(client: SandboxClient) -> None:
    client.tokens.update(revoked=True)
    client.refresh_tokens.update(revoked=True)
