"""Clarus's catalogue over GraphQL (CONTRACT.md §4): the queries, their paging and filters.

Each function asks Clarus one question and returns the desk's dataclasses (``orders.domain``),
or raises ``ClarusQueryError``. Ranking, caching and the words an agent reads are the
selectors' (``orders.selectors.catalogue``).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orders.clarus.graphql import edges, query
from orders.domain import Choice, ProductChoice
from orders.models import Tenant

# Clarus documents no maximum page size (CONTRACT.md §2.8, §8); graphql-ruby's default cut, which
# the sandbox copies, is 100. Lists are read page by page with ``after`` up to LIST_LIMIT rows.
PAGE_SIZE = 100
LIST_LIMIT = 1000


def clean_text(text: str) -> str:
    """Return typed text fit for a Clarus pattern: single spaces, and never a wildcard."""
    # Clarus patterns: % is the only wildcard (docs/sandbox-graphql.md); what an agent types
    # never is one.
    return " ".join(text.replace("%", " ").split())


def code_pattern(text: str) -> str:
    """Return the ``ilike`` pattern for codes that start with ``text``."""
    return f"{clean_text(text)}%"


def words_pattern(text: str) -> str:
    """Return the ``ilike`` pattern for names holding the words of ``text`` in that order."""
    return "%" + "%".join(clean_text(text).split()) + "%"


def _all_nodes(
    tenant: Tenant, text: str, variables: Mapping[str, Any], resource: str, timeout: float
) -> list[dict[str, Any]]:
    """Return every node of a list query, following ``pageInfo`` (CONTRACT.md §2.8)."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while len(nodes) < LIST_LIMIT:
        data = query(
            tenant, text, {**variables, "first": PAGE_SIZE, "after": after}, timeout=timeout
        )
        nodes += edges(data, resource)
        page = ((data.get(resource) or {}).get("all") or {}).get("pageInfo") or {}
        after = page.get("endCursor")
        if not page.get("hasNextPage") or not after:
            break
    return nodes[:LIST_LIMIT]


def _choice(node: Mapping[str, Any] | None) -> Choice | None:
    if not node or node.get("id") is None:
        return None
    return Choice(
        id=int(node["id"]),
        code=str(node.get("code") or ""),
        name=str(node.get("name") or ""),
        is_default=bool(node.get("is_default")),
    )


def _choices(nodes: Iterable[Mapping[str, Any] | None]) -> list[Choice]:
    return [choice for choice in (_choice(node) for node in nodes) if choice is not None]


def _product(node: Mapping[str, Any]) -> ProductChoice | None:
    if node.get("id") is None:
        return None
    return ProductChoice(
        id=int(node["id"]),
        code=str(node.get("code") or ""),
        description=str(node.get("description") or ""),
        barcode=str(node.get("barcode") or ""),
    )


def _products(nodes: Iterable[Mapping[str, Any]]) -> list[ProductChoice]:
    return [product for product in (_product(node) for node in nodes) if product is not None]


# --- Accounts, customers and carriers: searched by code or name ---------------------------------

# Clarus ANDs the filters it is given (CONTRACT.md §4), so "code or name" is two aliased reads
# in one request.
_BY_CODE_OR_NAME = """
query($byCode: FILTER, $byName: FILTER, $first: Int) {
  by_code: RESOURCE { all(filter: $byCode, first: $first) { edges { node { id code name } } } }
  by_name: RESOURCE { all(filter: $byName, first: $first) { edges { node { id code name } } } }
}
"""
# Each searchable resource: its GraphQL filter type, and what else every search filters by.
SEARCHABLE: dict[str, tuple[str, dict[str, Any]]] = {
    "accounts": ("AccountFilterType", {}),
    "customers": ("CustomerFilterType", {}),
    "carriers": ("CarrierFilterType", {"active": {"eq": True}}),
}


def by_code_or_name(
    *, tenant: Tenant, resource: str, text: str, first: int, timeout: float
) -> tuple[list[Choice], list[Choice]]:
    """Return the ``resource`` rows whose code starts with ``text``, and those whose name holds
    its words: two lists, each of at most ``first``."""
    filter_type, extra = SEARCHABLE[resource]
    data = query(
        tenant,
        _BY_CODE_OR_NAME.replace("RESOURCE", resource).replace("FILTER", filter_type),
        {
            "byCode": {"code": {"ilike": code_pattern(text)}, **extra},
            "byName": {"name": {"ilike": words_pattern(text)}, **extra},
            "first": first,
        },
        timeout=timeout,
    )
    return _choices(edges(data, "by_code")), _choices(edges(data, "by_name"))


# --- Lists shown as choices --------------------------------------------------------------------

WAREHOUSES = """
query($first: Int, $after: String) {
  warehouses { all(first: $first, after: $after) {
    edges { node { id code name } } pageInfo { hasNextPage endCursor } } }
}
"""
ACCOUNT_WAREHOUSES = """
query($filter: AccountWarehouseFilterType, $first: Int, $after: String) {
  account_warehouses { all(filter: $filter, first: $first, after: $after) {
    edges { node { warehouse { id code name } } } pageInfo { hasNextPage endCursor } } }
}
"""
ORDER_TYPES = """
query($first: Int, $after: String) {
  order_types { all(first: $first, after: $after) {
    edges { node { id code name } } pageInfo { hasNextPage endCursor } } }
}
"""
CARRIER_SERVICES = """
query($filter: CarrierServiceFilterType, $first: Int, $after: String) {
  carrier_services { all(filter: $filter, first: $first, after: $after) {
    edges { node { id code name is_default } } pageInfo { hasNextPage endCursor } } }
}
"""


def warehouses(*, tenant: Tenant, account_id: int | None, timeout: float) -> list[Choice]:
    """Return the warehouses the account may use, or all of the tenant's without an account."""
    if account_id is None:
        return _choices(_all_nodes(tenant, WAREHOUSES, {}, "warehouses", timeout))
    # Clarus: which warehouses an account may use is account_warehouses (CONTRACT.md §4).
    links = _all_nodes(
        tenant,
        ACCOUNT_WAREHOUSES,
        {"filter": {"account_id": {"eq": str(account_id)}}},
        "account_warehouses",
        timeout,
    )
    return _choices(link.get("warehouse") or {} for link in links)


def order_types(*, tenant: Tenant, timeout: float) -> list[Choice]:
    """Return the tenant's own order types."""
    return _choices(_all_nodes(tenant, ORDER_TYPES, {}, "order_types", timeout))


def carrier_services(*, tenant: Tenant, carrier_id: int, timeout: float) -> list[Choice]:
    """Return the carrier's active services."""
    nodes = _all_nodes(
        tenant,
        CARRIER_SERVICES,
        {"filter": {"carrier_id": {"eq": str(carrier_id)}, "active": {"eq": True}}},
        "carrier_services",
        timeout,
    )
    return _choices(nodes)


# --- Products and their stock ------------------------------------------------------------------

PRODUCT_SEARCH = """
query($exact: ProductsFilterType, $byCode: ProductsFilterType, $byWords: ProductsFilterType,
      $byId: AccountProductFilterType, $digits: Boolean!, $first: Int) {
  exact: products { all(filter: $exact, first: 2) {
    edges { node { id code barcode description } } } }
  by_code: products { all(filter: $byCode, first: $first) {
    edges { node { id code barcode description } } } }
  by_words: products { all(filter: $byWords, first: $first) {
    edges { node { id code barcode description } } } }
  by_id: account_products @include(if: $digits) { all(filter: $byId, first: 1) {
    edges { node { product { id code barcode description } } } } }
}
"""
STOCK = """
query($filter: StockBalancesFilterType, $first: Int, $after: String) {
  stock_balances { all(filter: $filter, first: $first, after: $after) {
    edges { node { available product { id } } } pageInfo { hasNextPage endCursor } } }
}
"""


@dataclass(frozen=True)
class ProductsNamed:
    """The products a text names, by each way Clarus can be asked."""

    # Any of its codes is the text exactly (SKU, barcode, case/inner/outer barcode).
    exact: list[ProductChoice]
    # The text, all digits, is its Clarus id.
    by_id: list[ProductChoice]
    # Its SKU starts with the text.
    by_code: list[ProductChoice]
    # Its description holds the text's words in order.
    by_words: list[ProductChoice]


def products_named(
    *,
    tenant: Tenant,
    text: str,
    account_id: int | None,
    as_id: bool,
    first: int,
    timeout: float,
) -> ProductsNamed:
    """Ask Clarus, in one request, for the products ``text`` names (the account's only, when
    one is given); ``as_id`` also takes the text as a Clarus id."""
    owner = {"account_id": {"eq": str(account_id)}} if account_id is not None else {}
    data = query(
        tenant,
        PRODUCT_SEARCH,
        {
            "exact": {"all_codes": {"eq": text}, **owner},
            "byCode": {"code": {"ilike": code_pattern(text)}, **owner},
            "byWords": {"description": {"ilike": words_pattern(text)}, **owner},
            "byId": {"product_id": {"eq": text}, **owner} if as_id else None,
            "digits": as_id,
            "first": first,
        },
        timeout=timeout,
    )
    return ProductsNamed(
        exact=_products(edges(data, "exact")),
        by_id=_products(link["product"] for link in edges(data, "by_id") if link.get("product")),
        by_code=_products(edges(data, "by_code")),
        by_words=_products(edges(data, "by_words")),
    )


def stock_available(
    *,
    tenant: Tenant,
    product_ids: list[int],
    account_id: int | None,
    warehouse_id: int | None,
    timeout: float,
) -> dict[int, float]:
    """Return the unallocated stock of each product, in the warehouse or in all of them."""
    stock_filter: dict[str, Any] = {"product_id": {"in": [str(pk) for pk in product_ids]}}
    if warehouse_id is not None:
        stock_filter["warehouse_id"] = {"eq": str(warehouse_id)}
    if account_id is not None:
        stock_filter["account_id"] = {"eq": str(account_id)}
    balances = _all_nodes(tenant, STOCK, {"filter": stock_filter}, "stock_balances", timeout)
    # Clarus: available is what is neither allocated nor picked (CONTRACT.md §4).
    available: dict[int, float] = {}
    for balance in balances:
        product_id = int((balance.get("product") or {}).get("id") or 0)
        available[product_id] = available.get(product_id, 0.0) + float(
            balance.get("available") or 0
        )
    return available


PRODUCTS_BY_CODES = """
query($filter: ProductsFilterType, $first: Int, $after: String) {
  products { all(filter: $filter, first: $first, after: $after) {
    edges { node { id code barcode case_barcode inner_barcode outer_barcode description } }
    pageInfo { hasNextPage endCursor } } }
}
"""
_NODE_CODES = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")


def products_by_codes(
    *, tenant: Tenant, codes: list[str], account_id: int | None, timeout: float
) -> list[tuple[ProductChoice, list[str]]]:
    """Return the products whose SKU or any barcode is one of ``codes``, each with all its codes.

    One read for every code (``all_codes`` with ``in``, CONTRACT.md §4; a page per 100 products).
    """
    owner = {"account_id": {"eq": str(account_id)}} if account_id is not None else {}
    nodes = _all_nodes(
        tenant,
        PRODUCTS_BY_CODES,
        {"filter": {"all_codes": {"in": codes}, **owner}},
        "products",
        timeout,
    )
    found = []
    for node in nodes:
        product = _product(node)
        if product is not None:
            found.append((product, [str(node.get(name) or "") for name in _NODE_CODES]))
    return found
