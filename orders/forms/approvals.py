"""The input contract of approvals: a rule as a tenant admin types it, the tenant's setting, a
supervisor's decision, and the queue's filters (the history's, for one tenant's held orders)."""

import re
from typing import Any

from django import forms
from django.contrib.auth.models import User

from orders.forms.history import HistoryFilterForm
from orders.inputs import id_from_text, reason_text
from orders.models import ApprovalRuleKind, Membership
from orders.services.approvals import KINDS_WITH_IDS, RuleTerms

Kind = ApprovalRuleKind
# The most ids one rule names, and the largest number it takes.
MAX_IDS = 50
MAX_NUMBER = 1_000_000
REASON_LENGTH = 300

KIND_HELP = (
    "More than a number of lines: the number is the most lines an order may have unchecked. "
    "Any line's quantity above a number: the number is the largest quantity unchecked. "
    "A chosen priority: the number is the priority (1 is the most urgent). "
    "Dispatch sooner than a number of hours: orders due out sooner than that. "
    "Chosen accounts, a chosen carrier service: type their Clarus ids. "
    "The first orders someone keys: the number of each person's first orders to check."
)
NUMBER_LABELS = {
    Kind.LINES_OVER: "lines",
    Kind.QUANTITY_OVER: "items",
    Kind.PRIORITY: "priority",
    Kind.DISPATCH_WITHIN: "hours",
    Kind.NEW_KEYER: "orders",
}


class ApprovalRuleForm(forms.Form):
    kind = forms.ChoiceField(
        label="Hold orders for a supervisor when",
        choices=Kind.choices,
        help_text=KIND_HELP,
    )
    number = forms.IntegerField(
        label="Number",
        required=False,
        min_value=0,
        max_value=MAX_NUMBER,
        help_text="Lines, items, priority, hours or orders, as the rule above says.",
        error_messages={
            "invalid": "Type a whole number, such as 10.",
            "min_value": "Type 0 or more.",
            "max_value": f"Type {MAX_NUMBER:,} or less.",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ids = forms.CharField(
        label="Clarus ids",
        required=False,
        max_length=1000,
        help_text="For chosen accounts or a carrier service: their Clarus ids, such as 7, 12.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in KINDS_WITH_IDS:
            ids = self._ids(self.data.get("ids", ""))
            if ids is not None and kind == Kind.CARRIER_SERVICE and len(ids) > 1:
                self.add_error("ids", "Type one carrier service's Clarus id.")
            elif ids is not None:
                data["id_list"] = ids
        elif kind and "number" not in self.errors:
            if data.get("number") is None:
                self.add_error("number", f"Type the number of {NUMBER_LABELS[Kind(kind)]}.")
            elif kind in (Kind.PRIORITY, Kind.NEW_KEYER) and data["number"] < 1:
                self.add_error("number", "Type 1 or more.")
        return data

    def _ids(self, text: Any) -> tuple[int, ...] | None:
        parts = [part for part in re.split(r"[\s,;]+", str(text)) if part]
        if not parts:
            self.add_error("ids", "Type at least one Clarus id.")
            return None
        ids = [id_from_text(part) for part in parts]
        wrong = [part for part, each in zip(parts, ids, strict=True) if each is None]
        if wrong:
            self.add_error("ids", f"Not a Clarus id: {wrong[0][:30]}. Use digits, such as 7.")
            return None
        if len(ids) > MAX_IDS:
            self.add_error("ids", f"Name at most {MAX_IDS} ids in one rule.")
            return None
        return tuple(dict.fromkeys(each for each in ids if each is not None))

    def terms(self) -> RuleTerms:
        data = self.cleaned_data
        kind = Kind(data["kind"])
        if kind in KINDS_WITH_IDS:
            return RuleTerms(kind=kind, ids=data["id_list"])
        return RuleTerms(kind=kind, number=data["number"])


def rule_form_initial(terms: RuleTerms) -> dict[str, Any]:
    return {
        "kind": terms.kind,
        "number": terms.number,
        "ids": ", ".join(str(each) for each in terms.ids),
    }


class ApprovalSettingsForm(forms.Form):
    approval_self_allowed = forms.BooleanField(
        label="A supervisor may approve an order they keyed themselves",
        required=False,
        help_text="Off: someone else must approve it. Agents can never approve orders.",
    )


class DecisionForm(forms.Form):
    """A supervisor's yes or no: a refusal needs a reason, which the keyer reads."""

    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_LENGTH,
        help_text="Needed to refuse: whoever keyed the order reads it.",
        error_messages={"max_length": f"Keep the reason under {REASON_LENGTH} characters."},
    )

    def __init__(self, *args: Any, refusing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusing = refusing

    def clean_reason(self) -> str:
        reason = reason_text(str(self.cleaned_data.get("reason") or ""))
        if self.refusing and not reason:
            raise forms.ValidationError("Say why the order is not approved.")
        return reason


class ApprovalQueueFilterForm(HistoryFilterForm):
    """The history's filters, for the held orders of the current tenant only."""

    def __init__(
        self,
        *args: Any,
        memberships: list[Membership],
        current: Membership,
        user: User,
        staff: list[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, memberships=memberships, current=current, user=user, **kwargs)
        del self.fields["tenant"]
        del self.fields["status"]
        agent_field = self.fields["agent"]
        assert isinstance(agent_field, forms.TypedChoiceField)
        agent_field.choices = [("", "Anyone")] + [(each.pk, each.username) for each in staff]
