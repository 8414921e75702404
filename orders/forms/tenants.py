"""Forms tenant admins use: the Clarus connection and the staff list."""

import re
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password

from orders import usernames
from orders.domain import Choice
from orders.models import AuthFlow, Role, Tenant
from orders.selectors.catalogue import LookupUnavailable, account_search
from orders.services.staff import staff_login_name
from orders.services.tenants import (
    SECRET_BOUND_FIELDS,
    address_refusal,
    path_prefix_refusal,
)

SECRET_AGAIN = (
    "You changed where the desk signs in or sends orders: enter the client secret again to "
    "send it there."
)


class ClarusConnectionChecks(forms.ModelForm[Tenant]):
    """What every form that edits a tenant's Clarus connection checks.

    Each address must be one the desk may call (``services.tenants.address_refusal``), and the
    stored secret never follows a changed address by itself: whoever changes one types the
    secret again.
    """

    def _clarus_address(self, name: str) -> str:
        url: str = self.cleaned_data[name]
        if url and (refusal := address_refusal(url)):
            raise forms.ValidationError(refusal, code="clarus_host")
        return url

    def clean_api_base_url(self) -> str:
        return self._clarus_address("api_base_url")

    def clean_token_url(self) -> str:
        return self._clarus_address("token_url")

    def clean_authorize_url(self) -> str:
        return self._clarus_address("authorize_url")

    def clean_api_path_prefix(self) -> str:
        prefix: str = self.cleaned_data["api_path_prefix"]
        if refusal := path_prefix_refusal(prefix):
            raise forms.ValidationError(refusal, code="path_prefix")
        return prefix

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("client_secret"):
            if not self.instance.client_secret:
                self.add_error("client_secret", "Enter the client secret Clarus issued.")
            elif any(
                name in cleaned and cleaned[name] != getattr(self.instance, name)
                for name in SECRET_BOUND_FIELDS
            ):
                self.add_error("client_secret", forms.ValidationError(SECRET_AGAIN, "secret_again"))
        return cleaned


class TenantConnectionForm(ClarusConnectionChecks):
    # Write-only: the stored secret is never rendered back into the page.
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=False,
        # Far longer than any OAuth client secret; it is stored encrypted, as text.
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Leave blank to keep the current secret, unless you change an address or how the "
            "desk signs in."
        ),
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
        cleaned = super().clean()
        if cleaned.get("auth_flow") == AuthFlow.AUTHORIZATION_CODE and not cleaned.get(
            "authorize_url"
        ):
            self.add_error(
                "authorize_url", "The authorization-code flow needs the sign-in address."
            )
        return cleaned


class StaffInviteForm(forms.Form):
    """Invite an existing login: it joins only if it accepts (orders.services.staff)."""

    username = forms.CharField(
        label="Username",
        max_length=usernames.MAX_LENGTH,
        help_text="Their login on the desk. They join once they accept, signed in.",
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.AGENT)

    def clean_username(self) -> str:
        return usernames.username_clean(self.cleaned_data["username"])


class StaffLoginForm(forms.Form):
    """Create a new login in the tenant's own name space: ``name`` becomes ``name@subdomain``."""

    name = forms.CharField(label="Login name", max_length=usernames.MAX_LENGTH)
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.AGENT)
    email = forms.EmailField(label="Email", required=False)
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="For their first sign-in only: the desk then asks them to choose their own.",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.fields[
            "name"
        ].help_text = (
            f"The desk adds @{tenant.subdomain}: jo becomes the login jo@{tenant.subdomain}."
        )

    def clean_name(self) -> str:
        """Return the name normalised, as the login ``name@subdomain`` will be."""
        username = staff_login_name(tenant=self.tenant, name=self.cleaned_data["name"])
        return username.removesuffix(f"@{self.tenant.subdomain}")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, name = cleaned.get("password"), cleaned.get("name")
        if password and name:
            login = User(
                username=f"{name}@{self.tenant.subdomain}", email=cleaned.get("email") or ""
            )
            try:
                validate_password(password, login)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


# At most this many accounts for one member: more is every account, near enough.
MAX_MEMBER_ACCOUNTS = 50


class MemberAccountsForm(forms.Form):
    """The client accounts one member keys orders for, by their codes: each must be one Clarus
    knows; none at all is every account."""

    codes = forms.CharField(
        label="Accounts they key orders for",
        required=False,
        max_length=2000,
        help_text=(
            "The accounts' codes, separated by commas or spaces. Leave it empty: every account "
            "of this tenant."
        ),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self.accounts: list[Choice] = []

    def clean_codes(self) -> str:
        """Find each code in Clarus (``self.accounts``), or say which it does not know."""
        text = self.cleaned_data["codes"]
        codes = list(dict.fromkeys(code for code in re.split(r"[\s,;]+", text) if code))
        if len(codes) > MAX_MEMBER_ACCOUNTS:
            raise forms.ValidationError(
                f"At most {MAX_MEMBER_ACCOUNTS} accounts: leave it empty for every account.",
                code="too_many",
            )
        unknown = []
        for code in codes:
            try:
                found = account_search(tenant=self.tenant, text=code)
            except LookupUnavailable:
                raise forms.ValidationError(
                    "Clarus could not be asked just now: try again in a moment.",
                    code="clarus_down",
                ) from None
            exact = [each for each in found if each.code.casefold() == code.casefold()]
            if exact:
                self.accounts.append(exact[0])
            else:
                unknown.append(code)
        if unknown:
            raise forms.ValidationError(
                f"Clarus has no account with the code {', '.join(unknown)}: check the code.",
                code="unknown",
            )
        return " ".join(account.code for account in self.accounts)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
