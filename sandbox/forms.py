"""The authorization page's form: who signs in, and whether they allow the application."""

from typing import Any

from django import forms
from django.contrib.auth.hashers import make_password

from sandbox.models import SandboxSubdomain, SandboxUser

ALLOW, DENY = "allow", "deny"


class AuthorizeForm(forms.Form):
    """Sign in as a demo user of the client's subdomain and allow it, or deny it."""

    username = forms.CharField(
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    decision = forms.ChoiceField(choices=[(ALLOW, "Allow"), (DENY, "Deny")])

    error_messages = {
        "invalid_login": "Enter a correct username and password for this subdomain.",
    }

    def __init__(self, *args: Any, subdomain: SandboxSubdomain, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subdomain = subdomain

    def clean(self) -> dict[str, Any]:
        """Add the signed-in ``user`` to the cleaned data when the user allows access."""
        cleaned_data = super().clean() or {}
        # Denying needs no sign-in: the application only learns that access was refused.
        if cleaned_data.get("decision") != ALLOW:
            return cleaned_data
        username, password = cleaned_data.get("username"), cleaned_data.get("password")
        user = SandboxUser.objects.filter(subdomain=self.subdomain, username=username).first()
        if user is None:
            # Hash anyway, so an unknown username takes as long to refuse as a wrong password.
            make_password(password or "")
        elif password and user.check_password(password):
            cleaned_data["user"] = user
            return cleaned_data
        raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
