"""The entry form: what an agent may key, and what must hold before anything goes to Clarus."""

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.forms import BaseFormSet, formset_factory
from django_countries import countries

from orders.models import Tenant
from orders.payloads import ADDRESS_ATTRIBUTES, LineInput, error_field

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


def clarus_id_field(
    label: str, *, required: bool = False, help_text: str = ID_HELP
) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter the Clarus id as a whole number."},
    )


def text_field(
    label: str, max_length: int | None = None, *, required: bool = False, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


def notes_field(
    label: str, *, max_length: int | None = None, help_text: str = ""
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrderForm(forms.Form):
    """The order header and its delivery address."""

    form_token = forms.UUIDField(widget=forms.HiddenInput)
    tenant = forms.ModelChoiceField(
        label="Clarus tenant",
        queryset=Tenant.objects.none(),
        empty_label=None,
        help_text="The warehouse client's Clarus system this order goes to.",
    )
    goods_out_type = forms.ChoiceField(
        label="Order type", choices=GOODS_OUT_TYPES, initial="sales_order"
    )
    account_id = clarus_id_field(
        "Account id", required=True, help_text="The client whose stock is sent."
    )
    reference = text_field(
        "Order reference",
        50,
        required=True,
        help_text="The caller's order number, up to 50 characters.",
    )
    expected_date_of_dispatch = forms.DateTimeField(
        label="Dispatch by",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Date and time the order should leave the warehouse.",
        error_messages={"invalid": "Enter the dispatch date and time, e.g. 2026-11-28 14:00."},
    )
    warehouse_id = clarus_id_field("Warehouse id", help_text="Leave blank to let Clarus choose.")
    priority = forms.IntegerField(
        label="Priority",
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="1 (most urgent) to 99.",
        widget=forms.NumberInput(attrs={"min": 1, "max": 99}),
    )
    customer_id = clarus_id_field("Customer id", help_text="The end customer receiving the goods.")
    carrier_id = clarus_id_field("Carrier id")
    carrier_service_id = clarus_id_field("Carrier service id")
    order_type_id = clarus_id_field(
        "Order type id", help_text="The tenant's own order type, if used."
    )
    dispatch_strategy = forms.ChoiceField(
        label="Dispatch", choices=DISPATCH_STRATEGIES, required=False
    )
    pack_strategy = forms.ChoiceField(label="Packing", choices=PACK_STRATEGIES, required=False)
    pick_type = forms.ChoiceField(label="Picking", choices=PICK_TYPES, required=False)
    delivery_notes = notes_field("Delivery notes", help_text="For the carrier.")
    order_notes = notes_field("Order notes")
    pick_notes = notes_field("Pick notes", help_text="For the pickers.")
    packing_notes = notes_field(
        "Packing notes", max_length=255, help_text="For the packers, up to 255 characters."
    )
    load_reference = text_field("Load reference")
    pick_reference = text_field("Pick reference")
    external_system_reference1 = text_field("External reference 1")
    external_system_reference2 = text_field("External reference 2")
    external_system_reference3 = text_field("External reference 3")

    # Clarus Address fields (CONTRACT.md §2.5); see payloads.ADDRESS_ATTRIBUTES for the mapping.
    delivery_name = text_field("Name or company", 80)
    delivery_address_1 = text_field("Address line 1", 80)
    delivery_address_2 = text_field("Address line 2", 80)
    delivery_town = text_field("Town or city", 80)
    delivery_county = text_field("County or region", 80)
    delivery_address_5 = text_field("Address line 5", 80)
    delivery_postcode = text_field("Postcode", 10)
    delivery_country = forms.ChoiceField(label="Country", choices=[], initial="GB")
    delivery_email = forms.EmailField(label="Email", max_length=254, required=False)
    delivery_phone = text_field("Phone", 50, widget=forms.TextInput(attrs={"type": "tel"}))

    HEADER_FIELDS = (
        "goods_out_type",
        "account_id",
        "reference",
        "expected_date_of_dispatch",
        "warehouse_id",
        "priority",
        "customer_id",
        "carrier_id",
        "carrier_service_id",
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
        "delivery_address_5",
        "delivery_postcode",
        "delivery_country",
        "delivery_email",
        "delivery_phone",
    )

    def __init__(self, *args: Any, tenants: Sequence[Tenant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tenant_field = self.fields["tenant"]
        assert isinstance(tenant_field, forms.ModelChoiceField)
        tenant_field.queryset = Tenant.objects.filter(pk__in=[tenant.pk for tenant in tenants])
        # The caller lists the current tenant first: a new order starts there.
        tenant_field.initial = tenants[0].pk if tenants else None
        if len(tenants) == 1:
            tenant_field.widget = forms.HiddenInput()
        country_field = self.fields["delivery_country"]
        assert isinstance(country_field, forms.ChoiceField)
        country_field.choices = [(code, f"{name} ({code})") for code, name in countries]
        if not self.is_bound and "form_token" not in self.initial:
            self.initial["form_token"] = uuid.uuid4()

    @property
    def has_one_tenant(self) -> bool:
        return isinstance(self.fields["tenant"].widget, forms.HiddenInput)

    def clean_delivery_postcode(self) -> str:
        return " ".join(self.cleaned_data["delivery_postcode"].upper().split())

    def bound_fields(self, names: Sequence[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]

    def header_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.HEADER_FIELDS)

    def more_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.MORE_FIELDS)

    def notes_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.NOTES_FIELDS)

    def address_fields(self) -> list[forms.BoundField]:
        return self.bound_fields(self.ADDRESS_FIELDS)

    def more_has_values(self) -> bool:
        """Return whether the collapsed section holds anything, so it opens when it does."""
        return any(self[name].value() or self[name].errors for name in self.MORE_FIELDS)


class OrderLineForm(forms.Form):
    product_id = clarus_id_field("Product id", required=True, help_text="")
    quantity = forms.DecimalField(
        label="Quantity",
        max_digits=12,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any", "min": 0}),
        error_messages={"invalid": "Enter a quantity, e.g. 2."},
    )

    def clean_quantity(self) -> Any:
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError("The quantity must be more than 0.", code="min_value")
        return quantity


class BaseOrderLineFormSet(BaseFormSet[OrderLineForm]):
    def keyed_forms(self) -> list[OrderLineForm]:
        """Return the line forms that become Clarus lines, in the order they are sent."""
        return [
            form
            for form in self.forms
            if form.is_valid() and form.has_changed() and not form.cleaned_data.get("DELETE")
        ]

    def lines(self) -> list[LineInput]:
        return [
            LineInput(
                product_id=form.cleaned_data["product_id"], quantity=form.cleaned_data["quantity"]
            )
            for form in self.keyed_forms()
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.keyed_forms():
            raise forms.ValidationError(
                "Add at least one line: a product id and a quantity.", code="no_lines"
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


def line_formset(data: Any = None) -> BaseOrderLineFormSet:
    formset = OrderLineFormSet(data, prefix=LINES_PREFIX)
    assert isinstance(formset, BaseOrderLineFormSet)
    return formset


def add_clarus_errors(
    form: OrderForm,
    formset: BaseOrderLineFormSet,
    errors: Sequence[Any],
) -> list[str]:
    """Attach Clarus errors to the fields their ``source`` names; return those that fit nowhere."""
    keyed = formset.keyed_forms()
    unplaced: list[str] = []
    for error in errors:
        target = error_field(error.source)
        if target is None:
            unplaced.append(f"{error.source}: {error.details}" if error.source else error.details)
            continue
        line_index, field_name = target
        if line_index is None:
            if field_name in form.fields:
                form.add_error(field_name, error.details)
                continue
        elif line_index < len(keyed):
            keyed[line_index].add_error(field_name, error.details)
            continue
        unplaced.append(f"{error.source}: {error.details}")
    return unplaced


def _display_value(field: forms.Field, value: Any) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    return str(choices.get(value, value))


def labelled_header(header: dict[str, Any]) -> list[tuple[str, str]]:
    """Return a stored header as (label, value) pairs in the entry form's words."""
    fields = OrderForm.base_fields
    return [
        (str(fields[name].label), _display_value(fields[name], value))
        for name, value in header.items()
        if name in fields
    ]


def labelled_address(address: dict[str, Any]) -> list[tuple[str, str]]:
    """Return a stored Clarus address as (label, value) pairs in the entry form's words."""
    fields = OrderForm.base_fields
    by_attribute = {attribute: fields[field] for field, attribute in ADDRESS_ATTRIBUTES.items()}
    return [
        (str(by_attribute[name].label), str(value))
        for name, value in address.items()
        if name in by_attribute
    ]
