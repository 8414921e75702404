"""A delivery address in Clarus's words (CONTRACT.md §4), and its answers read, with httpx's
MockTransport standing in for the network."""

import json

import httpx
import pytest

from orders.clarus.delivery_addresses import (
    address_answer,
    delivery_address_create,
    delivery_address_document,
)
from orders.domain import AnswerKind, DeliveryAddress
from tests.clarus_spec import request_schema


def transport(answer):
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return answer(request)

    return httpx.MockTransport(handle)


@pytest.fixture
def tenant(make_tenant):
    return make_tenant(
        api_base_url="http://clarus.test", token_url="http://clarus.test/oauth/token"
    )


def test_the_document_is_the_specs_with_town_and_county_where_clarus_keeps_them():
    address = DeliveryAddress(
        name="Amelia Smith",
        address_1="12 Park Road",
        town="Leeds",
        county="West Yorkshire",
        postcode="LS6 2AB",
        country="GB",
        phone="0113 496 0123",
    )

    document = delivery_address_document(code="DESK-7", customer_id=42, address=address)

    request_schema("/api/delivery_addresses", "post").validate(document)
    assert document["data"]["attributes"] == {
        "code": "DESK-7",
        "name": "Amelia Smith",
        "address_1": "12 Park Road",
        "address_3": "Leeds",
        "address_4": "West Yorkshire",
        "postcode": "LS6 2AB",
        "country_code": "GB",
        "phone_number": "0113 496 0123",
        "customer_id": 42,
    }


@pytest.mark.parametrize("status", [200, 201])
def test_an_answer_with_an_id_is_a_saved_address(tenant, status):
    def created(request):
        return httpx.Response(status, json={"data": {"id": "771", "type": "delivery_addresses"}})

    exchanges, answers = delivery_address_create(
        tenant=tenant, document={"data": {}}, transport=transport(created)
    )

    assert [a.kind for a in answers] == [AnswerKind.CREATED]
    assert answers[0].clarus_id == "771"
    assert exchanges[0].url == "http://clarus.test/api/delivery_addresses"


def test_a_422_is_refused_in_the_forms_words(tenant):
    def refused(request):
        body = {
            "errors": [
                {"code": 1003, "symbol": "too_long", "details": "Too long.", "source": "postcode"}
            ]
        }
        return httpx.Response(422, json=body)

    _exchanges, answers = delivery_address_create(
        tenant=tenant, document={"data": {}}, transport=transport(refused)
    )

    assert answers[0].kind == AnswerKind.REFUSED
    assert [r.details for r in answers[0].refusals] == ["Postcode: Too long."]


def test_a_timeout_may_have_arrived(tenant):
    def slow(request):
        raise httpx.ReadTimeout("slow", request=request)

    exchanges, answers = delivery_address_create(
        tenant=tenant, document={"data": {}}, transport=transport(slow)
    )

    assert answers[0].kind == AnswerKind.NO_ANSWER
    assert exchanges[0].status is None
    assert json.loads(exchanges[0].request_body) == {"data": {}}
    assert address_answer(exchanges[0]).kind == AnswerKind.NO_ANSWER
