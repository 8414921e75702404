"""Builders for sandbox tests: valid goods-out documents, edits to them by path, PKCE pairs."""

import base64
import copy
import hashlib
import secrets
from typing import Any
from urllib.parse import urlencode

CLIENT_ID = "desk"
CLIENT_SECRET = "desk-secret-0123456789"
GOODS_OUTS = "/sandbox/api/goods_outs"
AUTHORIZE = "/sandbox/oauth/authorize"
TOKEN = "/sandbox/oauth/token"
REVOKE = "/sandbox/oauth/revoke"
FORM = "application/x-www-form-urlencoded"
REDIRECT_URI = "https://desk.example/oauth/callback"
USERNAME = "jo"
PASSWORD = "jo-password-123"
# Marks a member for edited() to delete.
REMOVE = object()


def goods_out_document(product_ids: tuple[int, int] = (123, 456)) -> dict[str, Any]:
    """Return a valid create document with two lines and a delivery address.

    A subdomain with a catalogue refuses unknown products: give it two of its ``product_ids``.
    """
    first, second = product_ids
    return {
        "data": {
            "type": "goods_outs",
            "attributes": {
                "goods_out_type": "sales_order",
                "account_id": 1,
                "reference": "SO-1001",
                "expected_date_of_dispatch": "2026-03-02T09:00:00+00:00",
                "warehouse_id": 3,
                "priority": 5,
                "lines_changes": [
                    {"type": "ADD", "attributes": {"product_id": first, "order_quantity": 2}},
                    {"type": "ADD", "attributes": {"product_id": second, "order_quantity": 1.5}},
                ],
            },
            "relationships": {
                "address": {
                    "data": {
                        "type": "addresses",
                        "attributes": {
                            "name": "Jo Bloggs",
                            "address_1": "1 High Street",
                            "address_3": "Leeds",
                            "postcode": "LS1 1AA",
                            "country_code": "GB",
                            "email_address": "jo@example.com",
                            "phone_number": "+44 113 496 0000",
                        },
                    }
                }
            },
        }
    }


def edited(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``document`` with the member at dotted ``path`` set (or REMOVEd).

    Numeric parts index lists: ``data.attributes.lines_changes.0.type``.
    """
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    key: Any = int(last) if isinstance(node, list) else last
    if value is REMOVE:
        del node[key]
    else:
        node[key] = value
    return result


def pkce_pair() -> tuple[str, str]:
    """Return a fresh code verifier and its S256 challenge (RFC 7636 §4.1-4.2)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(challenge: str, **overrides: str | None) -> str:
    """Return an authorization request URL for the test client; None leaves a parameter out."""
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "state-123",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return f"{AUTHORIZE}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def basic_auth(client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> dict[str, str]:
    """Return HTTP Basic client authentication headers."""
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def post_form(
    client: Any, path: str, params: dict[str, str], headers: dict[str, str] | None = None
) -> Any:
    """POST ``params`` form-encoded, as OAuth clients do (the test client sends dicts raw)."""
    return client.post(path, urlencode(params), content_type=FORM, headers=headers or {})
