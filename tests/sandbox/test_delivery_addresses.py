"""The sandbox's ``POST /api/delivery_addresses`` against Clarus's spec: what it takes, what it
refuses (422, with the attribute named), and its answer."""

from typing import Any

import pytest

from sandbox.delivery_addresses import (
    DELIVERY_ADDRESS_REQUIRED,
    DELIVERY_ADDRESS_RULES,
    delivery_address_create_problems,
)
from sandbox.models import SandboxDeliveryAddress
from tests.clarus_spec import operation, request_example, request_schema, response_schema

PATH = "/api/delivery_addresses"


def document(**attributes: Any) -> dict[str, Any]:
    base = {"code": "DESK-1", "name": "Amelia Smith", "postcode": "LS6 2AB", "customer_id": 42}
    return {"data": {"type": "delivery_addresses", "attributes": {**base, **attributes}}}


def test_the_rules_are_the_specs_own():
    schema = operation(PATH, "post")["requestBody"]["content"]["application/json"]["schema"]
    attributes = schema["properties"]["data"]["properties"]["attributes"]
    assert set(DELIVERY_ADDRESS_RULES) == set(attributes["properties"])
    assert set(DELIVERY_ADDRESS_REQUIRED) == set(attributes["required"])
    for name, rule in DELIVERY_ADDRESS_RULES.items():
        spec = attributes["properties"][name]
        assert rule.max_length == spec.get("maxLength"), name
        assert rule.nullable == spec.get("nullable", False), name


def test_the_specs_example_is_taken_and_answered_as_the_spec_says(post_goods_out):
    example = request_example(PATH, "post")
    assert delivery_address_create_problems(example) == []

    response = post_goods_out(example, path="/sandbox" + PATH)

    assert response.status_code == 200
    response_schema(PATH, "post", 200).validate(response.json())
    saved = SandboxDeliveryAddress.objects.get()
    assert response.json()["data"]["id"] == str(saved.pk)
    assert saved.customer_id == 42
    assert saved.attributes == example["data"]["attributes"]


@pytest.mark.parametrize(
    ("attributes", "source", "code"),
    [
        ({"code": None}, "code", 1001),
        ({"name": ""}, "name", 1001),
        ({"code": "X" * 51}, "code", 1003),
        ({"address_1": "x" * 81}, "address_1", 1003),
        ({"postcode": "LS6 2AB 123"}, "postcode", 1003),
        ({"customer_id": "42"}, "customer_id", 1002),
        ({"is_active": None}, "is_active", 1001),
        ({"town": "Leeds"}, "town", 1007),
    ],
)
def test_what_the_spec_does_not_allow_is_refused_with_its_attribute_named(
    post_goods_out, attributes, source, code
):
    body = document(**attributes)
    # The spec's schema refuses them too, but for two the sandbox is stricter, as for goods-outs
    # (sandbox.validation): a blank required text is missing, and an unknown attribute is refused.
    assert request_schema(PATH, "post").is_valid(body) == (source in ("name", "town"))

    response = post_goods_out(body, path="/sandbox" + PATH)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(error["source"], error["code"]) for error in errors] == [(source, code)]
    assert SandboxDeliveryAddress.objects.count() == 0


def test_a_missing_name_and_a_wrong_type_are_refused(post_goods_out):
    body = {"data": {"type": "addresses", "attributes": {"code": "DESK-1"}}}

    response = post_goods_out(body, path="/sandbox" + PATH)

    assert response.status_code == 422
    sources = {error["source"] for error in response.json()["errors"]}
    assert sources == {"data.type", "name"}


def test_no_token_no_address(post_goods_out):
    response = post_goods_out(document(), path="/sandbox" + PATH, bearer="not-a-token")

    assert response.status_code == 401
    assert SandboxDeliveryAddress.objects.count() == 0
