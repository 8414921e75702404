"""The sandbox against Clarus's documented GraphQL queries, read from the spec at test time.

For each ``/graphql#List...`` entry the sandbox implements: the example query runs, with and
without its example variables, and its answer has the example response's shape (the same keys
at every level, ids as strings); every documented filter exists with its documented input
type, and every documented operator exists on that input type.
"""

from collections.abc import Callable
from typing import Any

import pytest

from sandbox import catalogue
from tests.clarus_spec import graphql_example, graphql_operation_names
from tests.sandbox.factories import edited, goods_out_document
from tests.sandbox.graphql.conftest import Ask, Catalogue

OPERATIONS = {
    "ListAccounts": "accounts",
    "ListAccountWarehouses": "account_warehouses",
    "ListWarehouses": "warehouses",
    "ListProducts": "products",
    "ListAccountProducts": "account_products",
    "ListStockBalances": "stock_balances",
    "ListCarriers": "carriers",
    "ListCarrierServices": "carrier_services",
    "ListCustomers": "customers",
    "ListOrderTypes": "order_types",
    "ListGoodsOuts": "goods_outs",
    "ListGoodsOutLines": "goods_out_lines",
}
INTROSPECT = (
    "query($name: String!) { __type(name: $name) {"
    " inputFields { name type { name kind ofType { name } } } } }"
)


@pytest.fixture
def goods_out(post_goods_out: Callable[..., Any], seeded: Catalogue) -> None:
    """Create a goods-out over REST whose references all resolve, so nothing nested is null."""

    def pk(model: type[Any], code: str) -> int:
        return int(model._default_manager.get(subdomain__slug="acme", code=code).pk)

    document = goods_out_document()
    for name, value in {
        "reference": "SO-2026-008812",
        "account_id": pk(catalogue.Account, "ACME"),
        "warehouse_id": pk(catalogue.Warehouse, "WH1"),
        "carrier_id": pk(catalogue.Carrier, "DPD"),
        "lines_changes": [
            {
                "type": "ADD",
                "attributes": {"product_id": seeded.products[0].pk, "order_quantity": 100},
            }
        ],
    }.items():
        document = edited(document, f"data.attributes.{name}", value)
    assert post_goods_out(document).status_code == 200


def test_the_spec_documents_every_operation_implemented() -> None:
    assert set(OPERATIONS) <= set(graphql_operation_names())


@pytest.mark.usefixtures("goods_out")
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_example_query_answers_in_the_example_shape(ask: Ask, name: str) -> None:
    example = graphql_example(name)

    result = ask(example["query"])

    assert "errors" not in result, result["errors"]
    assert result["data"][OPERATIONS[name]]["all"]["edges"], "seed data should answer"
    assert shape_problems(result, example["response"]) == []


@pytest.mark.usefixtures("goods_out")
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_example_variables_are_accepted(ask: Ask, name: str) -> None:
    example = graphql_example(name)

    result = ask(example["query"], example["variables"])

    assert "errors" not in result, result["errors"]
    assert shape_problems(result, example["response"], allow_empty=True) == []


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_documented_filters_exist_with_their_input_types(ask: Ask, name: str) -> None:
    example = graphql_example(name)
    filter_type = example["query"].split("$filter:")[1].split(")")[0].strip()

    fields = input_fields(ask, filter_type)

    assert example["filters"]
    for field, input_type in example["filters"].items():
        assert fields.get(field) == input_type, f"{filter_type}.{field}"


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_documented_operators_exist_on_each_input_type(ask: Ask, name: str) -> None:
    for input_type, operators in graphql_example(name)["operators"].items():
        fields = input_fields(ask, input_type)

        assert set(operators) <= set(fields), input_type


def input_fields(ask: Ask, type_name: str) -> dict[str, str]:
    """Return {field: named type} of an input type, through introspection."""
    result = ask(INTROSPECT, {"name": type_name})
    assert result["data"]["__type"], f"no type {type_name}"
    return {
        field["name"]: field["type"]["name"] or field["type"]["ofType"]["name"]
        for field in result["data"]["__type"]["inputFields"]
    }


def shape_problems(
    ours: Any, theirs: Any, path: str = "", *, allow_empty: bool = False
) -> list[str]:
    """Return where ``ours`` differs in shape from the spec's example ``theirs``.

    Objects must have the same keys; a list is compared by its first item; a scalar must have
    the example's JSON type unless either is null; every ``id`` must be a string.
    """
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {ours!r} is not an object"]
        problems = (
            [f"{path}: keys {sorted(ours)} != {sorted(theirs)}"] if set(ours) != set(theirs) else []
        )
        for key in sorted(set(ours) & set(theirs)):
            problems += shape_problems(
                ours[key], theirs[key], f"{path}.{key}", allow_empty=allow_empty
            )
        return problems
    if isinstance(theirs, list):
        if not isinstance(ours, list):
            return [f"{path}: {ours!r} is not a list"]
        if not ours or not theirs:
            return [] if allow_empty else [f"{path}: empty"]
        return shape_problems(ours[0], theirs[0], f"{path}[0]", allow_empty=allow_empty)
    if path.endswith(".id") and not isinstance(ours, str):
        return [f"{path}: id {ours!r} is not a string"]
    if ours is None or theirs is None or type(ours) is type(theirs):
        return []
    return [f"{path}: {ours!r} is not a {type(theirs).__name__} like {theirs!r}"]
