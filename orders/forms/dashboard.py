"""The dashboard's choices: which of the supervisor's tenants, and which days. A GET form, so
every view of the dashboard has a plain URL."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from orders import permissions
from orders.forms.history import ALL_TENANTS
from orders.models import Membership
from orders.selectors.dashboard import Period

DEFAULT_DAYS = 14
DAY_CHOICES = ((7, "Last 7 days"), (14, "Last 14 days"), (30, "Last 30 days"), (90, "Last 90 days"))
# The longest period shown: a year of days still makes a readable chart and a bounded read.
MOST_DAYS = 366
# No order is older than the desk; dates before this are typing mistakes.
EARLIEST = date(2000, 1, 1)
DATE_HELP = "Use a date such as 2026-11-03."
PERIOD_FIELDS = ("days", "date_from", "date_to")


class DashboardFilterForm(forms.Form):
    current: Membership

    tenant = forms.ChoiceField(
        label="Tenant",
        required=False,
        error_messages={"invalid_choice": "You do not supervise that tenant: showing this one."},
    )
    days = forms.TypedChoiceField(
        label="Period",
        required=False,
        choices=DAY_CHOICES,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": "Choose 7, 14, 30 or 90 days."},
    )
    date_from = forms.DateField(
        label="Or from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"“From” is not a date. {DATE_HELP}"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": f"“To” is not a date. {DATE_HELP}"},
    )

    def __init__(
        self, *args: Any, memberships: list[Membership], current: Membership, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and not self.data.get("days"):
            # Show the period that is used, not the list's first choice.
            self.data = {**dict(self.data.items()), "days": str(DEFAULT_DAYS)}
        self.current = current
        supervised = permissions.supervised_memberships(memberships=memberships)
        tenant_field = self.fields["tenant"]
        assert isinstance(tenant_field, forms.ChoiceField)
        tenant_field.initial = str(current.tenant_id)
        choices = [(str(m.tenant_id), str(m.tenant)) for m in supervised]
        if len(supervised) > 1:
            choices.append((ALL_TENANTS, "All my tenants"))
        tenant_field.choices = choices
        self.fields["days"].initial = DEFAULT_DAYS
        self.supervised = [m.tenant_id for m in supervised]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        today = timezone.localdate()
        for name, value in (("date_from", first), ("date_to", last)):
            if value is not None and value < EARLIEST:
                self.add_error(name, f"The desk holds no orders before {_day(EARLIEST)}.")
            elif value is not None and value > today:
                self.add_error(name, f"{_day(value)} has not happened yet.")
        if first and not any(name in self.errors for name in PERIOD_FIELDS):
            last = last or today
            if first > last:
                raise forms.ValidationError(
                    "“From” is after “To”: swap them.", code="reversed_period"
                )
            if (last - first).days + 1 > MOST_DAYS:
                raise forms.ValidationError(
                    f"Choose at most {MOST_DAYS} days at a time.", code="period_too_long"
                )
        return data

    @property
    def period_refused(self) -> bool:
        """Whether the days asked for could not be used (the page says why)."""
        return self.is_bound and (
            bool(self.non_field_errors()) or any(name in self.errors for name in PERIOD_FIELDS)
        )

    def tenant_ids(self) -> list[int]:
        """Return the tenants chosen: one, or all the supervisor's; the current one by default."""
        chosen = self._valid_data().get("tenant")
        if chosen == ALL_TENANTS:
            return self.supervised
        return [int(chosen)] if chosen else [self.current.tenant_id]

    def period(self) -> Period:
        """Return the days chosen; the last 14 days when they cannot be used."""
        data = self._valid_data()
        if self.period_refused:
            return Period.last_days(DEFAULT_DAYS)
        days = data.get("days") or DEFAULT_DAYS
        first, last = data.get("date_from"), data.get("date_to")
        if first:
            return Period(first=first, last=last or timezone.localdate())
        if last:
            # The chosen number of days, ending on that day.
            return Period(first=last - timedelta(days=days - 1), last=last)
        return Period.last_days(days)

    def _valid_data(self) -> dict[str, Any]:
        """Return the fields given and valid; a tenant is used even when the dates are not."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
