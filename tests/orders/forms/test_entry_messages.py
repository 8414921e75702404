"""The entry form's refusals are said in the agent's words, never Django's defaults ("This field
is required.", "Ensure this value is greater than or equal to 1."), and a reference keeps nothing
the agent cannot see."""

import unicodedata
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.forms.entry import OrderForm
from orders.models import Tenant
from tests.orders.factories import order_post_data


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def header_errors(tenant, **overrides) -> dict[str, list[str]]:
    form = OrderForm(order_post_data(tenant.pk, str(uuid.uuid4()), **overrides), tenants=[tenant])
    form.is_valid()
    return {name: [str(each) for each in errors] for name, errors in form.errors.items()}


@pytest.mark.parametrize("typed", ["", "   "])
def test_a_missing_reference_says_what_to_type(tenant, typed):
    assert header_errors(tenant, reference=typed) == {
        "reference": ["Type the order reference: the caller's order number."]
    }


@pytest.mark.parametrize("typed", ["0", "100", "-3"])
def test_a_priority_out_of_range_says_the_range(tenant, typed):
    assert header_errors(tenant, priority=typed) == {
        "priority": ["Priority is 1 (most urgent) to 99."]
    }


@pytest.mark.parametrize("typed", ["abc", "1.5", "٣", "1_0"])
def test_a_priority_not_in_figures_is_refused(tenant, typed):
    assert header_errors(tenant, priority=typed) == {
        "priority": ["Enter the priority as a whole number, 1 (most urgent) to 99."]
    }


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("PO\u200b123", "PO123"),  # a zero-width space pasted from an e-mail
        ("\u2066PO-123\u2069", "PO-123"),  # bidi isolates around it
        ("PO\u0007123\u00ad", "PO123"),  # a bell and a soft hyphen
        ("\ufeffSO-1", "SO-1"),  # a byte-order mark at the start
    ],
)
def test_a_reference_is_kept_without_its_invisible_characters(tenant, typed, kept):
    form = OrderForm(
        order_post_data(tenant.pk, str(uuid.uuid4()), reference=typed), tenants=[tenant]
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["reference"] == kept


def test_a_reference_of_invisible_characters_only_is_missing(tenant):
    assert header_errors(tenant, reference="\u200b\u200b") == {
        "reference": ["Type the order reference: the caller's order number."]
    }


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_a_kept_reference_has_nothing_invisible_in_it(typed):
    form = OrderForm(order_post_data(1, str(uuid.uuid4()), reference=typed), tenants=[Tenant(pk=1)])
    form.is_valid()
    kept = form.cleaned_data.get("reference")

    if kept is not None:
        assert kept == kept.strip()
        assert kept
        assert not any(unicodedata.category(each) in {"Cc", "Cf"} for each in kept)
