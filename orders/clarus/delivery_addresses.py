"""Clarus's saved delivery addresses: create one under an end customer (CONTRACT.md §4).

``POST /api/delivery_addresses`` takes a JSON:API document whose attributes require ``code`` (at
most 50 characters) and ``name``; ``customer_id`` puts it under the end customer. Clarus documents
no idempotency key and no GraphQL query to find a delivery address again (CONTRACT.md §3.5, §4),
so whether a request that got no answer arrived cannot be asked: the desk's decisions about that
live in ``orders.services.delivery_addresses``.
"""

from dataclasses import dataclass
from typing import Any

from orders.clarus.documents import ADDRESS_ATTRIBUTES, address_attributes
from orders.clarus.errors import refusals_of, retry_after, status_text
from orders.clarus.http import Transport
from orders.clarus.rest import ClarusExchange, post_json
from orders.domain import AnswerKind, DeliveryAddress, Refusal
from orders.models import Tenant

DELIVERY_ADDRESSES_PATH = "delivery_addresses"
CODE_MAX_LENGTH = 50

# The delivery-address attributes and the form's names for them, for Clarus's reasons.
FIELD_WORDS = {
    "code": "Code",
    "name": "Name or company",
    "address_1": "Address line 1",
    "address_2": "Address line 2",
    "address_3": "Town or city",
    "address_4": "County or region",
    "address_5": "Address line 5",
    "postcode": "Postcode",
    "country_code": "Country",
    "email_address": "Email",
    "phone_number": "Phone",
    "customer_id": "End customer",
}
assert set(ADDRESS_ATTRIBUTES.values()) <= set(FIELD_WORDS)


def delivery_address_document(
    *, code: str, customer_id: int, address: DeliveryAddress
) -> dict[str, Any]:
    """Return the body of ``POST /api/delivery_addresses`` for an address (CONTRACT.md §4).

    The address attributes are the goods-out's own (``address_attributes``: empty fields left
    out), plus the code and the end customer it belongs to.
    """
    attributes: dict[str, Any] = {"code": code[:CODE_MAX_LENGTH], **address_attributes(address)}
    attributes["customer_id"] = customer_id
    return {"data": {"type": "delivery_addresses", "attributes": attributes}}


@dataclass(frozen=True)
class AddressAnswer:
    """What one request to create a delivery address came to."""

    kind: AnswerKind
    # Clarus's id of the new delivery address: a string in the spec's answer.
    clarus_id: str = ""
    refusals: tuple[Refusal, ...] = ()
    retry_after: float | None = None
    problem: str = ""


def _address_id(body: Any) -> str:
    try:
        value = body["data"]["id"]
    except (KeyError, TypeError):
        return ""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return ""
    return str(value)[:CODE_MAX_LENGTH]


def address_answer(exchange: ClarusExchange) -> AddressAnswer:
    """Read one exchange of ``POST delivery_addresses``.

    The spec answers a create with 200 (CONTRACT.md §3.1); a 201 is read the same way.
    """
    if exchange.status is None:
        if exchange.auth_failed:
            return AddressAnswer(AnswerKind.NO_TOKEN, problem=exchange.transport_error)
        if exchange.may_have_arrived:
            return AddressAnswer(AnswerKind.NO_ANSWER, problem=exchange.transport_error)
        return AddressAnswer(AnswerKind.UNREACHABLE, problem=exchange.transport_error)
    body = exchange.json()
    if exchange.status in (200, 201):
        clarus_id = _address_id(body)
        if not clarus_id:
            return AddressAnswer(AnswerKind.NO_ID)
        return AddressAnswer(AnswerKind.CREATED, clarus_id=clarus_id)
    if exchange.status == 422:
        refusals = tuple(
            Refusal(
                details=(
                    f"{FIELD_WORDS[refusal.source]}: {refusal.details}"
                    if refusal.source in FIELD_WORDS
                    else refusal.details
                ),
                code=refusal.code,
                symbol=refusal.symbol,
                source=refusal.source,
            )
            for refusal in refusals_of(body)
        )
        return AddressAnswer(AnswerKind.REFUSED, refusals=refusals)
    if exchange.status == 401:
        return AddressAnswer(AnswerKind.UNAUTHORIZED, problem="Clarus refused the desk's access.")
    if exchange.status == 429:
        return AddressAnswer(
            AnswerKind.THROTTLED,
            problem=f"Clarus asked the desk to slow down ({status_text(exchange)}).",
            retry_after=retry_after(exchange),
        )
    return AddressAnswer(
        AnswerKind.SERVER_ERROR,
        problem=f"Clarus answered with an error ({status_text(exchange)}).",
    )


def delivery_address_create(
    *, tenant: Tenant, document: dict[str, Any], transport: Transport | None = None
) -> tuple[list[ClarusExchange], list[AddressAnswer]]:
    """Send the document; return every exchange it took, each with what it came to."""
    exchanges = post_json(tenant, DELIVERY_ADDRESSES_PATH, document, transport=transport)
    return exchanges, [address_answer(exchange) for exchange in exchanges]
