"""Clarus's catalogue as order entry needs it: accounts, warehouses, products with their stock,
carriers and services, customers and order types, found by the codes and names agents say.

Reads only, over GraphQL (CONTRACT.md §4): a selector per question, keyword-only, returning the
desk's own dataclasses. Every answer is cached per tenant for a short while (``lookup_cache``);
``refresh=True`` asks Clarus again. When Clarus cannot answer, ``LookupUnavailable`` says so in
words an agent can act on (type the Clarus id instead).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from orders import clarus
from orders.inputs import id_from_text
from orders.lookup_cache import LookupUnavailable, cached
from orders.models import Tenant
from orders.payloads import MAX_ID_DIGITS

# At most this many suggestions under a search box: enough to choose from, little to send.
SUGGESTIONS = 8
# Clarus documents no maximum page size (CONTRACT.md §2.8, §8); graphql-ruby's default cut, which
# the sandbox copies, is 100. Lists are read page by page with ``after`` up to LIST_LIMIT rows.
PAGE_SIZE = 100
LIST_LIMIT = 1000


@dataclass(frozen=True)
class Choice:
    """An account, warehouse, customer, carrier, carrier service or order type."""

    id: int
    code: str
    name: str
    is_default: bool = False

    @property
    def label(self) -> str:
        """Return the words the agent sees: the code, then the name if it says more."""
        if not self.name or self.name == self.code:
            return self.code
        return f"{self.code} · {self.name}"


@dataclass(frozen=True)
class ProductChoice:
    """A product as a suggestion: what tells it apart, and what is free to send."""

    id: int
    code: str
    description: str
    barcode: str = ""
    # Unallocated stock (Clarus's ``available``) in the chosen warehouse, or in all of the
    # account's warehouses when none is chosen; None when Clarus could not say.
    available: float | None = None
    # True when what was typed or scanned is one of its codes, or its Clarus id.
    exact: bool = False


@dataclass(frozen=True)
class ProductSearch:
    """Suggestions for what was typed in a line's product box."""

    options: list[ProductChoice]
    # The one product the text names exactly (SKU, barcode, case/inner/outer barcode or id).
    exact: ProductChoice | None
    # Digits that name no product Clarus could find: sent as a Clarus id if the agent insists.
    typed_id: int | None


def _timeout() -> float:
    return float(settings.CLARUS_LOOKUP_TIMEOUT)


def _ask(tenant: Tenant, text: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    try:
        return clarus.query(tenant, text, dict(variables), timeout=_timeout())
    except clarus.ClarusQueryError as exc:
        raise LookupUnavailable.from_query_error(exc) from exc


def _all_nodes(
    tenant: Tenant, text: str, variables: Mapping[str, Any], resource: str
) -> list[dict[str, Any]]:
    """Return every node of a list query, following ``pageInfo`` (CONTRACT.md §2.8)."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    while len(nodes) < LIST_LIMIT:
        data = _ask(tenant, text, {**variables, "first": PAGE_SIZE, "after": after})
        nodes += clarus.edges(data, resource)
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


def _unique[T: (Choice, ProductChoice)](items: Iterable[T | None], limit: int) -> list[T]:
    seen: set[int] = set()
    unique: list[T] = []
    for item in items:
        if item is not None and item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique[:limit]


def _clean(text: str) -> str:
    # Clarus patterns: % is the only wildcard (docs/sandbox-graphql.md); what an agent types
    # never is one.
    return " ".join(text.replace("%", " ").split())


def code_pattern(text: str) -> str:
    """Return the ``ilike`` pattern for codes that start with ``text``."""
    return f"{_clean(text)}%"


def words_pattern(text: str) -> str:
    """Return the ``ilike`` pattern for names holding the words of ``text`` in that order."""
    return "%" + "%".join(_clean(text).split()) + "%"


# --- Accounts, customers and carriers: searched by code or name ---------------------------------

# Clarus ANDs the filters it is given (CONTRACT.md §4), so "code or name" is two aliased reads
# in one request.
_BY_CODE_OR_NAME = """
query($byCode: FILTER, $byName: FILTER, $first: Int) {
  by_code: RESOURCE { all(filter: $byCode, first: $first) { edges { node { id code name } } } }
  by_name: RESOURCE { all(filter: $byName, first: $first) { edges { node { id code name } } } }
}
"""


def _search_by_code_or_name(
    *,
    tenant: Tenant,
    resource: str,
    filter_type: str,
    text: str,
    extra: Mapping[str, Any],
    refresh: bool,
) -> list[Choice]:
    if not _clean(text):
        return []

    def fetch() -> list[Choice]:
        data = _ask(
            tenant,
            _BY_CODE_OR_NAME.replace("RESOURCE", resource).replace("FILTER", filter_type),
            {
                "byCode": {"code": {"ilike": code_pattern(text)}, **extra},
                "byName": {"name": {"ilike": words_pattern(text)}, **extra},
                "first": SUGGESTIONS,
            },
        )
        nodes = clarus.edges(data, "by_code") + clarus.edges(data, "by_name")
        exact = [
            node for node in nodes if str(node.get("code", "")).lower() == _clean(text).lower()
        ]
        return _unique((_choice(node) for node in exact + nodes), SUGGESTIONS)

    return cached(tenant, f"{resource}-search", {"text": _clean(text).lower()}, fetch, refresh)


def account_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the accounts whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(
        tenant=tenant,
        resource="accounts",
        filter_type="AccountFilterType",
        text=text,
        extra={},
        refresh=refresh,
    )


def customer_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the end customers whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(
        tenant=tenant,
        resource="customers",
        filter_type="CustomerFilterType",
        text=text,
        extra={},
        refresh=refresh,
    )


def carrier_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the active carriers whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(
        tenant=tenant,
        resource="carriers",
        filter_type="CarrierFilterType",
        text=text,
        extra={"active": {"eq": True}},
        refresh=refresh,
    )


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


def warehouse_list(
    *, tenant: Tenant, account_id: int | None = None, refresh: bool = False
) -> list[Choice]:
    """Return the warehouses the account may use, or all of the tenant's without an account."""

    def fetch() -> list[Choice]:
        if account_id is None:
            nodes = _all_nodes(tenant, WAREHOUSES, {}, "warehouses")
        else:
            # Clarus: which warehouses an account may use is account_warehouses (CONTRACT.md §4).
            links = _all_nodes(
                tenant,
                ACCOUNT_WAREHOUSES,
                {"filter": {"account_id": {"eq": str(account_id)}}},
                "account_warehouses",
            )
            nodes = [link.get("warehouse") or {} for link in links]
        return sorted(_unique((_choice(node) for node in nodes), LIST_LIMIT), key=_by_code)

    return cached(tenant, "warehouses", {"account": account_id}, fetch, refresh)


def order_type_list(*, tenant: Tenant, refresh: bool = False) -> list[Choice]:
    """Return the tenant's own order types."""

    def fetch() -> list[Choice]:
        nodes = _all_nodes(tenant, ORDER_TYPES, {}, "order_types")
        return sorted(_unique((_choice(node) for node in nodes), LIST_LIMIT), key=_by_code)

    return cached(tenant, "order-types", {}, fetch, refresh)


def carrier_service_list(*, tenant: Tenant, carrier_id: int, refresh: bool = False) -> list[Choice]:
    """Return the carrier's active services, its default one first."""

    def fetch() -> list[Choice]:
        nodes = _all_nodes(
            tenant,
            CARRIER_SERVICES,
            {"filter": {"carrier_id": {"eq": str(carrier_id)}, "active": {"eq": True}}},
            "carrier_services",
        )
        services = _unique((_choice(node) for node in nodes), LIST_LIMIT)
        return sorted(services, key=lambda service: (not service.is_default, service.name))

    return cached(tenant, "carrier-services", {"carrier": carrier_id}, fetch, refresh)


def _by_code(choice: Choice) -> str:
    return choice.code.lower()


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


def product_search(
    *,
    tenant: Tenant,
    text: str,
    account_id: int | None = None,
    warehouse_id: int | None = None,
    refresh: bool = False,
) -> ProductSearch:
    """Return the products a line's text names: by SKU, any barcode, description words or id.

    An exact code or barcode (``all_codes``, CONTRACT.md §4) comes first, then SKUs starting with
    the text, then descriptions holding its words in order. Only the account's products when an
    account is chosen. Each comes with its unallocated stock in the warehouse (or in all).
    """
    text = _clean(text)
    if not text:
        return ProductSearch(options=[], exact=None, typed_id=None)

    def fetch() -> ProductSearch:
        owner = {"account_id": {"eq": str(account_id)}} if account_id is not None else {}
        typed_id = id_from_text(text, max_digits=MAX_ID_DIGITS)
        digits = typed_id is not None
        data = _ask(
            tenant,
            PRODUCT_SEARCH,
            {
                "exact": {"all_codes": {"eq": text}, **owner},
                "byCode": {"code": {"ilike": code_pattern(text)}, **owner},
                "byWords": {"description": {"ilike": words_pattern(text)}, **owner},
                "byId": {"product_id": {"eq": text}, **owner} if digits else None,
                "digits": digits,
                "first": SUGGESTIONS,
            },
        )
        exact = clarus.edges(data, "exact")
        by_id = [link["product"] for link in clarus.edges(data, "by_id") if link.get("product")]
        by_code = clarus.edges(data, "by_code")
        # A SKU typed in lower case names its product as surely as one typed in capitals.
        same_code = [node for node in by_code if str(node.get("code", "")).lower() == text.lower()]
        named = exact + by_id + same_code
        found = _unique(
            (
                _product(node, exact=node in named)
                for node in named + by_code + clarus.edges(data, "by_words")
            ),
            SUGGESTIONS,
        )
        options = _with_stock(tenant, found, account_id=account_id, warehouse_id=warehouse_id)
        exact_options = [option for option in options if option.exact]
        return ProductSearch(
            options=options,
            exact=exact_options[0] if len(exact_options) == 1 else None,
            typed_id=typed_id if not exact_options else None,
        )

    params = {"text": text.lower(), "account": account_id, "warehouse": warehouse_id}
    return cached(tenant, "products", params, fetch, refresh)


def _product(node: Mapping[str, Any], *, exact: bool) -> ProductChoice | None:
    if node.get("id") is None:
        return None
    return ProductChoice(
        id=int(node["id"]),
        code=str(node.get("code") or ""),
        description=str(node.get("description") or ""),
        barcode=str(node.get("barcode") or ""),
        exact=exact,
    )


def _with_stock(
    tenant: Tenant,
    products: list[ProductChoice],
    *,
    account_id: int | None,
    warehouse_id: int | None,
) -> list[ProductChoice]:
    """Return ``products`` with their unallocated stock; unknown if Clarus cannot say."""
    if not products:
        return products
    stock_filter: dict[str, Any] = {"product_id": {"in": [str(p.id) for p in products]}}
    if warehouse_id is not None:
        stock_filter["warehouse_id"] = {"eq": str(warehouse_id)}
    if account_id is not None:
        stock_filter["account_id"] = {"eq": str(account_id)}
    try:
        balances = _all_nodes(tenant, STOCK, {"filter": stock_filter}, "stock_balances")
    except LookupUnavailable:
        # The products are worth showing without their stock.
        return products
    # Clarus: available is what is neither allocated nor picked (CONTRACT.md §4); a product
    # with no balance there has none.
    available: dict[int, float] = {}
    for balance in balances:
        product_id = int((balance.get("product") or {}).get("id") or 0)
        available[product_id] = available.get(product_id, 0.0) + float(
            balance.get("available") or 0
        )
    return [
        ProductChoice(
            id=p.id,
            code=p.code,
            description=p.description,
            barcode=p.barcode,
            available=available.get(p.id, 0.0),
            exact=p.exact,
        )
        for p in products
    ]


# --- Pasted lines: many codes at once -------------------------------------------------------

PRODUCTS_BY_CODES = """
query($filter: ProductsFilterType, $first: Int, $after: String) {
  products { all(filter: $filter, first: $first, after: $after) {
    edges { node { id code barcode case_barcode inner_barcode outer_barcode description } }
    pageInfo { hasNextPage endCursor } } }
}
"""
_NODE_CODES = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")


def product_codes_resolve(
    *,
    tenant: Tenant,
    codes: Iterable[str],
    account_id: int | None = None,
    warehouse_id: int | None = None,
    refresh: bool = False,
) -> dict[str, list[ProductChoice]]:
    """Return the products each code names exactly (SKU or any barcode), with their stock.

    Keys are the codes in lower case; a code that names nothing is missing, one that names
    several products has them all. One read for every code (``all_codes`` with ``in``, CONTRACT.md
    §4; a page per 100 products found), then one for their stock.
    """
    wanted = sorted({_clean(code).lower() for code in codes if _clean(code)})
    if not wanted:
        return {}

    def fetch() -> dict[str, list[ProductChoice]]:
        # Clarus compares codes exactly: SKUs are kept in capitals, so ask for those too.
        asked = sorted({_clean(code) for code in codes} | {code.upper() for code in wanted})
        owner = {"account_id": {"eq": str(account_id)}} if account_id is not None else {}
        nodes = _all_nodes(
            tenant,
            PRODUCTS_BY_CODES,
            {"filter": {"all_codes": {"in": [code for code in asked if code]}, **owner}},
            "products",
        )
        products = _with_stock(
            tenant,
            _unique((_product(node, exact=True) for node in nodes), LIST_LIMIT),
            account_id=account_id,
            warehouse_id=warehouse_id,
        )
        by_id = {product.id: product for product in products}
        known = set(wanted)
        found: dict[str, list[ProductChoice]] = {}
        for node in nodes:
            product = by_id.get(int(node.get("id") or 0))
            for name in _NODE_CODES:
                code = str(node.get(name) or "").lower()
                if product is not None and code in known and product not in found.get(code, []):
                    found.setdefault(code, []).append(product)
        return found

    params = {"codes": wanted, "account": account_id, "warehouse": warehouse_id}
    return cached(tenant, "products-by-codes", params, fetch, refresh)
