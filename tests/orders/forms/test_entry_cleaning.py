"""The entry form and its lines clean their fields as Django's own forms do: the same values,
the same errors in the same order, and the same answer to "was this line touched?".

``CleanedDirectly`` reads each posted value from its widget instead of making a ``BoundField``
per field first, and a line stops at its first changed field; the forms here put Django's own
``Form._clean_fields`` and ``Form.has_changed`` back, and both are given the same posts.
"""

import uuid
from typing import Any

import pytest
from django import forms
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.forms.entry import CleanedDirectly, OrderForm, OrderLineForm, line_formset
from tests.orders.factories import order_post_data

pytestmark = pytest.mark.django_db

PROPERTIES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class DjangoOrderForm(OrderForm):
    _clean_fields = forms.Form._clean_fields  # type: ignore[attr-defined]


class DjangoLineForm(OrderLineForm):
    _clean_fields = forms.Form._clean_fields  # type: ignore[attr-defined]
    has_changed = forms.Form.has_changed


# Odd values that reach each kind of field: blanks, NUL, huge and odd numbers, long text.
ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "²",
    "-1",
    "0",
    "NaN",
    "1e400",
    "9" * 30,
    "x" * 400,
    "2026-02-30T25:61",
    "not-a-uuid",
    "GB",
    "ZZ",
    "ls1 4ap",
    "on",
]
VALUES = st.one_of(st.sampled_from(ODD), st.text(max_size=40))


def outcome(form: forms.Form) -> tuple[bool, Any, Any]:
    valid = form.is_valid()
    cleaned = {name: repr(value) for name, value in form.cleaned_data.items()}
    return valid, form.errors.get_json_data(), cleaned


def test_the_entry_form_cleans_directly():
    assert issubclass(OrderForm, CleanedDirectly)
    assert issubclass(OrderLineForm, CleanedDirectly)


@pytest.fixture
def tenant(make_tenant):
    # One tenant for all of a test's examples: they share the fixture's database.
    return make_tenant()


@PROPERTIES
@given(changes=st.dictionaries(st.sampled_from(sorted(OrderForm.base_fields)), VALUES))
def test_entry_form_values_and_errors_as_djangos(tenant, changes):
    data = {**order_post_data(tenant.pk, str(uuid.uuid4())), **changes}
    post = QueryDict(mutable=True)
    post.update(data)

    ours = OrderForm(post, tenants=[tenant])
    django = DjangoOrderForm(post, tenants=[tenant])

    assert outcome(ours) == outcome(django)


LINE_FIELDS = ["product", "product_id", "description", "available", "quantity", "DELETE"]


@PROPERTIES
@given(
    lines=st.lists(
        st.dictionaries(st.sampled_from(LINE_FIELDS), VALUES, max_size=len(LINE_FIELDS)),
        min_size=1,
        max_size=4,
    )
)
def test_line_values_errors_and_changes_as_djangos(lines):
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0"}
    for index, line in enumerate(lines):
        data.update({f"lines-{index}-{name}": value for name, value in line.items()})
    post = QueryDict(mutable=True)
    post.update(data)

    ours = line_formset(post)
    django = line_formset(post)
    django.form = DjangoLineForm

    assert ours.is_valid() == django.is_valid()
    assert ours.errors == django.errors
    assert ours.non_form_errors() == django.non_form_errors()
    assert [form.has_changed() for form in ours.forms] == [
        form.has_changed() for form in django.forms
    ]
    assert [type(form) for form in django.forms] == [DjangoLineForm] * len(lines)
    assert [outcome(form) for form in ours.forms] == [outcome(form) for form in django.forms]


def test_a_changed_line_is_one_whose_any_field_changed():
    post = QueryDict(mutable=True)
    post.update({"lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0"})
    post.update({"lines-1-quantity": "2", "lines-2-product": "  "})

    formset = line_formset(post)

    assert [form.has_changed() for form in formset.forms] == [False, True, False]
