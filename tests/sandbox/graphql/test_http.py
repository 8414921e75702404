"""GraphQL over real HTTP, as the desk asks it: a client-credentials token, then httpx."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.catalogue import Product
from sandbox.models import SandboxClient
from sandbox.seed import catalogue_seed
from tests.sandbox.factories import CLIENT_ID, CLIENT_SECRET, goods_out_document

FIND = (
    "query($filter: ProductsFilterType) { products { all(filter: $filter, first: 5) {"
    " edges { node { id code } } } } }"
)
BY_REFERENCE = (
    "query($filter: GoodsOutsFilterType) { goods_outs { all(filter: $filter, first: 2) {"
    " edges { node { id reference goods_out_status { code } } } } } }"
)


@pytest.fixture
def http(
    live_server: Any, transactional_db: Any, make_client: Callable[..., SandboxClient]
) -> httpx.Client:
    """Return an httpx client for the live sandbox, holding a client-credentials token."""
    make_client()
    catalogue_seed(subdomain="acme", products=20)
    base_url = f"{live_server.url}/sandbox"
    token = httpx.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    ).json()["access_token"]
    return httpx.Client(
        base_url=base_url,
        timeout=10,
        headers={"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": "acme"},
    )


def test_product_lookup_and_goods_out_by_reference(http: httpx.Client) -> None:
    product = Product.objects.order_by("pk")[4]

    with http:
        found = http.post("/graphql", json={"query": FIND, "variables": {
            "filter": {"all_codes": {"eq": product.barcode}}}})  # fmt: skip
        document = goods_out_document(product_ids=(product.pk, product.pk))
        created = http.post("/api/goods_outs", json=document)
        order = http.post("/graphql", json={"query": BY_REFERENCE, "variables": {
            "filter": {"reference": {"eq": "SO-1001"}}}})  # fmt: skip

    assert found.status_code == 200
    assert found.json()["data"]["products"]["all"]["edges"] == [
        {"node": {"id": str(product.pk), "code": product.code}}
    ]
    assert order.json() == {
        "data": {
            "goods_outs": {
                "all": {
                    "edges": [
                        {
                            "node": {
                                "id": str(created.json()["data"]["id"]),
                                "reference": "SO-1001",
                                "goods_out_status": {"code": "PENDING"},
                            }
                        }
                    ]
                }
            }
        }
    }


def test_without_a_token_is_401(http: httpx.Client) -> None:
    with http:
        response = http.post(
            "/graphql", json={"query": FIND}, headers={"Authorization": "Bearer nope"}
        )

    assert response.status_code == 401
    assert "error" in response.json()
