"""Clarus's saved delivery addresses in the stand-in: ``POST /api/delivery_addresses``.

Checks a create document the way the spec's request schema says Clarus does (required ``code``
of at most 50 characters and ``name``; every other attribute typed, bounded and nullable as the
spec says; nothing the spec does not define), stores it under the subdomain, and answers as the
spec's 200 does: the new record's id (a string there) with its attributes. Error codes and
sources are the goods-out validator's (``sandbox.validation``); sources name the attribute.
"""

from collections.abc import Mapping
from typing import Any

from django.http import JsonResponse

from sandbox.goods_out_schema import BOOLEAN, INTEGER, STRING, Rule
from sandbox.models import SandboxDeliveryAddress, SandboxSubdomain
from sandbox.validation import Code, Problem, Where, _missing, _resource_type, members_problems

# Spec: createDeliveryAddress's request body, data.attributes.
DELIVERY_ADDRESS_RULES: dict[str, Rule] = {
    "name": Rule("string", nullable=False),
    "code": Rule("string", nullable=False, max_length=50),
    **{f"address_{n}": Rule("string", max_length=80) for n in range(1, 6)},
    "postcode": Rule("string", max_length=10),
    "country_code": Rule("string", max_length=6),
    "email_address": Rule("string", max_length=254),
    "phone_number": Rule("string", max_length=50),
    "default_notes": STRING,
    "is_active": Rule("boolean", nullable=False),
    "external_delivery_id": STRING,
    "external_system_reference1": STRING,
    "external_system_reference2": STRING,
    "external_system_reference3": STRING,
    "customer_id": INTEGER,
}
DELIVERY_ADDRESS_REQUIRED = ("code", "name")
assert BOOLEAN.kind == "boolean"

ATTRIBUTES = Where()


def delivery_address_create_problems(document: object) -> list[Problem]:
    """Return every reason Clarus would refuse ``document`` as a new delivery address."""
    if not isinstance(document, dict):
        return [Problem(Code.INVALID_JSON, "The request body must be a JSON object.", None)]
    data = document.get("data")
    if data is None:
        return [Problem(Code.REQUIRED, "The document must have a data object.", "data")]
    if not isinstance(data, dict):
        return [Problem(Code.INVALID_TYPE, "data must be an object.", "data")]
    problems = [
        Problem(Code.UNKNOWN_ATTRIBUTE, f"data.{name} is not allowed here.", f"data.{name}")
        for name in data
        if name not in ("type", "attributes")
    ]
    problems += _resource_type(data.get("type"), "delivery_addresses", "data.type")
    attributes = data.get("attributes")
    if attributes is None:
        return [
            *problems,
            Problem(Code.REQUIRED, "data.attributes is required.", "data.attributes"),
        ]
    if not isinstance(attributes, dict):
        return [
            *problems,
            Problem(Code.INVALID_TYPE, "data.attributes must be an object.", "data.attributes"),
        ]
    problems += members_problems(
        attributes, DELIVERY_ADDRESS_RULES, ATTRIBUTES, "a delivery-address attribute"
    )
    problems += _missing(attributes, DELIVERY_ADDRESS_REQUIRED, ATTRIBUTES)
    return problems


def delivery_address_create(
    *, subdomain: SandboxSubdomain, attributes: Mapping[str, Any]
) -> SandboxDeliveryAddress:
    """Store a delivery address that passed validation."""
    return SandboxDeliveryAddress.objects.create(
        subdomain=subdomain,
        code=attributes["code"],
        customer_id=attributes.get("customer_id"),
        attributes=dict(attributes),
    )


def delivery_address_created(address: SandboxDeliveryAddress) -> JsonResponse:
    """Answer 200 with the new id (a string, as the spec's example) and the attributes."""
    return JsonResponse(
        {
            "data": {
                "id": str(address.pk),
                "type": "delivery_addresses",
                "attributes": address.attributes,
            }
        }
    )
