"""A seeded catalogue per test module, and a client that asks the sandbox GraphQL questions."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from sandbox.catalogue import Product
from sandbox.models import SandboxClient
from sandbox.seed import catalogue_seed
from sandbox.services import access_token_issue

GRAPHQL = "/sandbox/graphql"
# Seeding 300 products takes a tenth of a second; a module may ask for more.
DEFAULT_PRODUCTS = 300


@dataclass(frozen=True)
class Catalogue:
    """The two seeded tenants: ``acme`` is queried, ``other`` must never show."""

    products: list[Product]
    other_products: list[Product]


@pytest.fixture(scope="module")
def seeded(
    request: pytest.FixtureRequest, django_db_setup: Any, django_db_blocker: Any
) -> Iterator[Catalogue]:
    """Seed acme and other once for the module, in a transaction rolled back after it.

    Each test's own transaction nests inside it, so tests still cannot see each other's writes.
    """
    products = getattr(request.module, "CATALOGUE_PRODUCTS", DEFAULT_PRODUCTS)
    with django_db_blocker.unblock(), transaction.atomic():
        catalogue_seed(subdomain="acme", products=products, seed=1)
        catalogue_seed(subdomain="other", products=40, seed=2)
        yield Catalogue(
            products=list(Product.objects.filter(subdomain__slug="acme").order_by("pk")),
            other_products=list(Product.objects.filter(subdomain__slug="other").order_by("pk")),
        )
        transaction.set_rollback(True)


Ask = Callable[..., dict[str, Any]]


@pytest.fixture
def ask(seeded: Catalogue, client: Client, make_client: Callable[..., SandboxClient]) -> Ask:
    """Return a function that POSTs a query as a tenant's desk would and returns the JSON."""
    tokens = {
        subdomain: access_token_issue(
            client=make_client(subdomain=subdomain, client_id=f"{subdomain}-desk")
        )[1]
        for subdomain in ("acme", "other")
    }

    def post(
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        subdomain: str = "acme",
        status: int = 200,
        **body: Any,
    ) -> dict[str, Any]:
        response = client.post(
            GRAPHQL,
            {"query": query, "variables": variables or {}, **body},
            content_type="application/json",
            headers={
                "Authorization": f"Bearer {tokens[subdomain]}",
                "X-Clarus-Subdomain": subdomain,
            },
        )
        assert response.status_code == status, response.content
        result: dict[str, Any] = response.json()
        return result

    return post


# The filter type each resource's all() takes, as Clarus's example queries declare them.
FILTER_TYPES = {
    "accounts": "AccountFilterType",
    "account_warehouses": "AccountWarehouseFilterType",
    "warehouses": "WarehouseFilterType",
    "products": "ProductsFilterType",
    "account_products": "AccountProductFilterType",
    "stock_balances": "StockBalancesFilterType",
    "carriers": "CarrierFilterType",
    "carrier_services": "CarrierServiceFilterType",
    "customers": "CustomerFilterType",
    "order_types": "OrderTypeFilterType",
    "goods_outs": "GoodsOutsFilterType",
    "goods_out_lines": "GoodsOutLineFilterType",
}


def listing(resource: str, fields: str, *, page_size: int = 100) -> str:
    """Return a query for one page of ``resource`` with ``$filter`` and ``$after``."""
    return (
        f"query($filter: {FILTER_TYPES[resource]}, $after: String) {{ {resource} {{"
        f" all(filter: $filter, first: {page_size}, after: $after) {{"
        f" edges {{ cursor node {{ {fields} }} }}"
        " pageInfo { hasNextPage endCursor hasPreviousPage startCursor } } } }"
    )


def fetch_all(
    ask: Ask,
    resource: str,
    fields: str = "id",
    row_filter: dict[str, Any] | None = None,
    *,
    subdomain: str = "acme",
    page_size: int = 100,
) -> list[dict[str, Any]]:
    """Return every node of ``resource`` matching ``row_filter``, following the cursors."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        result = ask(
            listing(resource, fields, page_size=page_size),
            {"filter": row_filter, "after": after},
            subdomain=subdomain,
        )
        assert "errors" not in result, result["errors"]
        page = result["data"][resource]["all"]
        nodes += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["id"] for node in nodes]
