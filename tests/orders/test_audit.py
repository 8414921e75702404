import json

from orders.audit import FieldChange, body_changes


def body(**attributes):
    lines = attributes.pop(
        "lines", [{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 2}}]
    )
    address = attributes.pop("address", {"postcode": "LS1 4AP"})
    return json.dumps(
        {
            "data": {
                "type": "goods_outs",
                "attributes": {"reference": "R-1", **attributes, "lines_changes": lines},
                "relationships": {
                    "address": {"data": {"type": "addresses", "attributes": address}}
                },
            }
        }
    )


def test_changed_added_and_removed_fields_read_like_the_form():
    old = body(priority=0, order_notes="call first")
    new = body(
        priority=5,
        address={"postcode": "LS2 7EU"},
        lines=[{"type": "ADD", "attributes": {"product_id": 1, "order_quantity": 3}}],
    )

    assert body_changes(old, new) == [
        FieldChange("address.postcode", "LS1 4AP", "LS2 7EU"),
        FieldChange("lines_changes[0].attributes.order_quantity", "2", "3"),
        FieldChange("order_notes", "call first", "—"),
        FieldChange("priority", "0", "5"),
    ]


def test_identical_bodies_have_no_changes():
    assert body_changes(body(), body()) == []


def test_bodies_that_are_not_json_compare_as_text():
    assert body_changes("abc", "abd") == [FieldChange("body", "abc", "abd")]
    assert body_changes("abc", "abc") == []
