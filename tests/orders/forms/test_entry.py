import uuid
from dataclasses import fields
from datetime import datetime

import pytest
from django import forms
from django.utils import timezone

from orders.clarus.documents import goods_out_document
from orders.clarus.errors import source_target
from orders.domain import DeliveryAddress, OrderHeader, Refusal
from orders.forms.entry import (
    MAX_LINES,
    OrderEntry,
    OrderForm,
    OrderLineForm,
    add_clarus_errors,
    country_choices,
    entry_focus,
    line_formset,
)
from tests.orders.factories import order_post_data


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def bind(tenant, **overrides):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), **overrides)
    return OrderForm(data, tenants=[tenant]), line_formset(data)


def test_valid_order(tenant):
    form, formset = bind(tenant)

    assert form.is_valid(), form.errors
    assert formset.is_valid(), formset.errors
    assert form.cleaned_data["delivery_postcode"] == "LS1 4AP"
    dispatch = form.cleaned_data["expected_date_of_dispatch"]
    assert timezone.is_aware(dispatch)
    assert dispatch.replace(tzinfo=None) == datetime(2026, 12, 1, 14, 30)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reference", "", "Type the order reference"),
        ("reference", "R" * 51, "Up to 50 characters: this has 51."),
        ("account_id", "", "Choose the account"),
        ("account_id", "acme", "whole number"),
        ("expected_date_of_dispatch", "", "Type the dispatch date"),
        ("expected_date_of_dispatch", "31/02", "is not a date"),
        ("expected_date_of_dispatch", "281120261400", "is not a date"),
        ("priority", "0", "Priority is 1 (most urgent) to 99."),
        ("priority", "100", "Priority is 1 (most urgent) to 99."),
        ("packing_notes", "p" * 256, "Up to 255 characters: this has 256."),
        ("delivery_postcode", "X" * 11, "Up to 10 characters: this has 11."),
        ("delivery_address_1", "a" * 81, "Up to 80 characters: this has 81."),
        # Bounds of the desk's own where Clarus gives none (CONTRACT.md §2.3).
        ("delivery_notes", "n" * 1001, "Up to 1000 characters: this has 1001."),
        ("order_notes", "n" * 2_600_000, "Up to 1000 characters: this has 2600000."),
        ("pick_notes", "n" * 1001, "Up to 1000 characters"),
        ("load_reference", "L" * 101, "Up to 100 characters: this has 101."),
        ("pick_reference", "P" * 101, "Up to 100 characters"),
        ("external_system_reference1", "E" * 101, "Up to 100 characters"),
        ("external_system_reference2", "E" * 101, "Up to 100 characters"),
        ("external_system_reference3", "E" * 101, "Up to 100 characters"),
        ("delivery_email", "not-an-email", "valid email"),
        ("delivery_country", "XX", "Select a valid choice"),
        ("goods_out_type", "sale", "Select a valid choice"),
        ("dispatch_strategy", "sometimes", "Select a valid choice"),
    ],
)
def test_header_rules_are_checked_before_sending(tenant, field, value, message):
    form, _ = bind(tenant, **{field: value})

    assert not form.is_valid()
    assert message in " ".join(form.errors[field])


@pytest.mark.parametrize(
    ("line_values", "message"),
    [
        ([("101", "0")], "more than 0"),
        ([("101", "-2")], "more than 0"),
        ([("abc", "1")], "whole number"),
        ([("101", "x")], "Enter a quantity"),
    ],
)
def test_line_rules(tenant, line_values, message):
    _, formset = bind(tenant, line_values=line_values)

    assert not formset.is_valid()
    assert message in str(formset.errors)


def test_an_order_needs_a_line(tenant):
    _, formset = bind(tenant, line_values=[("", "")])

    assert not formset.is_valid()
    assert "at least one line" in " ".join(formset.non_form_errors())


def test_removed_and_blank_rows_are_not_sent(tenant):
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), line_values=[("101", "2"), ("", ""), ("103", "5")]
    )
    data["lines-0-DELETE"] = "on"
    formset = line_formset(data)

    assert formset.is_valid(), formset.errors
    assert [line.product_id for line in formset.lines()] == [103]


def test_a_forged_line_count_is_refused(tenant):
    values = [("101", "1")] * (MAX_LINES + 1)
    _, formset = bind(tenant, line_values=values)

    assert not formset.is_valid()
    assert f"{MAX_LINES}" in " ".join(formset.non_form_errors())


def test_tenant_choice_is_hidden_when_there_is_one(make_tenant):
    only = make_tenant()

    assert OrderForm(tenants=[only]).has_one_tenant
    other = make_tenant(subdomain="other", name="Other")
    assert not OrderForm(tenants=[only, other]).has_one_tenant


def test_a_tenant_outside_the_list_is_refused(make_tenant):
    mine = make_tenant()
    other = make_tenant(subdomain="other", name="Other")

    data = order_post_data(other.pk, str(uuid.uuid4()))
    form = OrderForm(data, tenants=[mine])

    assert "tenant" in form.errors


@pytest.mark.parametrize("posted", ["{other}", "{mine}.0", "{mine}x", "", "\x00{mine}"])
def test_the_tenant_is_one_of_those_given_and_read_from_them_not_the_database(
    make_tenant, django_assert_num_queries, posted
):
    mine = make_tenant()
    other = make_tenant(subdomain="other", name="Other")
    data = order_post_data(mine.pk, str(uuid.uuid4()))
    good = OrderForm(data, tenants=[mine])
    bad = OrderForm({**data, "tenant": posted.format(mine=mine.pk, other=other.pk)}, tenants=[mine])

    with django_assert_num_queries(0):
        assert good.is_valid(), good.errors
        assert not bad.is_valid()

    assert good.cleaned_data["tenant"] is mine
    assert bad.errors["tenant"] in (
        ["You do not key orders for that tenant."],
        ["This field is required."],
        ["Null characters are not allowed."],
    )


def test_clarus_errors_land_on_the_fields_they_name(tenant):
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), line_values=[("101", "2"), ("", ""), ("103", "5")]
    )
    form, formset = OrderForm(data, tenants=[tenant]), line_formset(data)
    assert form.is_valid()
    assert formset.is_valid()

    unplaced = add_clarus_errors(
        form,
        formset,
        [
            Refusal(
                details="Reference taken", source="reference", target=source_target("reference")
            ),
            Refusal(
                details="No such product",
                source="lines_changes[1].product_id",
                target=source_target("lines_changes[1].product_id"),
            ),
            Refusal(
                details="Bad postcode",
                source="address.postcode",
                target=source_target("address.postcode"),
            ),
            Refusal(
                details="Odd",
                source="data.attributes.string1",
                target=source_target("data.attributes.string1"),
            ),
            Refusal(details="Something else"),
        ],
    )

    assert form.errors["reference"] == ["Reference taken"]
    assert form.errors["delivery_postcode"] == ["Bad postcode"]
    # Clarus's second line is the third row: the blank row in between was not sent.
    assert formset.forms[2].errors["product_id"] == ["No such product"]
    assert unplaced == ["data.attributes.string1: Odd", "Something else"]


def test_picked_ids_keep_what_the_agent_saw(tenant):
    form, formset = bind(
        tenant,
        account="ACME · Acme Homeware Ltd",
        account_label='{"code": "ACME", "name": "Acme Homeware Ltd"}',
        carrier_id="3",
        carrier_label="not json",
        warehouse_id="",
        warehouse_label='{"code": "WH1", "name": "Manchester DC"}',
        **{"lines-0-product": "MUG-BLK-0010", "lines-0-description": "Black stoneware mug"},
    )

    assert form.is_valid(), form.errors
    assert formset.is_valid(), formset.errors
    # A label that is not JSON, or beside no id, is dropped; it never blocks the order.
    assert form.labels() == {"account_id": {"code": "ACME", "name": "Acme Homeware Ltd"}}
    first, second = formset.lines()
    assert (first.product_code, first.description) == ("MUG-BLK-0010", "Black stoneware mug")
    assert (second.product_code, second.description) == ("", "")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("12", None),
        ("Acme", "“Acme” is not picked"),
        ("", "Choose the account"),
    ],
)
def test_the_account_box_takes_a_pick_or_a_typed_id(tenant, text, error):
    form, _ = bind(tenant, account_id="", account=text)

    if error is None:
        assert form.is_valid(), form.errors
        assert form.cleaned_data["account_id"] == 12
    else:
        assert error in " ".join(form.errors["account_id"])


def test_a_line_takes_a_typed_product_id(tenant):
    _, formset = bind(tenant, line_values=[("", "2")], **{"lines-0-product": "501"})

    assert formset.is_valid(), formset.errors
    assert [(line.product_id, line.product_code) for line in formset.lines()] == [(501, "")]


def test_digits_longer_than_a_clarus_id_are_a_barcode_not_an_id():
    barcode = OrderLineForm({"product": "5099999999999", "quantity": "1"})
    short = OrderLineForm({"product": "12345", "quantity": "1"})

    assert not barcode.is_valid()
    assert barcode.has_error("product_id", "not_picked")
    assert short.is_valid()
    assert short.cleaned_data["product_id"] == 12345


# --- One list of fields: the entry form, the desk's dataclasses and the document ---------------

# Fields of the entry form that are not the order's own: its token and stamp, the tenant, the
# search boxes and the labels of what was picked.
PLUMBING = {"form_token", "opened", "tenant", "account", "customer", "carrier"} | {
    name for name in OrderForm.base_fields if name.endswith("_label")
}


def test_every_field_of_the_entry_form_is_a_field_of_the_keyed_order():
    header = {each.name for each in fields(OrderHeader)}
    address = {f"delivery_{each.name}" for each in fields(DeliveryAddress)}

    assert set(OrderForm.base_fields) - PLUMBING == header | address
    assert set(OrderForm.ADDRESS_FIELDS) == address
    layout = OrderForm.HEADER_FIELDS + OrderForm.MORE_FIELDS + OrderForm.NOTES_FIELDS
    assert set(layout) == header


def test_every_field_filled_in_reaches_the_document(tenant):
    filled = {
        "warehouse_id": "3",
        "priority": "1",
        "customer_id": "11",
        "carrier_id": "4",
        "carrier_service_id": "8",
        "order_type_id": "2",
        "dispatch_strategy": "auto",
        "pack_strategy": "pack_by_unit",
        "pick_type": "tote",
        "delivery_notes": "Leave with reception",
        "order_notes": "Repeat customer",
        "pick_notes": "Check dates",
        "packing_notes": "Bubble wrap",
        "load_reference": "LOAD-1",
        "pick_reference": "PICK-1",
        "external_system_reference1": "EXT-1",
        "external_system_reference2": "EXT-2",
        "external_system_reference3": "EXT-3",
        "delivery_address_2": "Mill Lane",
        "delivery_county": "West Yorkshire",
        "delivery_address_5": "Rear entrance",
        "delivery_phone": "+44 113 496 0000",
    }
    form, formset = bind(tenant, **filled)
    entry = OrderEntry(form, formset)
    assert entry.is_valid(), (form.errors, formset.errors)

    keyed = entry.keyed_order()
    document = goods_out_document(header=keyed.header, lines=keyed.lines, address=keyed.address)

    sent = document["data"]["attributes"]
    assert set(sent) == {each.name for each in fields(OrderHeader)} | {"lines_changes"}
    address = document["data"]["relationships"]["address"]["data"]["attributes"]
    assert len(address) == len(fields(DeliveryAddress))
    assert address["address_4"] == "West Yorkshire"
    assert keyed.tenant == tenant
    assert [line.product_id for line in keyed.lines] == [101, 102]


def test_a_quantity_left_empty_on_a_chosen_product_is_one(tenant):
    _, formset = bind(tenant, line_values=[("101", "")])

    assert formset.is_valid(), formset.errors
    assert [line.quantity for line in formset.lines()] == [1]


def test_a_quantity_said_in_the_product_box_is_the_lines(tenant):
    _, formset = bind(
        tenant,
        line_values=[("101", ""), ("102", "7"), ("", "")],
        **{
            "lines-0-product": "MUG-BLK-0010 x4",
            "lines-1-product": "2 x TEE-RED-M",
            # Not chosen: a Clarus id typed with its quantity (the way round a Clarus that is down).
            "lines-2-product": "503 x3",
        },
    )

    assert formset.is_valid(), formset.errors
    assert [(line.product_id, line.quantity, line.product_code) for line in formset.lines()] == [
        (101, 4, "MUG-BLK-0010"),
        # A quantity typed in its own box wins.
        (102, 7, "TEE-RED-M"),
        (503, 3, ""),
    ]


def test_a_quantity_said_too_large_is_refused_beside_the_quantity(tenant):
    _, formset = bind(tenant, line_values=[("101", "")], **{"lines-0-product": "MUG x1e20"})
    assert formset.is_valid()
    _, formset = bind(
        tenant, line_values=[("101", "")], **{"lines-0-product": "MUG-1 x9999999999999"}
    )

    assert not formset.is_valid()
    assert "quantity" in formset.forms[0].errors


@pytest.mark.parametrize(
    ("country", "typed", "kept"),
    [("GB", "ls14ap", "LS1 4AP"), ("GB", "Sw1A1aA", "SW1A 1AA"), ("FR", "75008", "75008")],
)
def test_postcodes_are_written_as_their_country_writes_them(tenant, country, typed, kept):
    form, _ = bind(tenant, delivery_country=country, delivery_postcode=typed)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["delivery_postcode"] == kept


def test_a_gb_address_with_no_uk_postcode_says_so_beside_the_postcode(tenant):
    form, _ = bind(tenant, delivery_postcode="75008")

    assert not form.is_valid()
    assert form.errors["delivery_postcode"] == [
        "This is not a UK postcode: check it (it looks like LS1 4AP). For an address abroad, "
        "choose its country first."
    ]


def test_the_page_opens_on_the_first_field_to_fill(tenant):
    new = OrderForm(tenants=[tenant])
    copied = OrderForm(initial={"account_id": 7, "account": "ACME"}, tenants=[tenant])

    assert entry_focus(new, line_formset()) == "id_account"
    assert entry_focus(copied, line_formset()) == "id_reference"


def test_a_refused_order_opens_on_its_first_problem_in_the_pages_order(tenant):
    form, formset = bind(tenant, delivery_email="not-an-email", reference="")
    assert not (form.is_valid() and formset.is_valid())
    assert entry_focus(form, formset) == "id_reference"

    form, formset = bind(tenant, delivery_email="not-an-email", line_values=[("101", "0")])
    assert not (form.is_valid() and formset.is_valid())
    assert entry_focus(form, formset) == "id_lines-0-quantity"

    form, formset = bind(tenant, delivery_email="not-an-email")
    assert not (form.is_valid() and formset.is_valid())
    assert entry_focus(form, formset) == "id_delivery_email"


def test_optional_fields_come_after_the_everyday_ones():
    header = list(OrderForm.HEADER_FIELDS)
    address = list(OrderForm.ADDRESS_FIELDS)

    everyday_header = [name for name in header if name not in OrderForm.OPTIONAL_FIELDS]
    everyday_address = [name for name in address if name not in OrderForm.OPTIONAL_FIELDS]
    assert header[: len(everyday_header)] == everyday_header
    assert address[: len(everyday_address)] == everyday_address
    assert {"warehouse_id", "priority", "customer_id"} <= set(header[len(everyday_header) :])


def test_the_country_list_is_written_once_and_still_marks_each_form_s_country(make_tenant):
    tenant = make_tenant()
    new = OrderForm(tenants=[tenant])
    french = OrderForm({"delivery_country": "FR"}, tenants=[tenant])

    for form, chosen in ((new, "GB"), (french, "FR"), (new, "GB")):
        html = str(form["delivery_country"])
        plain = forms.Select(choices=country_choices()).render(
            "delivery_country", chosen, {"id": "id_delivery_country"}
        )
        assert html == plain
        assert html.count(" selected") == 1
        assert f'<option value="{chosen}" selected>' in html
    assert '<option value="FR">France (FR)</option>' in str(new["delivery_country"])


def test_each_form_has_its_own_tenant_field_and_lines_their_own_remove_box(make_tenant):
    """Forms share their fields but the tenant field, which each form sets to its own tenants:
    one agent's tenants never reach another's form, whatever was built before."""
    mine, theirs = make_tenant(), make_tenant(subdomain="theirs", name="Theirs")
    data = order_post_data(theirs.pk, str(uuid.uuid4()))

    for_me, for_them = OrderForm(data, tenants=[mine]), OrderForm(data, tenants=[theirs])
    formset = line_formset(data)

    assert for_me.fields["tenant"] is not for_them.fields["tenant"]
    assert for_me.fields["tenant"] is not OrderForm.base_fields["tenant"]
    assert for_me.fields["reference"] is for_them.fields["reference"]
    assert not for_me.is_valid()
    assert "tenant" in for_me.errors
    assert for_them.is_valid(), for_them.errors
    assert formset.is_valid(), formset.errors
    assert all("DELETE" in line.fields for line in formset.forms)
    assert "DELETE" not in OrderLineForm.base_fields
    tenant_field = OrderForm(tenants=[mine]).fields["tenant"]
    assert isinstance(tenant_field, forms.ModelChoiceField)
    assert list(tenant_field.queryset or []) == [mine]


def test_the_country_is_checked_against_the_same_list_the_page_offers(tenant):
    """Every country offered is taken, and nothing else: the codes, as a set, are the choices."""
    offered = [code for code, _name in country_choices()]
    field = OrderForm(tenants=[tenant]).fields["delivery_country"]
    assert isinstance(field, forms.ChoiceField)

    assert len(offered) > 200
    assert all(field.valid_value(code) for code in offered)
    for odd in ["", "gb", "XX", "GB ", "G", "GBR", None, 44, "\x00GB"]:
        assert not field.valid_value(odd)
    for code in ("GB", "IE", "FR"):
        form, _ = bind(tenant, delivery_country=code)
        assert form.is_valid(), form.errors
    form, _ = bind(tenant, delivery_country="gb")
    assert not form.is_valid()
    assert "Select a valid choice" in " ".join(form.errors["delivery_country"])


def test_a_posted_form_takes_its_tenant_without_making_the_list_shown(make_tenant):
    mine, other = make_tenant(), make_tenant(subdomain="other", name="Other 3PL")
    form, _ = bind(mine)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["tenant"] is mine
    # The list of tenants offered is made only when it is drawn.
    assert form.fields["tenant"]._queryset.query.is_empty()
    assert [value for value, _ in form.fields["tenant"].choices if value] == [mine.pk]
    assert list(form.fields["tenant"].queryset) == [mine]
    assert other.pk not in [value for value, _ in form.fields["tenant"].choices if value]


def test_the_tenant_list_drawn_is_the_tenants_given(make_tenant):
    mine, second = make_tenant(), make_tenant(subdomain="second", name="Second 3PL")
    make_tenant(subdomain="third", name="Third 3PL")

    form = OrderForm(tenants=[mine, second])
    drawn = str(form["tenant"])

    assert "Acme 3PL" in drawn
    assert "Second 3PL" in drawn
    assert "Third 3PL" not in drawn
