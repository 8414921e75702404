from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.http import HttpRequest

from orders.forms.tenants import ClarusConnectionChecks
from orders.models import Membership, Order, OrderLine, StaffInvitation, SubmissionAttempt, Tenant
from orders.usernames import username_clean


class TenantAdminForm(ClarusConnectionChecks):
    # Write-only: the stored secret is never rendered back into the page.
    client_secret = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=500,
        help_text="Leave blank to keep the current secret.",
    )

    class Meta:
        model = Tenant
        fields = (
            "name",
            "subdomain",
            "api_base_url",
            "api_path_prefix",
            "auth_flow",
            "token_url",
            "authorize_url",
            "client_id",
            "client_secret",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Blank keeps the stored secret (the checks above made sure it may be kept).
        if not cleaned.get("client_secret") and not self.errors.get("client_secret"):
            cleaned["client_secret"] = self.instance.client_secret
        return cleaned


class MembershipInline(admin.TabularInline[Membership, Tenant]):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin[Tenant]):
    form = TenantAdminForm
    list_display = ("name", "subdomain", "auth_flow", "needs_reconnect")
    search_fields = ("name", "subdomain")
    readonly_fields = ("needs_reconnect", "connection_problem", "access_token_expires_at")
    inlines = (MembershipInline,)


class OrderLineInline(admin.TabularInline[OrderLine, Order]):
    model = OrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("position", "product_id", "quantity")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin[Order]):
    list_display = ("reference", "tenant", "status", "clarus_id", "created_by", "created_at")
    list_filter = ("status", "tenant")
    search_fields = ("reference", "=clarus_id", "postcode")
    readonly_fields = [field.name for field in Order._meta.fields]
    inlines = (OrderLineInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SubmissionAttempt)
class SubmissionAttemptAdmin(admin.ModelAdmin[SubmissionAttempt]):
    """The audit trail: readable, never editable."""

    list_display = (
        "order",
        "tenant",
        "user",
        "started_at",
        "outcome",
        "response_status",
        "duration_ms",
    )
    list_filter = ("outcome", "tenant")
    readonly_fields = [field.name for field in SubmissionAttempt._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin[StaffInvitation]):
    """Invitations are answered by their login; a superuser adds staff on the tenant's page."""

    list_display = ("username", "tenant", "role", "status", "expires_at", "invited_by")
    list_filter = ("status", "tenant")
    search_fields = ("username",)
    readonly_fields = [field.name for field in StaffInvitation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class DeskUserCreationForm(AdminUserCreationForm):
    def clean_username(self) -> str:
        self.cleaned_data["username"] = username_clean(self.cleaned_data["username"])
        return str(super().clean_username())


class DeskUserChangeForm(UserChangeForm[User]):
    def clean_username(self) -> str:
        return username_clean(self.cleaned_data["username"])


class DeskUserAdmin(UserAdmin[User]):
    """Django's user admin, with the desk's rules for login names (orders.usernames)."""

    add_form = DeskUserCreationForm
    form = DeskUserChangeForm


admin.site.unregister(User)
admin.site.register(User, DeskUserAdmin)
