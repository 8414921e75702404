"""The entry page's reference check: the reference being keyed, read as the entry form reads it."""

import uuid

from django import forms

from orders.forms.entry import VisibleTextField
from orders.selectors.references import MAX_REFERENCE


class ReferenceCheckForm(forms.Form):
    """The reference box's text and the form's token (its own order is no duplicate of itself).

    The reference is cleaned as the entry form cleans it (``VisibleTextField``: no characters
    nobody sees, no spaces around it), so the check asks about what would be sent. A token that
    is not one is left out: the form's own order is then simply not excluded.
    """

    reference = VisibleTextField(required=False, max_length=MAX_REFERENCE)

    def reference_typed(self) -> str:
        """Return the reference to look up: "" when there is none, or one too long to send."""
        if not self.is_valid():
            return ""
        return str(self.cleaned_data["reference"])

    def form_token_given(self) -> uuid.UUID | None:
        text = str(self.data.get("form_token") or "")
        try:
            return uuid.UUID(text) if len(text) <= 40 else None
        except ValueError:
            return None
