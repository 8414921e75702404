"""Speed over a full demo catalogue: one SQL query per page, a few milliseconds per lookup."""

import time
from collections.abc import Callable
from typing import Any

import pytest

from sandbox.graphql.view import GraphQLRequest, graphql_execute
from sandbox.models import SandboxSubdomain
from tests.sandbox.factories import goods_out_document
from tests.sandbox.graphql.conftest import Catalogue, listing

CATALOGUE_PRODUCTS = 5000
# Generous for a slow CI machine; on a laptop these take 1 to 5 ms.
BUDGET_SECONDS = 0.05


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


def fastest(
    acme: SandboxSubdomain, query: str, variables: dict[str, Any], repeat: int = 5
) -> float:
    """Return the best of ``repeat`` timings, which is what the query itself costs."""
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(acme, query, variables)
        timings.append(time.perf_counter() - started)
    return min(timings)


@pytest.mark.parametrize(
    "row_filter",
    [
        {"description": {"ilike": "%blue%mug%"}},
        {"description": {"ilike": "ceramic"}},
        {"code": {"ilike": "mug-blu"}},
        {"code": {"ilike": "%-4999"}},
    ],
)
def test_typeahead_over_5000_products_takes_milliseconds(
    seeded: Catalogue, acme: SandboxSubdomain, row_filter: dict[str, Any]
) -> None:
    query = listing("products", "id code description", page_size=20)

    seconds = fastest(acme, query, {"filter": row_filter})

    assert len(seeded.products) == CATALOGUE_PRODUCTS
    assert seconds < BUDGET_SECONDS, f"{seconds * 1000:.1f} ms"


@pytest.mark.parametrize("field", ["code", "barcode", "all_codes"])
def test_exact_code_lookup_takes_milliseconds(
    seeded: Catalogue, acme: SandboxSubdomain, field: str
) -> None:
    row = seeded.products[-1]
    value = row.code if field == "code" else row.barcode
    query = listing("products", "id code", page_size=5)

    seconds = fastest(acme, query, {"filter": {field: {"eq": value}}})

    [edge] = run(acme, query, {"filter": {field: {"eq": value}}})["data"]["products"]["all"][
        "edges"
    ]
    assert edge["node"]["code"] == row.code
    assert seconds < BUDGET_SECONDS, f"{seconds * 1000:.1f} ms"


def test_goods_out_by_reference_takes_milliseconds(
    acme: SandboxSubdomain, post_goods_out: Callable[..., Any]
) -> None:
    for number in range(30):
        document = goods_out_document()
        document["data"]["attributes"]["reference"] = f"SO-{number}"
        post_goods_out(document)
    query = listing("goods_outs", "id reference goods_out_status { code }", page_size=5)

    seconds = fastest(acme, query, {"filter": {"reference": {"eq": "SO-1"}}})

    assert seconds < BUDGET_SECONDS, f"{seconds * 1000:.1f} ms"


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
