"""The entry form's "save this address for the end customer" tick, and what it needs."""

from typing import Any

from django import forms

from orders.forms.entry import OrderForm


class AddressSaveForm(forms.Form):
    """The tick beside the delivery address; checked against the order's form once that is valid.

    Clarus saves a delivery address under an end customer and requires its name (CONTRACT.md §4).
    """

    save_address = forms.BooleanField(
        required=False, label="Save this address for the end customer in Clarus"
    )

    def wanted(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["save_address"])

    def check_entry(self, entry: OrderForm) -> bool:
        """Return whether the tick can be honoured for a valid order form; say why not if not."""
        if not self.wanted():
            return True
        cleaned: dict[str, Any] = entry.cleaned_data
        if cleaned.get("customer_id") is None:
            self.add_error(
                "save_address",
                "Choose the end customer the address is saved for, or untick this.",
            )
        elif not (cleaned.get("delivery_name") or "").strip():
            self.add_error(
                "save_address", "Give the address a name or company: Clarus needs one to save it."
            )
        return not self.errors

    def customer_id(self, entry: OrderForm) -> int | None:
        return entry.cleaned_data.get("customer_id") if self.wanted() else None
