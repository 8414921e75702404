"""The same product on two lines is warned about beside each line, naming the other: a warning,
never a reason to refuse the order."""

import uuid

import pytest

from orders.forms.entry import REPEATED_PRODUCT, OrderForm, line_formset
from tests.orders.factories import order_post_data


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def lines(tenant, line_values, **overrides):
    return line_formset(order_post_data(tenant.pk, str(uuid.uuid4()), line_values, **overrides))


def warnings(formset):
    return [line.repeat_warning for line in formset.line_rows()]


def test_a_product_on_two_lines_is_said_beside_each_naming_the_other(tenant):
    formset = lines(tenant, [("101", "2"), ("102", "1"), ("101", "3")])

    assert warnings(formset) == [
        "Already on line 3: check the caller wants both (it can still be sent).",
        "",
        "Already on line 1: check the caller wants both (it can still be sent).",
    ]


def test_the_warning_never_stops_the_order(tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("101", "2"), ("101", "2")])
    form, formset = OrderForm(data, tenants=[tenant]), line_formset(data)

    assert form.is_valid(), form.errors
    assert formset.is_valid(), formset.errors
    assert [line.product_id for line in formset.lines()] == [101, 101]


def test_three_lines_of_one_product_each_name_the_first_other(tenant):
    formset = lines(tenant, [("7", "1"), ("7", "1"), ("7", "1")])

    assert [line.repeat_of for line in formset.line_rows()] == [2, 1, 1]


def test_lines_are_numbered_as_the_page_shows_them_without_removed_ones(tenant):
    # Line 2 was removed: the page numbers the third row 2.
    formset = lines(tenant, [("101", "1"), ("101", "1"), ("101", "1")], **{"lines-1-DELETE": "on"})

    assert [line.repeat_of for line in formset.line_rows()] == [2, None, 1]


def test_a_removed_line_is_no_repeat(tenant):
    formset = lines(tenant, [("101", "1"), ("101", "1")], **{"lines-1-DELETE": "on"})

    assert warnings(formset) == ["", ""]


def test_lines_with_no_product_chosen_are_no_repeat(tenant):
    formset = lines(tenant, [("", "1"), ("", "1"), ("not-an-id", "2")])

    assert warnings(formset) == ["", "", ""]


def test_a_clarus_id_typed_in_the_box_is_the_lines_product_once_read(tenant):
    formset = lines(tenant, [("101", "1"), ("", "1")], **{"lines-1-product": "101"})

    assert formset.is_valid(), formset.errors
    assert [line.repeat_of for line in formset.line_rows()] == [2, 1]


def test_the_lines_of_a_copied_order_are_checked_too():
    formset = line_formset(
        initial=[
            {"product": "MUG", "product_id": "101", "quantity": "1"},
            {"product": "MUG", "product_id": "101", "quantity": "2"},
        ]
    )

    assert [line.repeat_of for line in formset.line_rows()] == [2, 1]


def test_the_words_are_the_desks_own():
    assert REPEATED_PRODUCT.format(line=2) == (
        "Already on line 2: check the caller wants both (it can still be sent)."
    )
    assert line_formset().repeated_words == REPEATED_PRODUCT
