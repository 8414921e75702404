"""The sandbox against Clarus's own spec: its example, its schemas, its attribute lists."""

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.goods_out_schema import (
    ADDRESS_READ_ONLY,
    ADDRESS_RULES,
    HEADER_REQUIRED,
    HEADER_RULES,
    LINE_RULES,
    Rule,
)
from sandbox.validation import goods_out_create_problems
from tests.clarus_spec import component, request_example, request_schema, response_schema
from tests.sandbox.factories import edited, goods_out_document

GOODS_OUTS = "/api/goods_outs"
Post = Callable[..., Any]


def test_spec_request_example_is_accepted_by_the_validator() -> None:
    assert goods_out_create_problems(request_example(GOODS_OUTS, "post")) == []


def test_spec_request_example_is_stored_and_answered_as_the_spec_says(
    post_goods_out: Post,
) -> None:
    response = post_goods_out(request_example(GOODS_OUTS, "post"))

    assert response.status_code == 200
    response_schema(GOODS_OUTS, "post", 200).validate(response.json())


def test_factory_document_is_valid_for_the_spec_too() -> None:
    request_schema(GOODS_OUTS, "post").validate(goods_out_document())


def test_every_attribute_set_is_valid_for_both(post_goods_out: Post) -> None:
    document = goods_out_document()
    attributes = document["data"]["attributes"]
    for name, rule in HEADER_RULES.items():
        if name not in attributes:
            attributes[name] = sample(rule)
    line = attributes["lines_changes"][0]["attributes"]
    for name, rule in LINE_RULES.items():
        line.setdefault(name, sample(rule))

    assert goods_out_create_problems(document) == []
    request_schema(GOODS_OUTS, "post").validate(document)
    response = post_goods_out(document)
    response_schema(GOODS_OUTS, "post", 200).validate(response.json())


def test_nullable_attributes_set_to_null_are_valid_for_both() -> None:
    document = goods_out_document()
    attributes = document["data"]["attributes"]
    attributes.update({name: None for name, rule in HEADER_RULES.items() if rule.nullable})

    assert goods_out_create_problems(document) == []
    request_schema(GOODS_OUTS, "post").validate(document)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("data.attributes.priority", 100),
        ("data.attributes.reference", "R" * 51),
        ("data.attributes.account_id", "1"),
        ("data.attributes.goods_out_type", "retail"),
        ("data.attributes.expected_date_of_dispatch", "2026-03-02T09:00"),
        ("data.attributes.lines_changes.0.attributes.order_quantity", 0),
        ("data.attributes.lines_changes.0.type", "REMOVE"),
        ("data.relationships.address.data.attributes.postcode", "X" * 11),
        ("data.relationships.address.data.attributes.code", "HOME"),
        ("data.type", "goods_out"),
    ],
)
def test_what_the_spec_refuses_the_sandbox_refuses(path: str, value: Any) -> None:
    document = edited(goods_out_document(), path, value)

    assert not request_schema(GOODS_OUTS, "post").is_valid(document)
    assert goods_out_create_problems(document)


def test_422_and_401_answers_match_the_spec(post_goods_out: Post) -> None:
    invalid = post_goods_out(edited(goods_out_document(), "data.attributes.priority", 0))
    unauthorized = post_goods_out(goods_out_document(), bearer="nope")

    assert invalid.status_code == 422
    response_schema(GOODS_OUTS, "post", 422).validate(invalid.json())
    assert unauthorized.status_code == 401
    response_schema(GOODS_OUTS, "post", 401).validate(unauthorized.json())


def test_header_rules_cover_the_spec_attributes() -> None:
    schema = component("GoodsOutAttributes")

    assert set(HEADER_RULES) | {"lines_changes"} == set(schema["properties"])
    assert set(HEADER_REQUIRED) == set(schema["required"])
    assert_rules_match(HEADER_RULES, schema["properties"])


def test_line_rules_cover_the_spec_attributes() -> None:
    properties = component("GoodsOutLineChange")["properties"]["attributes"]["properties"]

    assert set(LINE_RULES) == set(properties)
    assert_rules_match(LINE_RULES, properties)


def test_address_rules_cover_the_spec_fields() -> None:
    properties = component("Address")["properties"]

    assert set(ADDRESS_RULES) | set(ADDRESS_READ_ONLY) == set(properties)
    assert_rules_match(ADDRESS_RULES, properties)
    assert all(properties[name].get("readOnly") for name in ADDRESS_READ_ONLY)


def assert_rules_match(rules: dict[str, Rule], properties: dict[str, Any]) -> None:
    """Assert each rule's enum, length, bounds and nullability are the spec's."""
    for name, rule in rules.items():
        schema = properties[name]
        choices = tuple(choice for choice in schema.get("enum", ()) if choice is not None)
        assert choices == rule.choices, name
        assert schema.get("maxLength") == rule.max_length, name
        assert schema.get("minimum") == rule.minimum, name
        assert schema.get("maximum") == rule.maximum, name
        assert bool(schema.get("exclusiveMinimum")) == rule.exclusive_minimum, name
        assert bool(schema.get("nullable")) == rule.nullable, name
        expected_kind = "datetime" if schema.get("format") == "date-time" else schema["type"]
        assert rule.kind == expected_kind, name


def sample(rule: Rule) -> Any:
    """Return a valid value for ``rule``."""
    if rule.choices:
        return rule.choices[-1]
    return {
        "string": "x",
        "integer": max(rule.minimum or 1, 1),
        "number": 1.5,
        "boolean": True,
        "datetime": "2026-03-02T09:00:00+01:00",
    }[rule.kind]
