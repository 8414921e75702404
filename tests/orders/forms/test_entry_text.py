"""The entry form's text boxes keep what the agent typed, without control characters or
characters that turn the text around; joining characters in names stay."""

import uuid

import pytest
from django import forms

from orders.forms.entry import OrderForm, line_formset
from tests.orders.factories import order_post_data

# The boxes of one line an agent types into; the reference has its own, stricter rule
# (VisibleTextField: every invisible character goes) and the others are numbers, dates, lists.
ONE_LINE_BOXES = [
    "account",
    "customer",
    "carrier",
    "load_reference",
    "pick_reference",
    "external_system_reference1",
    "external_system_reference2",
    "external_system_reference3",
    "delivery_name",
    "delivery_address_1",
    "delivery_address_2",
    "delivery_town",
    "delivery_county",
    "delivery_address_5",
    "delivery_postcode",
    "delivery_phone",
]
NOTES_BOXES = ["delivery_notes", "order_notes", "pick_notes", "packing_notes"]


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def cleaned(tenant, **typed):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), **typed)
    form = OrderForm(data, tenants=[tenant])
    assert form.is_valid(), form.errors
    return form.cleaned_data


def test_every_text_box_of_the_entry_form_is_one_of_the_three_rules():
    """A new text box cannot slip in with Django's CharField, which keeps controls."""
    text_boxes = {
        name
        for name, field in OrderForm.base_fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput)
    }

    assert text_boxes == {*ONE_LINE_BOXES, *NOTES_BOXES, "reference", "delivery_email"}


@pytest.mark.parametrize("name", ONE_LINE_BOXES)
def test_a_one_line_box_drops_control_characters(tenant, name):
    typed = "\x07Mill\tLane\x00\x1b\x7f \x85Unit\x9f 4\x0b"
    if name == "delivery_postcode":
        typed = "ls1\x00 4ap\x07"
    # A search box's text stands beside the id picked with it.
    picked = {f"{name}_id": "5"} if name in ("account", "customer", "carrier") else {}

    kept = cleaned(tenant, **{name: typed}, **picked)[name]

    # A control that parted words (the tab, the vertical tab, the next-line) leaves a space.
    assert kept == ("LS1 4AP" if name == "delivery_postcode" else "Mill Lane  Unit 4")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        # Joining characters belong to the name: an emoji family, a Hindi conjunct (क्‍ष).
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467 Family", None),
        ("\u0915\u094d\u200d\u0937 Traders", None),
        # A right-to-left name is kept as typed: only what forces a direction goes.
        ("\u05d0\u05d1\u05d2 Ltd", None),
        ("\u202eLtd Cafe\u202c Harbour", "Ltd Cafe Harbour"),
        ("\u2066Harbour\u2069 Cafe", "Harbour Cafe"),
    ],
)
def test_a_name_keeps_its_joining_characters_but_not_its_turning_ones(tenant, typed, kept):
    assert cleaned(tenant, delivery_name=typed)["delivery_name"] == (kept or typed)


def test_notes_keep_their_line_breaks_and_tabs(tenant):
    typed = "Ring the bell\x07\r\nLeave\twith reception\x00\x1b"

    for name in NOTES_BOXES:
        assert cleaned(tenant, **{name: typed})[name] == "Ring the bell\r\nLeave\twith reception"


def test_control_characters_do_not_count_towards_a_boxs_length(tenant):
    kept = cleaned(tenant, delivery_name="A" * 80 + "\x00" * 20)["delivery_name"]

    assert kept == "A" * 80


def test_an_email_with_a_control_character_in_it_is_the_email(tenant):
    assert cleaned(tenant, delivery_email="\x07jo@example.com\x00")["delivery_email"] == (
        "jo@example.com"
    )


def test_a_box_of_control_characters_only_is_empty(tenant):
    assert cleaned(tenant, delivery_address_2="\x00\x07\x1b")["delivery_address_2"] == ""


def test_a_lines_product_box_and_what_was_seen_when_picking_keep_no_control_character(tenant):
    data = order_post_data(
        tenant.pk,
        str(uuid.uuid4()),
        [("101", "2")],
        **{"lines-0-product": "MUG\x00-BLK\x1d", "lines-0-description": "Black\x9b mug\x07"},
    )
    formset = line_formset(data)

    assert formset.is_valid(), formset.errors
    [line] = formset.lines()
    assert (line.product_code, line.description) == ("MUG-BLK", "Black mug")


def test_what_was_seen_when_picking_keeps_no_control_character(tenant):
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), account_label='{"code": "AC\\u0007ME", "name": "Acme\\u001b"}'
    )
    form = OrderForm(data, tenants=[tenant])

    assert form.is_valid(), form.errors
    assert form.labels() == {"account_id": {"code": "ACME", "name": "Acme"}}
