"""Personal data: the tenant's retention period, the search for a person, and erasure."""

from typing import Any

from django import forms

from orders.inputs import reason_text
from orders.models import Tenant
from orders.selectors.privacy import MIN_PHONE_DIGITS, Person

# Ten years: longer than any retention a desk keeps callers' details for.
MAX_RETENTION_MONTHS = 120


class RetentionForm(forms.Form):
    retention_months = forms.IntegerField(
        label="Keep callers' personal data for (months)",
        required=False,
        min_value=1,
        max_value=MAX_RETENTION_MONTHS,
        help_text=(
            "After this many months from when an order was keyed, the desk removes the caller's "
            "name, address, email, phone and delivery notes from it, from the requests it sent "
            "to Clarus and from Clarus's answers. The reference, lines, times, statuses and who "
            "keyed it stay. Orders still on their way to Clarus keep theirs until they settle. "
            "Leave blank to keep personal data."
        ),
        error_messages={
            "invalid": "Enter a whole number of months, for example 18, or leave it blank.",
            "min_value": "Enter at least 1 month, or leave it blank to keep personal data.",
            "max_value": "Enter at most 120 months (ten years).",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"retention_months": tenant.retention_months})
        super().__init__(*args, **kwargs)


class PersonForm(forms.Form):
    """Who a supervisor asks about: an email, a phone number, or both (either matches)."""

    email = forms.CharField(
        label="Email",
        required=False,
        max_length=254,
        help_text="Exact, in any capitals.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone",
        required=False,
        max_length=50,
        help_text="Any form: 0113 496 0123, +44 113 496 0123 …",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip()
        if email and "@" not in email:
            raise forms.ValidationError("Enter a whole email address.", code="email")
        return email

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"].strip()
        if phone and not Person.of(phone=phone).phone:
            raise forms.ValidationError(
                f"Enter a phone number of at least {MIN_PHONE_DIGITS} digits.", code="phone"
            )
        return phone

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError("Enter the person's email or phone number.", code="nothing")
        return cleaned

    def person(self) -> Person:
        return Person.of(email=self.cleaned_data["email"], phone=self.cleaned_data["phone"])


class EraseForm(PersonForm):
    reason = forms.CharField(
        label="Why",
        max_length=300,
        help_text='Recorded on each order, with your name: for example "Asked by email on 3 '
        'December".',
        error_messages={"required": "Say why the person's data is erased: it is recorded."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_reason(self) -> str:
        reason = reason_text(self.cleaned_data["reason"])
        if not reason:
            raise forms.ValidationError(
                "Say why the person's data is erased: it is recorded.", code="required"
            )
        return reason
