import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from orders.forms import (
    MAX_LINES,
    OrderForm,
    OrderLineForm,
    add_clarus_errors,
    labelled_address,
    labelled_header,
    line_formset,
)
from orders.services import ClarusError
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
        ("reference", "", "This field is required."),
        ("reference", "R" * 51, "Up to 50 characters: this has 51."),
        ("account_id", "", "Choose the account"),
        ("account_id", "acme", "whole number"),
        ("expected_date_of_dispatch", "", "This field is required."),
        ("expected_date_of_dispatch", "tomorrow", "Enter the dispatch date and time"),
        ("priority", "0", "greater than or equal to 1"),
        ("priority", "100", "less than or equal to 99"),
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
        ([("101", "")], "This field is required."),
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
            ClarusError(details="Reference taken", source="reference"),
            ClarusError(details="No such product", source="lines_changes[1].product_id"),
            ClarusError(details="Bad postcode", source="address.postcode"),
            ClarusError(details="Odd", source="data.attributes.string1"),
            ClarusError(details="Something else"),
        ],
    )

    assert form.errors["reference"] == ["Reference taken"]
    assert form.errors["delivery_postcode"] == ["Bad postcode"]
    # Clarus's second line is the third row: the blank row in between was not sent.
    assert formset.forms[2].errors["product_id"] == ["No such product"]
    assert unplaced == ["data.attributes.string1: Odd", "Something else"]


def test_stored_order_is_labelled_in_the_agents_words():
    header = {"goods_out_type": "work_order", "reference": "SO-1", "pick_type": "tote"}
    address = {"address_3": "Leeds", "country_code": "GB"}

    assert labelled_header(header) == [
        ("Order type", "Work order"),
        ("Order reference", "SO-1"),
        ("Picking", "Tote"),
    ]
    assert labelled_address(address) == [("Town or city", "Leeds"), ("Country", "GB")]


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


def test_a_picked_id_is_shown_with_its_code_and_name():
    header = {"account_id": 7, "warehouse_id": 3, "reference": "SO-1"}
    labels = {"account_id": {"code": "ACME", "name": "Acme Homeware Ltd"}}

    assert labelled_header(header, labels) == [
        ("Account id", "7 (ACME · Acme Homeware Ltd)"),
        ("Warehouse id", "3"),
        ("Order reference", "SO-1"),
    ]


def test_digits_longer_than_a_clarus_id_are_a_barcode_not_an_id():
    barcode = OrderLineForm({"product": "5099999999999", "quantity": "1"})
    short = OrderLineForm({"product": "12345", "quantity": "1"})

    assert not barcode.is_valid()
    assert barcode.has_error("product_id", "not_picked")
    assert short.is_valid()
    assert short.cleaned_data["product_id"] == 12345
