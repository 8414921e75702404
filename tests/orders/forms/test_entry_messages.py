"""The entry form's refusals are said in the agent's words, never Django's defaults ("This field
is required.", "Ensure this value is greater than or equal to 1.")."""

import uuid

import pytest

from orders.forms.entry import OrderForm
from tests.orders.factories import order_post_data


@pytest.fixture
def tenant(make_tenant):
    return make_tenant()


def header_errors(tenant, **overrides) -> dict[str, list[str]]:
    form = OrderForm(order_post_data(tenant.pk, str(uuid.uuid4()), **overrides), tenants=[tenant])
    form.is_valid()
    return dict(form.errors)


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
