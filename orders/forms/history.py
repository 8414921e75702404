"""The history page's filters: a GET form, so every filtered view has a shareable URL."""

from typing import Any

from django import forms
from django.contrib.auth.models import User

from orders import permissions
from orders.domain import Choice
from orders.forms.entry import ClarusIdField
from orders.inputs import clean_text, is_ascii_digits
from orders.models import Membership, OrderStatus, Tenant
from orders.selectors.catalogue import LookupUnavailable, account_search
from orders.selectors.history import HistoryFilters

ALL_TENANTS = "all"


class HistoryFilterForm(forms.Form):
    current: Membership

    search = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Order reference, Clarus id, postcode, email, phone, or the start of the name.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    tenant = forms.ChoiceField(label="Tenant", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *OrderStatus.choices]
    )
    agent = forms.TypedChoiceField(label="Keyed by", required=False, coerce=int, empty_value=None)
    account_id = forms.CharField(
        label="Account",
        required=False,
        max_length=100,
        help_text="Its code, name or Clarus id.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    date_from = forms.DateField(
        label="Keyed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Keyed to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        memberships: list[Membership],
        current: Membership,
        user: User,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        tenant_field = self.fields["tenant"]
        assert isinstance(tenant_field, forms.ChoiceField)
        visible = permissions.keying_memberships(memberships=memberships)
        # Without a choice the page shows the tenant chosen in the header.
        tenant_field.initial = str(current.tenant_id)
        choices = [(str(m.tenant_id), str(m.tenant)) for m in visible]
        if len(visible) > 1:
            choices.append((ALL_TENANTS, "All my tenants"))
        tenant_field.choices = choices
        self.tenants = {m.tenant_id: m.tenant for m in visible}
        supervised = permissions.supervised_tenant_ids(memberships=visible)
        agents = (
            User.objects.filter(memberships__tenant_id__in=supervised)
            .distinct()
            .order_by("username")
            if supervised
            else User.objects.filter(pk=user.pk)
        )
        agent_field = self.fields["agent"]
        assert isinstance(agent_field, forms.TypedChoiceField)
        agent_field.choices = [("", "Anyone")] + [(a.pk, a.username) for a in agents]

    def clean_account_id(self) -> int | None:
        """Return the Clarus id of the account typed: its id, or the one account of the tenant
        shown whose code is the text or whose code or name it finds (asked of Clarus, as the
        entry page's account box asks)."""
        text = clean_text(self.cleaned_data.get("account_id") or "").strip()
        if not text:
            return None
        if is_ascii_digits(text):
            number: int | None = ClarusIdField(required=False).clean(text)
            return number
        chosen = self.cleaned_data.get("tenant") or str(self.current.tenant_id)
        tenant = self.tenants.get(int(chosen)) if chosen != ALL_TENANTS else None
        if tenant is None:
            raise forms.ValidationError(
                "Choose a tenant to find an account by its code or name, or type its Clarus id.",
                code="tenant",
            )
        try:
            found = account_search(tenant=tenant, text=text)
        except LookupUnavailable as problem:
            raise forms.ValidationError(
                f"{problem.message} Type the account's Clarus id instead.", code="unavailable"
            ) from None
        return _one_account(found, text, tenant).id

    def filters(self) -> HistoryFilters:
        """Return the filters as given; an invalid one is left out, never an error page."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = {
                name: value for name, value in self.cleaned_data.items() if name not in self.errors
            }
        tenant = data.get("tenant") or str(self.current.tenant_id)
        return HistoryFilters(
            tenant_id=None if tenant == ALL_TENANTS else int(tenant),
            status=data.get("status") or "",
            agent_id=data.get("agent"),
            account_id=data.get("account_id"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            search=data.get("search") or "",
        )


def _one_account(found: list[Choice], text: str, tenant: Tenant) -> Choice:
    """Return the account ``text`` names among those Clarus found: the one whose code it is,
    else the only one; raise a ValidationError that says what was found otherwise."""
    exact = [each for each in found if each.code.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0]
    if len(found) == 1:
        return found[0]
    if not found:
        raise forms.ValidationError(
            f"No account of {tenant} has a code or name like “{text}”.", code="none"
        )
    named = ", ".join(f"{each.code} ({each.name})" for each in found[:5])
    raise forms.ValidationError(
        f"“{text}” matches several accounts: {named}. Type its code or Clarus id.",
        code="several",
    )
