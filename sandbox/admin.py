"""Admin for the stand-in: fault knobs are editable, the rest is for looking; no secret is shown."""

import json

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from sandbox import catalogue_admin  # noqa: F401  (registers the catalogue)
from sandbox.models import (
    SandboxAccessToken,
    SandboxClient,
    SandboxGoodsOut,
    SandboxRefreshToken,
    SandboxSubdomain,
    SandboxTokenRequest,
    SandboxUser,
)
from sandbox.services import token_family_revoke


class ReadOnlyAdmin[
    M: SandboxClient
    | SandboxAccessToken
    | SandboxRefreshToken
    | SandboxUser
    | SandboxTokenRequest
    | SandboxGoodsOut
](admin.ModelAdmin[M]):
    """Show records without letting them be added or changed here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(SandboxSubdomain)
class SandboxSubdomainAdmin(admin.ModelAdmin[SandboxSubdomain]):
    list_display = (
        "slug",
        "name",
        "latency_ms",
        "forced_status",
        "fail_next",
        "drop_after_store",
        "expire_tokens_after",
    )
    search_fields = ("slug", "name")


@admin.register(SandboxClient)
class SandboxClientAdmin(ReadOnlyAdmin[SandboxClient]):
    # Clients come from `manage.py sandbox_client`, which hashes the secret.
    list_display = ("client_id", "subdomain", "token_lifetime_seconds", "created_at")
    fields = (
        "client_id",
        "subdomain",
        "token_lifetime_seconds",
        "refresh_token_lifetime_seconds",
        "redirect_uris",
        "created_at",
    )
    list_filter = ("subdomain",)


@admin.register(SandboxUser)
class SandboxUserAdmin(ReadOnlyAdmin[SandboxUser]):
    # Users come from `manage.py sandbox_client --user`, which hashes the password.
    list_display = ("username", "subdomain", "created_at")
    fields = ("username", "subdomain", "created_at")
    list_filter = ("subdomain",)


@admin.register(SandboxAccessToken)
class SandboxAccessTokenAdmin(ReadOnlyAdmin[SandboxAccessToken]):
    list_display = ("pk", "client", "user", "issued_at", "expires_at", "revoked")
    fields = ("client", "user", "issued_at", "expires_at", "revoked")
    list_filter = ("revoked", "client")
    actions = ("revoke",)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SandboxAccessToken]) -> None:
        count = queryset.update(revoked=True)
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(SandboxRefreshToken)
class SandboxRefreshTokenAdmin(ReadOnlyAdmin[SandboxRefreshToken]):
    list_display = ("pk", "client", "user", "issued_at", "expires_at", "rotated_at", "revoked")
    fields = ("client", "user", "issued_at", "expires_at", "rotated_at", "revoked")
    list_filter = ("revoked", "client")
    actions = ("revoke",)

    @admin.action(description="Revoke the selected refresh tokens and their access tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[SandboxRefreshToken]) -> None:
        families = set(queryset.values_list("family", flat=True))
        for family in families:
            token_family_revoke(family=family)
        self.message_user(request, f"Revoked {len(families)} authorization(s).", messages.SUCCESS)


@admin.register(SandboxTokenRequest)
class SandboxTokenRequestAdmin(ReadOnlyAdmin[SandboxTokenRequest]):
    list_display = ("requested_at", "presented_client_id", "grant_type", "outcome")
    fields = ("requested_at", "client", "presented_client_id", "grant_type", "outcome")
    list_filter = ("outcome", "grant_type", "client")


@admin.register(SandboxGoodsOut)
class SandboxGoodsOutAdmin(ReadOnlyAdmin[SandboxGoodsOut]):
    list_display = ("pk", "subdomain", "reference", "received_at", "line_count")
    list_filter = ("subdomain",)
    search_fields = ("reference",)
    fields = ("subdomain", "reference", "received_at", "pretty_document")
    readonly_fields = ("pretty_document",)

    @admin.display(description="Document as received")
    def pretty_document(self, goods_out: SandboxGoodsOut) -> str:
        text = json.dumps(goods_out.document, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", text)
