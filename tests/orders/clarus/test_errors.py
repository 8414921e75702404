"""Reading what Clarus says when it refuses: the field each 422 error names, and the errors of a
kept body as the order page and the dashboard read them."""

import json

import pytest

from orders.clarus.errors import source_target
from orders.domain import FieldRef
from orders.selectors.dashboard import clarus_errors
from tests.orders.selectors.test_dashboard import error, rejection


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("reference", FieldRef("header", "reference")),
        ("expected_date_of_dispatch", FieldRef("header", "expected_date_of_dispatch")),
        ("lines_changes[2].order_quantity", FieldRef("line", "quantity", 2)),
        ("lines_changes[0].product_id", FieldRef("line", "product_id", 0)),
        ("lines_changes[n].product_id", FieldRef("line", "product_id", None)),
        ("address.postcode", FieldRef("address", "postcode")),
        ("address.address_3", FieldRef("address", "town")),
        ("address.country_code", FieldRef("address", "country")),
        ("lines_changes[x].product_id", None),
        ("lines_changes[1].stock_configuration", None),
        ("address.code", None),
        ("data.type", None),
        ("", None),
        (None, None),
    ],
)
def test_error_source_maps_to_form_field(source, expected):
    assert source_target(source) == expected


# Run again on PostgreSQL, as it was among the dashboard's tests.
@pytest.mark.postgres
def test_clarus_errors_read_what_clarus_sends_and_forgive_the_rest():
    assert clarus_errors(rejection(error("x", "lines_changes[12].quantity", 5, "Too many."))) == [
        (5, "x", "Too many.", "lines_changes[n].quantity")
    ]
    assert clarus_errors(json.dumps({"errors": [{"details": "Odd", "code": True}]})) == [
        (None, "", "Odd", "")
    ]
    for body in ("", "[]", '{"errors": []}', '{"errors": "no"}', "null", "{"):
        assert clarus_errors(body) == [
            (None, "", "Clarus rejected the order without saying why.", "")
        ]
