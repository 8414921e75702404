"""The stand-in's records: tenants, OAuth clients, users and tokens, and the goods-outs it received.

Secrets never rest here in the clear: client secrets and user passwords are salted password
hashes; access tokens, refresh tokens and authorization codes are SHA-256 digests, so a copy of
the database cannot be replayed against the sandbox.
"""

import hashlib
import uuid
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from sandbox.catalogue import Account, Carrier, Product, Warehouse

REFRESH_TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60


def token_digest(token: str) -> str:
    """Return the digest a token or authorization code is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


class Expiring:
    """What a code or token that runs out shares: its ``expires_at`` and the test of it."""

    expires_at: datetime

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SandboxSubdomain(models.Model):
    """One pretend Clarus tenant, chosen per request by ``X-Clarus-Subdomain``."""

    slug = models.SlugField(max_length=63, unique=True, help_text="The X-Clarus-Subdomain value.")
    name = models.CharField(max_length=100)
    # Fault knobs for tests and demos: they apply to POST goods_outs only, but for the latency,
    # which applies to POST delivery_addresses too (sandbox.delivery_addresses).
    latency_ms = models.PositiveIntegerField(
        default=0, help_text="Wait this long before answering goods-out requests."
    )
    forced_status = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(400), MaxValueValidator(599)],
        help_text="Answer goods-out requests with this status instead, storing nothing.",
    )
    retry_after_seconds = models.PositiveIntegerField(
        default=1, help_text="The Retry-After header sent with a forced 429."
    )
    fail_next = models.PositiveIntegerField(
        default=0,
        help_text=(
            "Answer only this many next goods-out requests with the forced status (500 if unset),"
            " then answer normally again."
        ),
    )
    drop_after_store = models.PositiveIntegerField(
        default=0,
        help_text=(
            "Store this many next valid goods-outs, then close the connection without answering."
        ),
    )
    expire_tokens_after = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Expire every access token of the subdomain after this many more goods-outs.",
    )

    class Meta:
        ordering = ("slug",)

    def __str__(self) -> str:
        return self.slug


class SandboxClient(models.Model):
    """An OAuth client allowed to fetch tokens for one subdomain."""

    subdomain = models.ForeignKey(
        SandboxSubdomain, on_delete=models.CASCADE, related_name="clients"
    )
    client_id = models.CharField(max_length=100, unique=True)
    secret_hash = models.CharField(max_length=256, editable=False)
    token_lifetime_seconds = models.PositiveIntegerField(default=3600)
    refresh_token_lifetime_seconds = models.PositiveIntegerField(
        default=REFRESH_TOKEN_LIFETIME_SECONDS
    )
    # The authorization-code flow redirects only to these, compared as exact strings.
    redirect_uris = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("client_id",)

    def __str__(self) -> str:
        return self.client_id

    def set_secret(self, secret: str) -> None:
        self.secret_hash = make_password(secret)

    def check_secret(self, secret: str) -> bool:
        return check_password(secret, self.secret_hash)


class SandboxUser(models.Model):
    """A demo user of one subdomain, who signs in on the authorization page."""

    subdomain = models.ForeignKey(SandboxSubdomain, on_delete=models.CASCADE, related_name="users")
    username = models.CharField(max_length=150)
    password_hash = models.CharField(max_length=256, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("subdomain", "username")
        constraints = [
            models.UniqueConstraint(
                fields=["subdomain", "username"], name="sandbox_user_unique_per_subdomain"
            )
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.subdomain}"

    def set_password(self, password: str) -> None:
        self.password_hash = make_password(password)

    def check_password(self, password: str) -> bool:
        return check_password(password, self.password_hash)


class SandboxAuthorizationCode(Expiring, models.Model):
    """A single-use code from the authorization page, bound to what it was asked for."""

    client = models.ForeignKey(
        SandboxClient, on_delete=models.CASCADE, related_name="authorization_codes"
    )
    user = models.ForeignKey(
        SandboxUser, on_delete=models.CASCADE, related_name="authorization_codes"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    redirect_uri = models.TextField()
    # RFC 7636: the S256 challenge; the token request must bring the verifier that hashes to it.
    code_challenge = models.CharField(max_length=43)
    # Every token issued from this code carries the family, so a replay can revoke them all.
    family = models.UUIDField(default=uuid.uuid4, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"{self.client} code {self.pk}"


class SandboxRefreshToken(Expiring, models.Model):
    """A refresh token issued for a user, known only by its digest; using it rotates it."""

    client = models.ForeignKey(
        SandboxClient, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    user = models.ForeignKey(SandboxUser, on_delete=models.CASCADE, related_name="refresh_tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The authorization it descends from: one code, then each rotation.
    family = models.UUIDField(db_index=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"{self.client} refresh token {self.pk}"


class SandboxAccessToken(Expiring, models.Model):
    """A bearer token issued to a client, known only by its digest."""

    client = models.ForeignKey(SandboxClient, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
    # Set for tokens from the authorization-code flow; they still act on the client's subdomain.
    user = models.ForeignKey(
        SandboxUser, on_delete=models.CASCADE, null=True, blank=True, related_name="access_tokens"
    )
    refresh_token = models.ForeignKey(
        SandboxRefreshToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_tokens",
        help_text="The refresh token issued together with this one.",
    )
    family = models.UUIDField(null=True, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"{self.client} token {self.pk}"


class SandboxGoodsOut(models.Model):
    """A goods-out the sandbox accepted; its id is the Clarus goods-out id it answered with."""

    subdomain = models.ForeignKey(
        SandboxSubdomain, on_delete=models.CASCADE, related_name="goods_outs"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    reference = models.CharField(max_length=50, db_index=True)
    # The request JSON exactly as it arrived, so tests can assert on what the desk sent.
    document = models.JSONField()
    # Every accepted PATCH, in order: {"received_at": ISO 8601, "document": the body as it came}
    # (sandbox.amend). The header as it stands is the create's overlaid with each of these.
    amendments = models.JSONField(default=list, blank=True)
    # The delivery address as it stands: the create's, or the last amendment's.
    address = models.JSONField(null=True, blank=True)
    # Copied from the document when it is stored, so GraphQL can filter and join on them
    # (sandbox.goods_out_records). The ids are kept as sent: only product ids are checked
    # against the catalogue (sandbox.catalogue_rules), hence no database constraint.
    goods_out_status_id = models.IntegerField(null=True, blank=True, default=2)
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    expected_date_of_dispatch = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    warehouse = models.ForeignKey(
        Warehouse,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    carrier = models.ForeignKey(
        Carrier,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = "sandbox goods-out"

    def __str__(self) -> str:
        return f"{self.subdomain} #{self.pk} {self.reference}"

    def get_absolute_url(self) -> str:
        return reverse("sandbox:goods_out_detail", args=[self.pk])

    @property
    def attributes(self) -> dict[str, Any]:
        attributes: dict[str, Any] = self.document["data"]["attributes"]
        return attributes

    @property
    def line_count(self) -> int:
        return len(self.attributes.get("lines_changes") or [])

    @property
    def current_attributes(self) -> dict[str, Any]:
        """Return the header as it stands: the create's attributes, then each amendment's."""
        current = {k: v for k, v in self.attributes.items() if k != "lines_changes"}
        for amendment in self.amendments or []:
            changed = amendment["document"]["data"]["attributes"]
            current.update({k: v for k, v in changed.items() if k != "lines_changes"})
        return current


class SandboxTokenRequest(models.Model):
    """One call to the token endpoint, so tests can count how often the desk asked."""

    ISSUED = "issued"

    client = models.ForeignKey(
        SandboxClient,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="token_requests",
        help_text="The client, if it authenticated.",
    )
    presented_client_id = models.CharField(
        max_length=100, blank=True, help_text="The client id the request named."
    )
    grant_type = models.CharField(max_length=50, blank=True)
    # "issued", or the RFC 6749 §5.2 error code the endpoint answered with.
    outcome = models.CharField(max_length=50)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-requested_at", "-id")

    def __str__(self) -> str:
        return f"{self.presented_client_id or '?'} {self.grant_type or '?'}: {self.outcome}"


class SandboxGoodsOutLine(models.Model):
    """One ADD line of a received goods-out, as GraphQL ``goods_out_lines`` lists it."""

    goods_out = models.ForeignKey(SandboxGoodsOut, on_delete=models.CASCADE, related_name="lines")
    # 1-based position in the document's lines_changes.
    line_number = models.PositiveIntegerField()
    # As on the header: ids kept as sent, unchecked.
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    carrier = models.ForeignKey(
        Carrier,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    order_quantity = models.FloatField()
    # Nothing is allocated, picked or dispatched in the sandbox: these stay 0.
    allocated_quantity = models.FloatField(default=0)
    pick_quantity = models.FloatField(default=0)
    dispatch_quantity = models.FloatField(default=0)
    short_status = models.CharField(max_length=10, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("pk",)
        verbose_name = "sandbox goods-out line"

    def __str__(self) -> str:
        return f"{self.goods_out_id} line {self.line_number}"


class SandboxDeliveryAddress(models.Model):
    """A delivery address the sandbox saved (``POST /api/delivery_addresses``)."""

    subdomain = models.ForeignKey(
        SandboxSubdomain, on_delete=models.CASCADE, related_name="delivery_addresses"
    )
    received_at = models.DateTimeField(default=timezone.now)
    code = models.CharField(max_length=50)
    customer_id = models.BigIntegerField(null=True, blank=True)
    # The attributes exactly as they arrived, so tests can assert on what the desk sent.
    attributes = models.JSONField()

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = "sandbox delivery address"
        verbose_name_plural = "sandbox delivery addresses"

    def __str__(self) -> str:
        return f"{self.subdomain} delivery address {self.pk} {self.code}"
