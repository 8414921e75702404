"""The endpoint: credentials like REST, GraphQL errors in a 200, request mistakes in a 400."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxAccessToken, SandboxClient
from sandbox.services import access_token_issue
from tests.sandbox.graphql.conftest import GRAPHQL, Ask

QUERY = "{ accounts { all { edges { node { code } } } } }"
FILTERED = "query($f: AccountFilterType) { accounts { all(filter: $f) { edges { cursor } } } }"


@pytest.fixture
def acme_token(make_client: Callable[..., SandboxClient]) -> str:
    return access_token_issue(client=make_client())[1]


def test_answers_a_query_for_the_tenant(ask: Ask) -> None:
    result = ask(QUERY)

    assert result == {
        "data": {
            "accounts": {
                "all": {
                    "edges": [
                        {"node": {"code": "ACME"}},
                        {"node": {"code": "NORTHWIND"}},
                        {"node": {"code": "BLUEBIRD"}},
                        {"node": {"code": "KITE"}},
                    ]
                }
            }
        }
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Clarus-Subdomain": "acme"},
        {"Authorization": "Bearer not-a-token", "X-Clarus-Subdomain": "acme"},
        {"Authorization": "Basic ZGVzazpzZWNyZXQ=", "X-Clarus-Subdomain": "acme"},
    ],
)
def test_without_a_valid_bearer_token_is_401_like_rest(
    client: Client, db: Any, headers: dict[str, str]
) -> None:
    response = client.post(
        GRAPHQL, {"query": QUERY}, content_type="application/json", headers=headers
    )

    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client: Client, acme_token: str) -> None:
    SandboxAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(
        GRAPHQL,
        {"query": QUERY},
        content_type="application/json",
        headers={"Authorization": f"Bearer {acme_token}", "X-Clarus-Subdomain": "acme"},
    )

    assert response.status_code == 401
    assert "expired" in response.json()["error"]


@pytest.mark.parametrize("subdomain", [None, "nowhere", "other"])
def test_missing_unknown_or_foreign_subdomain_is_401(
    client: Client, acme_token: str, make_client: Callable[..., SandboxClient], subdomain: str
) -> None:
    make_client(subdomain="other", client_id="other-desk")
    headers = {"Authorization": f"Bearer {acme_token}"}
    if subdomain:
        headers["X-Clarus-Subdomain"] = subdomain

    response = client.post(
        GRAPHQL, {"query": QUERY}, content_type="application/json", headers=headers
    )

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_get_is_not_allowed(client: Client, db: Any) -> None:
    assert client.get(GRAPHQL).status_code == 405


def test_needs_no_csrf_token(acme_token: str) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        GRAPHQL,
        {"query": QUERY},
        content_type="application/json",
        headers={"Authorization": f"Bearer {acme_token}", "X-Clarus-Subdomain": "acme"},
    )

    assert response.status_code == 200


def test_syntax_error_is_a_200_with_errors_and_no_data(ask: Ask) -> None:
    result = ask("{ accounts { all { edges { node { code } } }")

    assert "data" not in result
    [error] = result["errors"]
    assert error["message"].startswith("Syntax Error")
    assert error["locations"]


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        ("{ accounts { all { edges { node { colour } } } } }", {}, "Cannot query field 'colour'"),
        ("{ accounts { everything { edges { node { id } } } } }", {}, "Cannot query field"),
        (FILTERED, {"f": {"code": {"contains": "A"}}}, "contains"),
        (FILTERED, {"f": {"is_short_pickable": {}}}, "eq"),
        ('{ accounts { all(first: "ten") { edges { node { id } } } } }', {}, "Int"),
        ("mutation { accounts { all { edges { node { id } } } } }", {}, "mutation"),
    ],
)
def test_validation_errors_are_a_200_with_errors(
    ask: Ask, query: str, variables: dict[str, Any], message: str
) -> None:
    result = ask(query, variables)

    assert "data" not in result
    assert message in " ".join(error["message"] for error in result["errors"])


def test_query_error_keeps_data_null_and_a_path(ask: Ask) -> None:
    result = ask('{ accounts { all(after: "nonsense") { edges { node { id } } } } }')

    assert result["data"] is None
    [error] = result["errors"]
    assert error["path"] == ["accounts", "all"]
    assert "not a cursor" in error["message"]


def test_operation_name_picks_the_operation(ask: Ask) -> None:
    query = (
        "query Accounts { accounts { all { edges { node { code } } } } }"
        " query Carriers { carriers { all { edges { node { code } } } } }"
    )

    result = ask(query, operationName="Carriers")

    assert list(result["data"]) == ["carriers"]


def test_unknown_operation_name_is_a_200_with_errors(ask: Ask) -> None:
    result = ask(QUERY, operationName="Nope")

    assert "data" not in result
    assert "Nope" in result["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "JSON object"),
        (b"{}", "application/json", "query"),
        (b'{"query": "   "}', "application/json", "query"),
        (b'{"query": "{ accounts { all { edges { cursor } } } }", "variables": []}',
         "application/json", "variables"),
        (b'{"query": "{ accounts { all { edges { cursor } } } }", "operationName": 1}',
         "application/json", "operationName"),
        (b"query=%7B%7D", "application/x-www-form-urlencoded", "application/json"),
    ],
)  # fmt: skip
def test_a_body_that_is_no_graphql_request_is_400(
    client: Client, acme_token: str, body: bytes, content_type: str, message: str
) -> None:
    response = client.post(
        GRAPHQL,
        body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {acme_token}", "X-Clarus-Subdomain": "acme"},
    )

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert message in error["message"]


def test_introspection_shows_snake_case_fields_and_clarus_filter_types(ask: Ask) -> None:
    result = ask('{ __type(name: "ProductsFilterType") { inputFields { name type { name } } } }')

    fields = {
        field["name"]: field["type"]["name"] for field in result["data"]["__type"]["inputFields"]
    }
    assert fields["all_codes"] == "StringInputType"
    assert fields["account_id"] == "IdInputType"
