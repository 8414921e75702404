"""What is posted from an order's page: the reason a supervisor gives for cancelling it."""

from django import forms

from orders.inputs import reason_text

# What the order's audit keeps of the reason.
REASON_LENGTH = 300


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        error_messages={"required": "Say why the order is cancelled."},
    )

    def clean_reason(self) -> str:
        reason = reason_text(self.cleaned_data["reason"])[:REASON_LENGTH]
        if not reason:
            raise forms.ValidationError("Say why the order is cancelled.", code="required")
        return reason
