"""The stand-in's records: tenants, OAuth clients and tokens, and the goods-outs it received.

Secrets never rest here in the clear: client secrets are salted password hashes and access tokens
are SHA-256 digests, so a copy of the database cannot be replayed against the sandbox.
"""

import hashlib
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


def token_digest(token: str) -> str:
    """Return the digest an access token is stored and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


class SandboxSubdomain(models.Model):
    """One pretend Clarus tenant, chosen per request by ``X-Clarus-Subdomain``."""

    slug = models.SlugField(max_length=63, unique=True, help_text="The X-Clarus-Subdomain value.")
    name = models.CharField(max_length=100)
    # Fault knobs for tests and demos: they apply to POST goods_outs only.
    latency_ms = models.PositiveIntegerField(
        default=0, help_text="Wait this long before answering goods-out requests."
    )
    forced_status = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(400), MaxValueValidator(599)],
        help_text="Answer goods-out requests with this status instead, storing nothing.",
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("client_id",)

    def __str__(self) -> str:
        return self.client_id

    def set_secret(self, secret: str) -> None:
        self.secret_hash = make_password(secret)

    def check_secret(self, secret: str) -> bool:
        return check_password(secret, self.secret_hash)


class SandboxAccessToken(models.Model):
    """A bearer token issued to a client, known only by its digest."""

    client = models.ForeignKey(SandboxClient, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ("-issued_at",)

    def __str__(self) -> str:
        return f"{self.client} token {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SandboxGoodsOut(models.Model):
    """A goods-out the sandbox accepted; its id is the Clarus goods-out id it answered with."""

    subdomain = models.ForeignKey(
        SandboxSubdomain, on_delete=models.CASCADE, related_name="goods_outs"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    reference = models.CharField(max_length=50, db_index=True)
    # The request JSON exactly as it arrived, so tests can assert on what the desk sent.
    document = models.JSONField()
    address = models.JSONField(null=True, blank=True)

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
