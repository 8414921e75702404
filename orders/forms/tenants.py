"""Forms tenant admins use: the Clarus connection and the staff list."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password

from orders.models import AuthFlow, Role, Tenant


class TenantConnectionForm(forms.ModelForm[Tenant]):
    # Write-only: the stored secret is never rendered back into the page.
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the current secret.",
    )

    class Meta:
        model = Tenant
        fields = (
            "name",
            "api_base_url",
            "api_path_prefix",
            "auth_flow",
            "token_url",
            "authorize_url",
            "client_id",
        )
        labels = {
            "name": "Name shown to staff",
            "api_base_url": "Clarus API address",
            "api_path_prefix": "REST path prefix",
            "auth_flow": "How the desk signs in",
            "token_url": "Token address",
            "authorize_url": "Sign-in address",
            "client_id": "Client id",
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("auth_flow") == AuthFlow.AUTHORIZATION_CODE and not cleaned.get(
            "authorize_url"
        ):
            self.add_error(
                "authorize_url", "The authorization-code flow needs the sign-in address."
            )
        if not cleaned.get("client_secret") and not self.instance.client_secret:
            self.add_error("client_secret", "Enter the client secret Clarus issued.")
        return cleaned


class MembershipAddForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="An existing login, or a new one to create.",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.AGENT)
    email = forms.EmailField(label="Email (new logins)", required=False)
    password = forms.CharField(
        label="Password (new logins)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if password:
            validate_password(password)
        return password


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
