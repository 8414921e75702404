"""Cost over a full demo catalogue: one SQL query per lookup and per page, whatever its size.

Timings are the benches' business (`bench/lookups` measures suggestions through the desk against a
5,000-product sandbox); these tests pin what makes them fast: the number of queries.
"""

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.graphql.view import GraphQLRequest, graphql_execute
from sandbox.models import SandboxSubdomain
from tests.sandbox.factories import goods_out_document
from tests.sandbox.graphql.conftest import Catalogue, listing

CATALOGUE_PRODUCTS = 5000


@pytest.fixture
def acme(seeded: Catalogue) -> SandboxSubdomain:
    return SandboxSubdomain.objects.get(slug="acme")


def run(
    acme: SandboxSubdomain, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Run a query for acme without HTTP or authentication: what GraphQL itself costs."""
    result = graphql_execute(GraphQLRequest(query, variables, None), subdomain=acme)
    assert "errors" not in result, result["errors"]
    return result


@pytest.mark.parametrize(
    "row_filter",
    [
        {"description": {"ilike": "%blue%mug%"}},
        {"description": {"ilike": "ceramic"}},
        {"code": {"ilike": "mug-blu"}},
        {"code": {"ilike": "%-4999"}},
    ],
)
def test_typeahead_over_5000_products_is_one_query(
    seeded: Catalogue,
    acme: SandboxSubdomain,
    django_assert_num_queries: Any,
    row_filter: dict[str, Any],
) -> None:
    query = listing("products", "id code description", page_size=20)

    with django_assert_num_queries(1):
        edges = run(acme, query, {"filter": row_filter})["data"]["products"]["all"]["edges"]

    assert len(seeded.products) == CATALOGUE_PRODUCTS
    assert 0 < len(edges) <= 20


@pytest.mark.parametrize("field", ["code", "barcode", "all_codes"])
def test_exact_code_lookup_is_one_query(
    seeded: Catalogue, acme: SandboxSubdomain, django_assert_num_queries: Any, field: str
) -> None:
    row = seeded.products[-1]
    value = row.code if field == "code" else row.barcode
    query = listing("products", "id code", page_size=5)

    with django_assert_num_queries(1):
        result = run(acme, query, {"filter": {field: {"eq": value}}})

    [edge] = result["data"]["products"]["all"]["edges"]
    assert edge["node"]["code"] == row.code


def test_goods_out_by_reference_is_one_query(
    acme: SandboxSubdomain, post_goods_out: Callable[..., Any], django_assert_num_queries: Any
) -> None:
    for number in range(30):
        document = goods_out_document()
        document["data"]["attributes"]["reference"] = f"SO-{number}"
        post_goods_out(document)
    query = listing("goods_outs", "id reference goods_out_status { code }", page_size=5)

    with django_assert_num_queries(1):
        result = run(acme, query, {"filter": {"reference": {"eq": "SO-1"}}})

    [edge] = result["data"]["goods_outs"]["all"]["edges"]
    assert edge["node"]["reference"] == "SO-1"


NESTED = {
    "stock_balances": "id available product { id code } account { id code } warehouse { id code }",
    "account_products": "id account { id code } product { id code }",
    "account_warehouses": "id account { id code } warehouse { id code }",
    "carrier_services": "id carrier { id code }",
    "goods_out_lines": (
        "id product { id code } carrier { id } goods_out { id reference goods_out_status { code }"
        " account { id code } warehouse { id code } carrier { id code } }"
    ),
    "goods_outs": "id account { id } warehouse { id } carrier { id } goods_out_status { code }",
}


@pytest.mark.parametrize("resource", sorted(NESTED))
def test_a_page_is_one_query_whatever_its_size(
    acme: SandboxSubdomain,
    post_goods_out: Callable[..., Any],
    django_assert_num_queries: Any,
    resource: str,
) -> None:
    for _ in range(3):
        post_goods_out(goods_out_document())
    small = listing(resource, NESTED[resource], page_size=1)
    large = listing(resource, NESTED[resource], page_size=100)
    with django_assert_num_queries(1):
        run(acme, small)
    with django_assert_num_queries(1):
        result = run(acme, large)

    assert len(result["data"][resource]["all"]["edges"]) > 1
