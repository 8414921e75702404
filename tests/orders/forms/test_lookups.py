"""The lookups registry: each entry names its selector, an address that exists, and its field."""

import pytest
from django.urls import reverse

from orders.forms.entry import OrderForm
from orders.forms.lookups import LOOKUPS, REGISTRY
from orders.selectors import catalogue


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_lookup_names_a_catalogue_selector_and_an_address(name):
    lookup = REGISTRY[name]

    assert lookup.selector is getattr(catalogue, lookup.selector.__name__)
    assert reverse(lookup.url_name).startswith("/orders/new/lookups/")
    assert lookup.title


def test_the_header_s_lookups_are_fields_of_the_entry_form():
    for id_name, lookup in LOOKUPS.items():
        assert id_name in OrderForm.base_fields
        assert lookup.label_name in OrderForm.base_fields
        assert lookup.kind in ("search", "choice")
    assert "product_id" not in LOOKUPS


def test_a_lookup_that_needs_a_param_reads_it():
    for lookup in REGISTRY.values():
        if lookup.needs:
            assert lookup.needs in lookup.params
            assert lookup.note
