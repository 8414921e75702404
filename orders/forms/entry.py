"""The entry form: what an agent may key, and what must hold before anything goes to Clarus."""

import copy
import functools
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django.forms.renderers import BaseRenderer
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django_countries import countries

from orders import permissions
from orders.domain import (
    CLARUS_ID_MAX_DIGITS,
    Choice,
    DeliveryAddress,
    FieldRef,
    KeyedOrder,
    LineInput,
    OrderHeader,
    Refusal,
)
from orders.forms.dates import DateNotUnderstood, dispatch_format, dispatch_parse, dispatch_said
from orders.forms.lookups import LOOKUPS, Lookup
from orders.forms.paste import line_text_parse
from orders.forms.postcodes import NOT_A_UK_POSTCODE, UK_COUNTRIES, uk_postcode_normalise
from orders.inputs import (
    MAX_BIGINT,
    NOTES_CONTROLS,
    JsonRefused,
    box_text,
    clean_text,
    id_from_text,
    is_ascii_digits,
    json_strict_loads,
)
from orders.models import Order, Tenant
from orders.selectors.orders import order_keyed

MAX_LINES = 200

GOODS_OUT_TYPES = [
    ("sales_order", "Sales order"),
    ("work_order", "Work order"),
    ("crossdock", "Crossdock"),
]
# Clarus enums (CONTRACT.md §2.3); the blank choice leaves the tenant's default to Clarus.
DISPATCH_STRATEGIES = [
    ("", "Clarus default"),
    ("manual", "Manual"),
    ("auto", "Automatic"),
    ("load", "By load"),
    ("shipment", "By shipment"),
    ("auto_shipment", "Automatic shipment"),
]
PACK_STRATEGIES = [
    ("", "Clarus default"),
    ("disabled", "No packing"),
    ("pack_by_line", "Pack by line"),
    ("pack_by_unit", "Pack by unit"),
]
PICK_TYPES = [("", "Clarus default"), ("standard", "Standard"), ("tote", "Tote")]

ID_HELP = "The Clarus id (a number)."
ID_ERRORS = {
    "invalid": "Enter the Clarus id as a whole number.",
    "min_value": "A Clarus id is 1 or more.",
    "max_value": "No Clarus id is that large: check the number.",
}
# Bounds for what Clarus leaves unbounded (CONTRACT.md §2.3): a note is a few lines, a reference
# a code. Clarus's own (reference 50, packing notes 255, the address's) are given where used.
NOTES_MAX_LENGTH = 1000
REFERENCE_MAX_LENGTH = 100
TOO_LONG = "Up to %(limit_value)d characters: this has %(show_value)d. Shorten it to send."


class ClarusIdField(forms.IntegerField):
    """A Clarus id: ASCII digits only (not "²", an Arabic-Indic digit or "1_0"), from 1 to what
    the desk's columns hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", ID_ERRORS)
        super().__init__(min_value=1, max_value=MAX_BIGINT, **kwargs)

    def to_python(self, value: Any) -> int | None:
        text = str(value).strip() if value not in self.empty_values else ""
        if text and not is_ascii_digits(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


def clarus_id_field(
    label: str, *, required: bool = False, help_text: str = ID_HELP
) -> ClarusIdField:
    return ClarusIdField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


def picked_id_field() -> ClarusIdField:
    """Return the hidden id a pick from the suggestions fills in."""
    return ClarusIdField(required=False, widget=forms.HiddenInput)


class AuditTextField(forms.CharField):
    """Hidden text kept for the audit only (what the agent saw): cleaned and cut to its column,
    never an error the agent could not see on a hidden field."""

    widget = forms.HiddenInput

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(required=False, **kwargs)
        self.keep = max_length
        self.validators = []

    def to_python(self, value: Any) -> str:
        return box_text(clean_text(str(super().to_python(value)))).strip()[: self.keep]


class SeenNumberField(forms.Field):
    """A hidden number the page showed (stock): a finite number, or None when it is not one."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> Decimal | None:
        return _decimal(value)


class LabelField(forms.JSONField):
    """What the agent saw when picking, as JSON ``{"code", "name"}``; empty until they pick.

    It is for the audit only: a label that is not JSON is dropped, never an error the agent
    could not see on a hidden field. JSON is read strictly (``orders.inputs``).
    """

    widget = forms.HiddenInput
    # Far more than a code and a name of 200 characters each.
    MAX_CHARS = 2000

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str) or not value or len(value) > self.MAX_CHARS:
            return None
        try:
            return json_strict_loads(value, max_depth=2)
        except JsonRefused:
            return None

    def bound_data(self, data: Any, initial: Any) -> Any:
        # What the page shows again goes through the same strict reading (Django's own would
        # overflow the stack on deep nesting).
        return self.to_python(data)

    def prepare_value(self, value: Any) -> Any:
        return "" if value is None else super().prepare_value(value)


def label_field() -> LabelField:
    """Return the hidden record of what the agent saw when picking."""
    return LabelField(required=False)


class OneLineTextField(forms.CharField):
    """A box of one line: what is typed or pasted into it reaches the order and Clarus without
    control characters or characters that turn text around (``inputs.box_text``: a pasted tab
    is a space, a scanner's bell or escape goes), before its length and "required" are checked.
    A zero-width joiner in a name (an emoji, an Indic script) stays."""

    keep = ""

    def to_python(self, value: Any) -> str | None:
        if isinstance(value, str):
            value = box_text(value, keep=self.keep)
        return super().to_python(value)


class OneLineEmailField(OneLineTextField, forms.EmailField):
    """An email address in a box of one line, read as ``OneLineTextField`` reads its text."""


class NotesTextField(OneLineTextField):
    """A box of notes: its line breaks and tabs stay, no other control character does."""

    keep = NOTES_CONTROLS


def search_field(label: str, help_text: str) -> forms.CharField:
    """Return the box an agent types a code, a name or a Clarus id into."""
    return OneLineTextField(
        label=label,
        required=False,
        max_length=200,
        help_text=help_text,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": TOO_LONG},
    )


@dataclass(frozen=True)
class BoundLookup:
    """A lookup with its bound fields, for the templates."""

    lookup: Lookup
    id: forms.BoundField
    label: forms.BoundField
    text: forms.BoundField | None

    @property
    def errors(self) -> list[str]:
        texts = [str(e) for e in self.text.errors] if self.text is not None else []
        return texts + [str(e) for e in self.id.errors]

    @property
    def label_json(self) -> str:
        """Return the label as the hidden input carries it: JSON, or empty."""
        label = picked_label(self.label.value())
        return json.dumps(label, ensure_ascii=False) if label else ""


def text_field(
    label: str, max_length: int, *, required: bool = False, **kwargs: Any
) -> forms.CharField:
    return OneLineTextField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"max_length": TOO_LONG, **kwargs.pop("error_messages", {})},
        **kwargs,
    )


def notes_field(
    label: str, *, max_length: int = NOTES_MAX_LENGTH, help_text: str = ""
) -> forms.CharField:
    return NotesTextField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": TOO_LONG},
    )


class StampField(forms.CharField):
    """A signed stamp the page carries (``opened_stamp``): whatever comes back is read by
    ``opened_at``, which takes only its own, so it is never an error the agent cannot see."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False)
        self.validators = []

    def to_python(self, value: Any) -> str:
        return clean_text(str(super().to_python(value)))[:200]


def default_dispatch_time() -> time:
    """Return the time a dispatch date typed without one takes (DESK_DISPATCH_DEFAULT_TIME)."""
    try:
        return time.fromisoformat(settings.DESK_DISPATCH_DEFAULT_TIME)
    except (TypeError, ValueError):
        return time(17, 0)


class DispatchDateField(forms.Field):
    """The dispatch date as agents type it (``28/11``, ``tomorrow 2pm``: ``forms.dates``), read
    in the desk's time zone; one plain box, shown back as ``28/11/2026 14:00``."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "class": "dispatch-date"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            return dispatch_parse(
                str(value), now=timezone.localtime(), default_time=default_dispatch_time()
            )
        except DateNotUnderstood as problem:
            raise forms.ValidationError(problem.message, code="invalid") from None

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return dispatch_format(timezone.localtime(value) if timezone.is_aware(value) else value)
        return value


@dataclass(frozen=True)
class DispatchUnderstood:
    """What the date box says back as the agent types: the date read, or why it is not one."""

    said: str = ""
    problem: str = ""
    past: bool = False

    @property
    def past_warning(self) -> str:
        return PAST_DATE if self.past else ""


PAST_DATE = "That is in the past: check it (it can still be sent)."
# Beside a line whose product is on another line too (a caller repeating themselves); "{line}"
# is the other line's number as the page shows it. static/orders/order_entry.js says the same
# words, read from the page, as products are picked, pasted and removed.
REPEATED_PRODUCT = "Already on line {line}: check the caller wants both (it can still be sent)."


def dispatch_understood(text: str) -> DispatchUnderstood:
    """Return what the page says beside the date box for ``text``."""
    if not text.strip():
        return DispatchUnderstood()
    now = timezone.localtime()
    try:
        moment = dispatch_parse(text, now=now, default_time=default_dispatch_time())
    except DateNotUnderstood as problem:
        return DispatchUnderstood(problem=problem.message)
    return DispatchUnderstood(said=dispatch_said(moment), past=moment < now)


@functools.cache
def _country_choices(language: str | None) -> tuple[tuple[str, str], ...]:
    return tuple((code, f"{name} ({code})") for code, name in countries)


def country_choices() -> tuple[tuple[str, str], ...]:
    """Return every country as ``(code, "Name (CODE)")``, sorted by name, read once a language."""
    return _country_choices(translation.get_language())


@functools.cache
def _country_codes(language: str | None) -> frozenset[str]:
    return frozenset(code for code, _name in _country_choices(language))


class CountryField(forms.ChoiceField):
    """The delivery country: one of ``country_choices``, checked against the codes as a set.

    A ``ChoiceField`` would go through its 250 choices, made afresh from the callable, for every
    form it checks; the codes are the same for the process's life (per language).
    """

    def valid_value(self, value: Any) -> bool:
        return str(value) in _country_codes(translation.get_language())


class CountrySelect(forms.Select):
    """The country list, written once per process for each selected country and attributes.

    Its 250 options are the same on every entry page; only the selected one moves.
    """

    MAX_KEPT = 2000
    _kept: dict[tuple[Any, ...], SafeString] = {}

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        key = (
            translation.get_language(),
            name,
            repr(value),
            repr(sorted(self.build_attrs(self.attrs, attrs).items())),
            type(renderer),
        )
        html = self._kept.get(key)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._kept) < self.MAX_KEPT:
                self._kept[key] = html
        return html


DAMAGED_FORM = "This page is damaged or out of date: open a new order and key it again."


class _TenantChoices(forms.models.ModelChoiceIterator):
    """The tenant field's choices, reading the field's queryset when they are listed."""

    def __init__(self, field: forms.ModelChoiceField) -> None:
        self.field = field

    @property
    def queryset(self) -> Any:  # type: ignore[override]
        return self.field.queryset


class TenantField(forms.ModelChoiceField):
    """The tenant an order is keyed for: one of the tenants the form was given (the user's own,
    read with their memberships), found among them rather than read again from the database.

    The list shown is the queryset's, as any ``ModelChoiceField``'s.
    """

    iterator = _TenantChoices

    def __init__(self, **kwargs: Any) -> None:
        # The tenants' ids whose queryset is still to be made, when the list is first drawn.
        self._allowed: list[int] | None = None
        super().__init__(queryset=Tenant.objects.none(), **kwargs)
        self.tenants: dict[int, Tenant] = {}

    def _get_tenants_queryset(self) -> Any:
        if self._allowed is not None:
            self._queryset = Tenant.objects.filter(pk__in=self._allowed)
            self._allowed = None
        return self._queryset

    def _set_tenants_queryset(self, queryset: Any) -> None:
        self._allowed = None
        forms.ModelChoiceField._set_queryset(self, queryset)  # type: ignore[attr-defined]

    queryset = property(_get_tenants_queryset, _set_tenants_queryset)

    def tenants_allow(self, tenants: Sequence[Tenant]) -> None:
        """Offer ``tenants``, and take only those: the queryset of the list shown is made when
        the list is first drawn, not for a posted form that only validates (``to_python``
        finds the tenant among these)."""
        self.tenants = {tenant.pk: tenant for tenant in tenants}
        self._allowed = list(self.tenants)
        self.widget.choices = self.choices

    def to_python(self, value: Any) -> Tenant | None:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            tenant = self.tenants.get(Tenant._meta.pk.to_python(value))
        except forms.ValidationError:
            tenant = None
        if tenant is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return tenant


# The base field's way to clean a bound field: the value posted under the field's name, or its
# initial value when it is disabled. A field with its own way (a file field) is left to it.
_PLAIN_CLEAN = forms.Field._clean_bound_field  # type: ignore[attr-defined]


class CleanedDirectly(forms.Form):
    """A form whose fields are cleaned as Django's ``Form`` cleans them, each posted value read
    from its widget and cleaned by its field, without first making a ``BoundField`` for every
    field: about a sixth of the entry form's 42-field validation, and with a line's change
    found at its first changed field (``OrderLineForm.has_changed``) nearly half of the lines'.
    The values, the errors and the order of both are Django's
    (``tests/orders/forms/test_entry_cleaning.py`` holds them side by side)."""

    def _clean_fields(self) -> None:
        data, files, cleaned = self.data, self.files, self.cleaned_data
        field: Any
        for name, field in self.fields.items():
            try:
                if field.disabled or type(field)._clean_bound_field is not _PLAIN_CLEAN:
                    cleaned[name] = field._clean_bound_field(self[name])
                else:
                    posted = field.widget.value_from_datadict(data, files, self.add_prefix(name))
                    cleaned[name] = field.clean(posted)
                own_clean = getattr(self, f"clean_{name}", None)
                if own_clean is not None:
                    cleaned[name] = own_clean()
            except forms.ValidationError as problem:
                self.add_error(name, problem)


# Control and format characters: a zero-width space, a bidi mark or a byte-order mark pasted
# with a reference from an e-mail, a bell or an escape from a scanner.
INVISIBLE = frozenset({"Cc", "Cf"})


class VisibleTextField(forms.CharField):
    """One line of text kept without the characters nobody sees.

    A reference with a zero-width space in it is another reference to the duplicate check and to
    whoever searches for it in Clarus, though it reads the same on every screen. Removed before
    the length and "required" are checked, so they count what the agent sees.
    """

    def to_python(self, value: Any) -> str:
        text = super().to_python(value) or ""
        return "".join(each for each in text if unicodedata.category(each) not in INVISIBLE).strip()


class PriorityField(forms.IntegerField):
    """A priority in ASCII figures: ``int()`` would also read "٣" as 3 and "1_0" as 10."""

    def to_python(self, value: Any) -> int | None:
        text = "" if value in self.empty_values else str(value).strip()
        if text and not is_ascii_digits(text.removeprefix("-")):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


class OrderForm(CleanedDirectly):
    """The order header and its delivery address."""

    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": DAMAGED_FORM,
            "invalid": DAMAGED_FORM,
        },
    )
    # When the entry page was opened, signed so it cannot be edited: how long keying took.
    opened = StampField()
    tenant = TenantField(
        label="Clarus tenant",
        empty_label=None,
        help_text="The warehouse client's Clarus system this order goes to.",
        error_messages={"invalid_choice": "You do not key orders for that tenant."},
    )
    goods_out_type = forms.ChoiceField(
        label="Order type", choices=GOODS_OUT_TYPES, initial="sales_order"
    )
    account = search_field("Account", "The client whose stock is sent: its code or name.")
    account_id = picked_id_field()
    account_label = label_field()
    reference = VisibleTextField(
        label="Order reference",
        max_length=50,
        required=True,
        help_text="The caller's order number, up to 50 characters.",
        error_messages={
            "required": "Type the order reference: the caller's order number.",
            "max_length": TOO_LONG,
        },
    )
    expected_date_of_dispatch = DispatchDateField(
        label="Dispatch by",
        help_text="When the order should leave the warehouse, e.g. 28/11, 28/11/26 14:00 or "
        "tomorrow 2pm.",
        error_messages={"required": "Type the dispatch date, e.g. 28/11 or tomorrow 2pm."},
    )
    warehouse_id = clarus_id_field("Warehouse", help_text="Leave blank to let Clarus choose.")
    warehouse_label = label_field()
    priority = PriorityField(
        label="Priority",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="1 (most urgent) to 99.",
        # A text box: a number box holds nothing for a slip ("1e"), so no priority would be sent
        # without a word, and ↑/↓ or the mouse wheel change it unseen.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "invalid": "Enter the priority as a whole number, 1 (most urgent) to 99.",
            "min_value": "Priority is 1 (most urgent) to 99.",
            "max_value": "Priority is 1 (most urgent) to 99.",
        },
    )
    customer = search_field("End customer", "Who receives the goods: code or name.")
    customer_id = picked_id_field()
    customer_label = label_field()
    carrier = search_field("Carrier", "Its name or code, e.g. DPD.")
    carrier_id = picked_id_field()
    carrier_label = label_field()
    carrier_service_id = clarus_id_field(
        "Carrier service", help_text="The carrier's active services, e.g. next day."
    )
    carrier_service_label = label_field()
    order_type_id = clarus_id_field(
        "Client order type", help_text="The client's own order type in Clarus, if used."
    )
    order_type_label = label_field()
    dispatch_strategy = forms.ChoiceField(
        label="Dispatch", choices=DISPATCH_STRATEGIES, required=False
    )
    pack_strategy = forms.ChoiceField(label="Packing", choices=PACK_STRATEGIES, required=False)
    pick_type = forms.ChoiceField(label="Picking", choices=PICK_TYPES, required=False)
    delivery_notes = notes_field(
        "Delivery notes", help_text=f"For the carrier, up to {NOTES_MAX_LENGTH:,} characters."
    )
    order_notes = notes_field("Order notes", help_text=f"Up to {NOTES_MAX_LENGTH:,} characters.")
    pick_notes = notes_field(
        "Pick notes", help_text=f"For the pickers, up to {NOTES_MAX_LENGTH:,} characters."
    )
    # Clarus: packing_notes maxLength 255 (CONTRACT.md §2.3).
    packing_notes = notes_field(
        "Packing notes", max_length=255, help_text="For the packers, up to 255 characters."
    )
    load_reference = text_field("Load reference", REFERENCE_MAX_LENGTH)
    pick_reference = text_field("Pick reference", REFERENCE_MAX_LENGTH)
    external_system_reference1 = text_field("External reference 1", REFERENCE_MAX_LENGTH)
    external_system_reference2 = text_field("External reference 2", REFERENCE_MAX_LENGTH)
    external_system_reference3 = text_field("External reference 3", REFERENCE_MAX_LENGTH)

    # The delivery address: ``delivery_<name>`` for each field of ``DeliveryAddress``.
    delivery_name = text_field("Name or company", 80)
    delivery_address_1 = text_field("Address line 1", 80)
    delivery_address_2 = text_field("Address line 2", 80)
    delivery_town = text_field("Town or city", 80)
    delivery_county = text_field("County or region", 80)
    delivery_address_5 = text_field("Address line 5", 80)
    delivery_postcode = text_field("Postcode", 10)
    delivery_country = CountryField(
        label="Country", choices=country_choices, initial="GB", widget=CountrySelect
    )
    delivery_email = OneLineEmailField(
        label="Email", max_length=254, required=False, error_messages={"max_length": TOO_LONG}
    )
    delivery_phone = text_field("Phone", 50, widget=forms.TextInput(attrs={"type": "tel"}))

    HEADER_FIELDS = (
        "goods_out_type",
        "account_id",
        "reference",
        "expected_date_of_dispatch",
        "carrier_id",
        "carrier_service_id",
        # Optional: after the everyday fields, and Enter passes them by (Tab still stops).
        "warehouse_id",
        "priority",
        "customer_id",
    )
    # Fields most orders leave empty: after the everyday ones, out of Enter's way.
    OPTIONAL_FIELDS = frozenset(
        {"warehouse_id", "priority", "customer_id", "delivery_address_5", "delivery_country"}
    )
    MORE_FIELDS = (
        "order_type_id",
        "dispatch_strategy",
        "pack_strategy",
        "pick_type",
        "load_reference",
        "pick_reference",
        "external_system_reference1",
        "external_system_reference2",
        "external_system_reference3",
    )
    NOTES_FIELDS = ("delivery_notes", "order_notes", "pick_notes", "packing_notes")
    ADDRESS_FIELDS = (
        "delivery_name",
        "delivery_address_1",
        "delivery_address_2",
        "delivery_town",
        "delivery_county",
        "delivery_postcode",
        "delivery_email",
        "delivery_phone",
        "delivery_address_5",
        "delivery_country",
    )

    def __init__(
        self,
        *args: Any,
        tenants: Sequence[Tenant],
        account_limits: Mapping[int, Sequence[Choice]] | None = None,
        **kwargs: Any,
    ) -> None:
        """``account_limits``: by tenant id, the only accounts the user keys for there
        (``permissions.account_limits``); the view that sends the order passes it."""
        super().__init__(*args, **kwargs)
        self.account_limits = account_limits or {}
        tenant_field = self.fields["tenant"]
        assert isinstance(tenant_field, TenantField)
        tenant_field.tenants_allow(tenants)
        # The caller lists the current tenant first: a new order starts there.
        tenant_field.initial = tenants[0].pk if tenants else None
        if len(tenants) == 1:
            tenant_field.widget = forms.HiddenInput()
        if not self.is_bound and "form_token" not in self.initial:
            self.initial["form_token"] = uuid.uuid4()
        if not self.is_bound and "opened" not in self.initial:
            self.initial["opened"] = opened_stamp()

    def keying_started_at(self) -> datetime | None:
        """Return when the agent opened the entry page, or None if the stamp is not ours."""
        return opened_at(self.cleaned_data.get("opened") or "")

    @property
    def has_one_tenant(self) -> bool:
        return isinstance(self.fields["tenant"].widget, forms.HiddenInput)

    def clean_delivery_postcode(self) -> str:
        return " ".join(self.cleaned_data["delivery_postcode"].upper().split())

    def _clean_postcode(self, cleaned: dict[str, Any]) -> None:
        """Write a UK postcode as Royal Mail does (``ls14ap`` → ``LS1 4AP``); say so beside the
        field when a GB address's is not one. Other countries' postcodes are free text."""
        postcode = cleaned.get("delivery_postcode")
        if not postcode or cleaned.get("delivery_country") not in UK_COUNTRIES:
            return
        written = uk_postcode_normalise(postcode)
        if written is None:
            self.add_error("delivery_postcode", forms.ValidationError(NOT_A_UK_POSTCODE, "uk"))
        else:
            cleaned["delivery_postcode"] = written

    def bound_fields(self, names: Sequence[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def bound_lookup(self, id_name: str) -> BoundLookup:
        lookup = LOOKUPS[id_name]
        return BoundLookup(
            lookup=lookup,
            id=self[id_name],
            label=self[lookup.label_name],
            text=self[lookup.text_name] if lookup.search else None,
        )

    def _layout(self, names: Sequence[str]) -> list[tuple[str, Any]]:
        """Return ``(kind, item)`` pairs: "search" and "choice" lookups, or a plain "field"."""
        return [
            (
                ("search" if LOOKUPS[name].search else "choice", self.bound_lookup(name))
                if name in LOOKUPS
                else ("field", self[name])
            )
            for name in names
        ]

    def header_fields(self) -> list[tuple[str, Any]]:
        return [
            ("date", item)
            if kind == "field" and item.name == "expected_date_of_dispatch"
            else (kind, item)
            for kind, item in self._layout(self.HEADER_FIELDS)
        ]

    def shown_ids(self, names: Sequence[str]) -> list[tuple[str, str]]:
        """Return ``(field name, id of its box)`` for ``names``: a search lookup's box is its
        text, whatever its errors are on."""
        shown = []
        for name in names:
            lookup = LOOKUPS.get(name)
            box = self[lookup.text_name] if lookup and lookup.search else self[name]
            shown.append((name, box.auto_id))
        return shown

    def field_has_error(self, name: str) -> bool:
        lookup = LOOKUPS.get(name)
        return bool(self.errors.get(name) or (lookup and self.errors.get(lookup.text_name)))

    def more_fields(self) -> list[tuple[str, Any]]:
        return self._layout(self.MORE_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for lookup in LOOKUPS.values():
            if lookup.search:
                self._clean_search(lookup, cleaned)
        self._clean_account_limit(cleaned)
        self._clean_postcode(cleaned)
        return cleaned

    def _clean_account_limit(self, cleaned: dict[str, Any]) -> None:
        """Refuse an account the user's tenant admin did not give them, naming theirs."""
        tenant, account_id = cleaned.get("tenant"), cleaned.get("account_id")
        if tenant is None or account_id is None or self.has_error("account_id"):
            return
        limited_to = self.account_limits.get(tenant.pk, [])
        if permissions.may_key_for_account(limited_to=limited_to, account_id=account_id):
            return
        names = ", ".join(account.code or str(account.id) for account in limited_to)
        self.add_error(
            "account_id",
            forms.ValidationError(
                f"You key orders for {names} only, in this tenant: choose one of those. "
                "Your tenant admin chooses them.",
                code="account_not_yours",
            ),
        )

    def _clean_search(self, lookup: Lookup, cleaned: dict[str, Any]) -> None:
        """Take the picked id, or digits typed instead (the way round a Clarus that is down)."""
        if self.has_error(lookup.id_name) or self.has_error(lookup.text_name):
            return
        if cleaned.get(lookup.id_name) is not None:
            return
        text = (cleaned.get(lookup.text_name) or "").strip()
        typed_id = id_from_text(text, max_digits=CLARUS_ID_MAX_DIGITS)
        if typed_id is not None:
            cleaned[lookup.id_name] = typed_id
        elif text:
            self.add_error(
                lookup.id_name,
                forms.ValidationError(
                    f"“{text}” is not picked: choose the {lookup.noun} from the suggestions, "
                    "or type its Clarus id.",
                    code="not_picked",
                ),
            )
        elif lookup.required:
            self.add_error(
                lookup.id_name,
                forms.ValidationError(
                    f"Choose the {lookup.noun}: type its code or name, or its Clarus id.",
                    code="required",
                ),
            )

    def labels(self) -> dict[str, dict[str, str]]:
        """Return what the agent saw for each id they picked: ``{"account_id": {code, name}}``.

        Kept beside the ids in the audit; a typed id has no label.
        """
        labels = {}
        for lookup in LOOKUPS.values():
            label = picked_label(self.cleaned_data.get(lookup.label_name))
            if self.cleaned_data.get(lookup.id_name) is not None and label:
                labels[lookup.id_name] = label
        return labels

    def unseen_errors(self) -> list[str]:
        """Return the errors of fields the page does not show (its token, a single tenant)."""
        names = ["form_token"] + (["tenant"] if self.has_one_tenant else [])
        return [str(error) for name in names for error in self.errors.get(name, [])]

    def notes_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.NOTES_FIELDS)

    def address_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.ADDRESS_FIELDS)

    def dispatch_understood(self) -> DispatchUnderstood:
        """Return what the page says beside the date box for the date it shows."""
        value = self["expected_date_of_dispatch"].value()
        if isinstance(value, datetime):
            value = dispatch_format(timezone.localtime(value))
        return dispatch_understood(str(value or ""))

    def more_has_values(self) -> bool:
        """Return whether the collapsed section holds anything, so it opens when it does."""
        return any(self[name].value() or self[name].errors for name in self.MORE_FIELDS)


class SharedFields(dict[str, forms.Field]):
    """A form class's fields, shared by every form of it but for those named ``own``.

    Each form copies its class's fields (``copy.deepcopy(base_fields)``) so that it may change
    them. The entry form changes only its tenant field (the tenants, the widget) and a line form
    none (the formset adds its "remove" box to the form's own dict, which is still a copy):
    deep-copying the other fields, with their widgets, validators and messages, was a sixth of
    a submit's time in its forms. Nothing changes a shared field after the class is built; the
    templates and the renderer only read them.
    """

    def __init__(self, fields: Mapping[str, forms.Field], *, own: Sequence[str] = ()) -> None:
        super().__init__(fields)
        self.own = tuple(own)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        copied = dict(self)
        for name in self.own:
            copied[name] = copy.deepcopy(self[name], memo)
        return copied


OrderForm.base_fields = SharedFields(OrderForm.base_fields, own=["tenant"])


def boxes_keep_what_is_typed(fields: Mapping[str, forms.Field]) -> None:
    """Drop the ``maxlength`` Django writes on each box from its field's ``max_length``.

    With it the browser cuts a pasted text at the limit without a word, and a reference cut
    short would be sent as if keyed: without it the whole text stays in the box and the field
    says beside it how long it may be (``TOO_LONG``, docs/input.md).
    """
    for field in fields.values():
        field.widget.attrs.pop("maxlength", None)


boxes_keep_what_is_typed(OrderForm.base_fields)


OPENED_SALT = "orders.forms.opened"
# A stamp older than this is not a keying time but a page left open overnight.
OPENED_MAX_AGE = timedelta(hours=12)


def opened_stamp(moment: datetime | None = None) -> str:
    """Return a signed stamp of when the entry page was opened (now, unless given)."""
    moment = moment or timezone.now()
    return signing.dumps(moment.timestamp(), salt=OPENED_SALT, compress=False)


def opened_at(stamp: str) -> datetime | None:
    """Return the moment a stamp from ``opened_stamp`` was made, or None if it is not one."""
    try:
        seconds = signing.loads(stamp, salt=OPENED_SALT, max_age=OPENED_MAX_AGE)
        return datetime.fromtimestamp(float(seconds), tz=UTC)
    except (signing.BadSignature, TypeError, ValueError, OverflowError):
        return None


def picked_label(value: Any) -> dict[str, str]:
    """Return a posted label as ``{"code", "name"}``, or {} if it is not one."""
    if not isinstance(value, dict):
        return {}
    label = {key: box_text(clean_text(str(value.get(key) or "")))[:200] for key in ("code", "name")}
    return label if any(label.values()) else {}


# A quantity in figures: ASCII digits with at most one point (a minus too, so that "-1" is told
# it must be more than 0).
PLAIN_QUANTITY = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
QUANTITY_TOO_LARGE = "Up to 9 figures before the point and 3 after it: check the quantity."


class QuantityField(forms.DecimalField):
    """A quantity as agents write it: "12", "2.5", "00012".

    Python's ``Decimal`` also reads "1e2" as 100, "1_000" as 1000 and other scripts' digits:
    typed in a quantity box those are slips, never a number to send (docs/input.md).
    """

    # Any: django-stubs give DecimalField the to_python of IntegerField, its base class.
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not PLAIN_QUANTITY.fullmatch(text):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(text)


class OrderLineForm(CleanedDirectly):
    product = OneLineTextField(
        label="Product",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"max_length": TOO_LONG},
    )
    product_id = picked_id_field()
    # What the agent saw on the line when picking, kept for the audit; stock only for the warning.
    description = AuditTextField(max_length=255)
    available = SeenNumberField()
    quantity = QuantityField(
        label="Quantity",
        # Left empty on a chosen product, it is 1 (``clean``); "SKU x4" in the product box says it.
        required=False,
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": 0}),
        error_messages={
            "invalid": "Enter a quantity in figures, e.g. 2 or 2.5.",
            "max_digits": QUANTITY_TOO_LARGE,
            "max_whole_digits": QUANTITY_TOO_LARGE,
            "max_decimal_places": QUANTITY_TOO_LARGE,
        },
    )

    def has_changed(self) -> bool:
        """Return whether any field differs from its initial value, as Django's form does,
        stopping at the first that does: on a keyed line that is its product, the first field.
        The formset asks this of every line before it validates it."""
        for name in self.fields:
            bound: Any = self[name]
            if bound._has_changed():
                return True
        return False

    def clean_quantity(self) -> Any:
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError("The quantity must be more than 0.", code="min_value")
        return quantity

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.has_error("product_id") or self.has_error("product"):
            return cleaned
        text = (cleaned.get("product") or "").strip()
        said = line_text_parse(text)
        if said.quantity:
            # "SKU x4", "4 x SKU": the product is the SKU, and the quantity said goes in its box
            # unless one was typed there too.
            text = said.code
            if cleaned.get("quantity") is None and not self.has_error("quantity"):
                try:
                    cleaned["quantity"] = self.fields["quantity"].clean(said.quantity)
                except forms.ValidationError as problem:
                    self.add_error("quantity", problem)
        if cleaned.get("product_id") is None:
            typed_id = id_from_text(text, max_digits=CLARUS_ID_MAX_DIGITS)
            if typed_id is not None:
                # Typed a Clarus id: the way round a Clarus that cannot be searched.
                cleaned["product_id"] = typed_id
            elif text:
                self.add_error(
                    "product_id",
                    forms.ValidationError(
                        f"“{text}” is not picked: choose the product from the suggestions, "
                        "or type its Clarus id.",
                        code="not_picked",
                    ),
                )
            else:
                self.add_error(
                    "product_id",
                    forms.ValidationError(
                        "Type a SKU, barcode or description, or the product's Clarus id.",
                        code="required",
                    ),
                )
        # The code the agent saw, unless what they typed was the id itself.
        product_id = cleaned.get("product_id")
        cleaned["product_code"] = "" if text == str(product_id) else text
        if (
            product_id is not None
            and cleaned.get("quantity") is None
            and not self.has_error("quantity")
        ):
            cleaned["quantity"] = Decimal(1)
        return cleaned

    # The number of another line with the same product, as the page numbers its lines
    # (``BaseOrderLineFormSet.line_rows``); None when no other line has it.
    repeat_of: int | None = None

    @property
    def repeat_warning(self) -> str:
        return REPEATED_PRODUCT.format(line=self.repeat_of) if self.repeat_of else ""

    def shown_product_id(self) -> int | None:
        """Return the product this line shows as chosen: its picked id, or the Clarus id typed
        in its box once the form has read it."""
        picked = id_from_text(str(self["product_id"].value() or ""))
        if picked is None and hasattr(self, "cleaned_data"):
            typed = self.cleaned_data.get("product_id")
            picked = typed if isinstance(typed, int) else None
        return picked

    def stock_seen(self) -> Decimal | None:
        """Return the available stock shown when the product was picked, if any."""
        return _decimal(self["available"].value())

    def over_stock(self) -> bool:
        """Return whether the quantity is more than the stock seen when picking (a warning)."""
        available, quantity = self.stock_seen(), _decimal(self["quantity"].value())
        return available is not None and quantity is not None and quantity > available


OrderLineForm.base_fields = SharedFields(OrderLineForm.base_fields)


def _decimal(value: Any) -> Decimal | None:
    """Return a finite number from a posted value, or None (NaN cannot even be compared)."""
    if value is None or value == "" or len(str(value)) > 50:
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class BaseOrderLineFormSet(BaseFormSet[OrderLineForm]):
    def initial_form_count(self) -> int:
        # Lines shown to start from (a copied order's) are new rows like any other: the page
        # adds, removes and posts them all the same way.
        return super().initial_form_count() if self.is_bound else 0

    def keyed_forms(self) -> list[OrderLineForm]:
        """Return the line forms that become Clarus lines, in the order they are sent."""
        return [
            form
            for form in self.forms
            if form.is_valid() and form.has_changed() and not form.cleaned_data.get("DELETE")
        ]

    # The words beside a line whose product is on another line; the page's script says them too.
    repeated_words = REPEATED_PRODUCT

    def line_rows(self) -> list[OrderLineForm]:
        """Return the line forms as the page shows them, each line whose product is on another
        shown line told that line's number (the first other one): a warning, never an error.

        Lines are numbered as the page numbers them, removed ones left out.
        """
        rows = self.forms
        numbers: dict[int, list[int]] = {}
        shown: list[tuple[OrderLineForm, int | None, int]] = []
        for form in rows:
            form.repeat_of = None
            if form.is_bound and form["DELETE"].value():
                continue
            product_id = form.shown_product_id()
            shown.append((form, product_id, len(shown) + 1))
            if product_id is not None:
                numbers.setdefault(product_id, []).append(len(shown))
        for form, product_id, number in shown:
            if product_id is not None:
                others = [each for each in numbers[product_id] if each != number]
                form.repeat_of = others[0] if others else None
        return rows

    def lines(self) -> list[LineInput]:
        return [
            LineInput(
                product_id=form.cleaned_data["product_id"],
                quantity=form.cleaned_data["quantity"],
                product_code=form.cleaned_data["product_code"],
                description=form.cleaned_data["description"],
            )
            for form in self.keyed_forms()
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.keyed_forms():
            raise forms.ValidationError(
                "Add at least one line: a product and a quantity.", code="no_lines"
            )


OrderLineFormSet = formset_factory(
    OrderLineForm,
    formset=BaseOrderLineFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_LINES,
    validate_max=True,
    absolute_max=MAX_LINES,
)
LINES_PREFIX = "lines"


def line_formset(
    data: Any = None, *, initial: list[dict[str, str]] | None = None
) -> BaseOrderLineFormSet:
    """Return the lines formset, bound to ``data`` or showing ``initial`` lines to start from."""
    formset = OrderLineFormSet(data, prefix=LINES_PREFIX, initial=initial or None)
    assert isinstance(formset, BaseOrderLineFormSet)
    if initial and data is None:
        formset.extra = len(initial)
    return formset


ADDRESS_PREFIX = "delivery_"


@dataclass
class OrderEntry:
    """The entry form as one thing: the header and address form, and its lines."""

    form: OrderForm
    lines: BaseOrderLineFormSet

    def is_valid(self) -> bool:
        return self.form.is_valid() and self.lines.is_valid()

    def keyed_order(self) -> KeyedOrder:
        """Return the valid entry as the order the agent keyed."""
        cleaned = self.form.cleaned_data
        return KeyedOrder(
            tenant=cleaned["tenant"],
            header=OrderHeader(**{each.name: cleaned[each.name] for each in fields(OrderHeader)}),
            lines=self.lines.lines(),
            address=DeliveryAddress(
                **{
                    each.name: cleaned[ADDRESS_PREFIX + each.name]
                    for each in fields(DeliveryAddress)
                }
            ),
            labels=self.form.labels(),
            keying_started_at=self.form.keying_started_at(),
        )


FIRST_REQUIRED = ("account", "reference", "expected_date_of_dispatch")


def entry_focus(form: OrderForm, formset: BaseOrderLineFormSet) -> str:
    """Return the id of the box the entry page opens on: the first with an error, in the page's
    order, else the first required one still empty (an agent types at once, with no key to get
    there), else none."""
    lines = [line for line in formset.forms if not (line.is_bound and line["DELETE"].value())]
    first_line = lines[0]["product"].auto_id if lines else ""
    if form.is_bound:
        header = [*([] if form.has_one_tenant else ["tenant"]), *form.HEADER_FIELDS]
        rest = [*form.ADDRESS_FIELDS, *form.NOTES_FIELDS, *form.MORE_FIELDS]
        for name, box_id in form.shown_ids(header):
            if form.field_has_error(name):
                return box_id
        for line in lines:
            if line.is_bound and line.errors:
                only_quantity = set(line.errors) == {"quantity"}
                return line["quantity" if only_quantity else "product"].auto_id
        if formset.is_bound and formset.non_form_errors():
            return first_line
        for name, box_id in form.shown_ids(rest):
            if form.field_has_error(name):
                return box_id
    for name in FIRST_REQUIRED:
        if not form[name].value() and not (name == "account" and form["account_id"].value()):
            return form[name].auto_id
    if not any(line["product"].value() or line["product_id"].value() for line in lines):
        return first_line
    return ""


def line_form(formset: BaseOrderLineFormSet, index: int, **initial: Any) -> OrderLineForm:
    """Return row ``index`` of the lines, new to the formset, showing ``initial`` values."""
    line = formset.form(
        prefix=formset.add_prefix(index),
        initial=initial,
        empty_permitted=True,
        use_required_attribute=False,
    )
    formset.add_fields(line, index)
    return line


def with_blank_row(data: QueryDict) -> BaseOrderLineFormSet:
    """Return the posted lines with one blank row more (the "Add line" button without htmx)."""
    data = data.copy()
    total_key = f"{LINES_PREFIX}-TOTAL_FORMS"
    data[total_key] = str(min(line_formset(data).total_form_count() + 1, MAX_LINES))
    return line_formset(data)


def form_field_name(target: FieldRef) -> str:
    """Return the name of the header or address field of the entry form a target names."""
    return ADDRESS_PREFIX + target.name if target.part == "address" else target.name


def add_clarus_errors(
    form: OrderForm,
    formset: BaseOrderLineFormSet,
    errors: Sequence[Refusal],
) -> list[str]:
    """Attach Clarus errors to the fields their ``source`` names; return those that fit nowhere."""
    keyed = formset.keyed_forms()
    unplaced: list[str] = []
    for error in errors:
        target = error.target
        if target is None:
            unplaced.append(f"{error.source}: {error.details}" if error.source else error.details)
            continue
        if target.part != "line":
            if form_field_name(target) in form.fields:
                form.add_error(form_field_name(target), error.details)
                continue
        elif target.line is not None and target.line < len(keyed):
            keyed[target.line].add_error(target.name, error.details)
            continue
        unplaced.append(f"{error.source}: {error.details}")
    return unplaced


@dataclass(frozen=True)
class EntryInitial:
    """A stored order as the entry form shows it: header fields, and one dict per line."""

    header: dict[str, Any]
    lines: list[dict[str, str]]


def order_entry_initial(order: Order, *, fresh: bool = False) -> EntryInitial:
    """Return the entry form's values for a stored order, with the codes and names the agent saw.

    ``fresh`` leaves out what a new order must not take from the old one (its reference and
    dispatch date), for "Copy into a new order".
    """
    keyed = order_keyed(order=order)
    header: dict[str, Any] = {"tenant": order.tenant_id}
    for name, value in asdict(keyed.header).items():
        if value is not None and value != "":
            header[name] = _form_value(name, value)
    header.update(
        {ADDRESS_PREFIX + name: value for name, value in asdict(keyed.address).items() if value}
    )
    for lookup in LOOKUPS.values():
        label = picked_label(keyed.labels.get(lookup.id_name))
        if label:
            header[lookup.label_name] = label
        if lookup.search and lookup.id_name in header:
            header[lookup.text_name] = _shown_as(label) or header[lookup.id_name]
    if fresh:
        header.pop("reference", None)
        header.pop("expected_date_of_dispatch", None)
    lines = [
        {
            "product": line.product_code or str(line.product_id),
            "product_id": str(line.product_id),
            "description": line.description,
            "quantity": format(line.quantity.normalize(), "f"),
        }
        for line in keyed.lines
    ]
    return EntryInitial(header=header, lines=lines)


def order_entry_data(order: Order) -> dict[str, str]:
    """Return the entry form's POST data for a stored order, as if the agent had just sent it.

    Bound to an ``OrderForm`` and a ``line_formset``, it shows the order as it was keyed, so
    Clarus's reasons for refusing it can be put beside the fields again.
    """
    initial = order_entry_initial(order)
    data = {
        name: json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        for name, value in initial.header.items()
    }
    data["form_token"] = str(order.form_token)
    for index, line in enumerate(initial.lines):
        data.update({f"{LINES_PREFIX}-{index}-{name}": value for name, value in line.items()})
    data.update(
        {
            f"{LINES_PREFIX}-TOTAL_FORMS": str(max(len(initial.lines), 1)),
            f"{LINES_PREFIX}-INITIAL_FORMS": "0",
            f"{LINES_PREFIX}-MIN_NUM_FORMS": "0",
            f"{LINES_PREFIX}-MAX_NUM_FORMS": str(MAX_LINES),
        }
    )
    return data


def _form_value(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "expected_date_of_dispatch":
        # Stored as Clarus takes it (ISO 8601 with an offset); the form shows local time.
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return dispatch_format(moment)
    return str(value)


def only_account_initial(limited_to: Sequence[Choice]) -> dict[str, Any]:
    """Return the entry form's account already picked, for a member who keys for one account
    only (``permissions.keyed_accounts``): one box fewer to fill on every call."""
    if len(limited_to) != 1:
        return {}
    account = limited_to[0]
    label = {"code": account.code, "name": account.name}
    return {
        "account_id": account.id,
        "account_label": label,
        "account": _shown_as(label) or str(account.id),
    }


def _shown_as(label: Mapping[str, str]) -> str:
    """Return a picked lookup as its box showed it: "CODE · Name" (as lookups.js writes it)."""
    code, name = label.get("code", ""), label.get("name", "")
    return f"{code} · {name}" if code and name and name != code else code or name
