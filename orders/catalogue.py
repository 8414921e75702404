"""Clarus's catalogue as order entry needs it: accounts, warehouses, products with their stock,
carriers and services, customers and order types, found by the codes and names agents say.

Reads only (``orders.clarus.catalogue`` asks Clarus): a selector per question, keyword-only,
returning the desk's own dataclasses. Every answer is cached per tenant for a short while
(``lookup_cache``); ``refresh=True`` asks Clarus again. When Clarus cannot answer,
``LookupUnavailable`` says so in words an agent can act on (type the Clarus id instead).
"""

from collections.abc import Callable, Iterable
from dataclasses import replace

from django.conf import settings

from orders.clarus import ClarusQueryError
from orders.clarus import catalogue as clarus_catalogue
from orders.clarus.catalogue import LIST_LIMIT, clean_text, code_pattern, words_pattern
from orders.domain import CLARUS_ID_MAX_DIGITS, Choice, ProductChoice, ProductSearch
from orders.lookup_cache import LookupUnavailable, cached
from orders.models import Tenant

__all__ = [
    "SUGGESTIONS",
    "Choice",
    "LookupUnavailable",
    "ProductChoice",
    "ProductSearch",
    "account_search",
    "carrier_search",
    "carrier_service_list",
    "code_pattern",
    "customer_search",
    "order_type_list",
    "product_codes_resolve",
    "product_search",
    "warehouse_list",
    "words_pattern",
]

# At most this many suggestions under a search box: enough to choose from, little to send.
SUGGESTIONS = 8


def _timeout() -> float:
    return float(settings.CLARUS_LOOKUP_TIMEOUT)


def _asked[T](question: Callable[[], T]) -> T:
    """Return Clarus's answer to a question, or raise LookupUnavailable in the agent's words."""
    try:
        return question()
    except ClarusQueryError as exc:
        raise LookupUnavailable.from_query_error(exc) from exc


def _unique[T: (Choice, ProductChoice)](items: Iterable[T | None], limit: int) -> list[T]:
    seen: set[int] = set()
    unique: list[T] = []
    for item in items:
        if item is not None and item.id not in seen:
            seen.add(item.id)
            unique.append(item)
    return unique[:limit]


# --- Accounts, customers and carriers: searched by code or name ---------------------------------


def _search_by_code_or_name(
    *, tenant: Tenant, resource: str, text: str, refresh: bool
) -> list[Choice]:
    if not clean_text(text):
        return []

    def fetch() -> list[Choice]:
        by_code, by_name = _asked(
            lambda: clarus_catalogue.by_code_or_name(
                tenant=tenant, resource=resource, text=text, first=SUGGESTIONS, timeout=_timeout()
            )
        )
        found = by_code + by_name
        exact = [each for each in found if each.code.lower() == clean_text(text).lower()]
        return _unique(exact + found, SUGGESTIONS)

    return cached(tenant, f"{resource}-search", {"text": clean_text(text).lower()}, fetch, refresh)


def account_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the accounts whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(tenant=tenant, resource="accounts", text=text, refresh=refresh)


def customer_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the end customers whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(tenant=tenant, resource="customers", text=text, refresh=refresh)


def carrier_search(*, tenant: Tenant, text: str, refresh: bool = False) -> list[Choice]:
    """Return the active carriers whose code starts with, or whose name holds, ``text``."""
    return _search_by_code_or_name(tenant=tenant, resource="carriers", text=text, refresh=refresh)


# --- Lists shown as choices --------------------------------------------------------------------


def warehouse_list(
    *, tenant: Tenant, account_id: int | None = None, refresh: bool = False
) -> list[Choice]:
    """Return the warehouses the account may use, or all of the tenant's without an account."""

    def fetch() -> list[Choice]:
        found = _asked(
            lambda: clarus_catalogue.warehouses(
                tenant=tenant, account_id=account_id, timeout=_timeout()
            )
        )
        return sorted(_unique(found, LIST_LIMIT), key=_by_code)

    return cached(tenant, "warehouses", {"account": account_id}, fetch, refresh)


def order_type_list(*, tenant: Tenant, refresh: bool = False) -> list[Choice]:
    """Return the tenant's own order types."""

    def fetch() -> list[Choice]:
        found = _asked(lambda: clarus_catalogue.order_types(tenant=tenant, timeout=_timeout()))
        return sorted(_unique(found, LIST_LIMIT), key=_by_code)

    return cached(tenant, "order-types", {}, fetch, refresh)


def carrier_service_list(*, tenant: Tenant, carrier_id: int, refresh: bool = False) -> list[Choice]:
    """Return the carrier's active services, its default one first."""

    def fetch() -> list[Choice]:
        found = _asked(
            lambda: clarus_catalogue.carrier_services(
                tenant=tenant, carrier_id=carrier_id, timeout=_timeout()
            )
        )
        services = _unique(found, LIST_LIMIT)
        return sorted(services, key=lambda service: (not service.is_default, service.name))

    return cached(tenant, "carrier-services", {"carrier": carrier_id}, fetch, refresh)


def _by_code(choice: Choice) -> str:
    return choice.code.lower()


# --- Products and their stock ------------------------------------------------------------------


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
    text = clean_text(text)
    if not text:
        return ProductSearch(options=[], exact=None, typed_id=None)

    def fetch() -> ProductSearch:
        digits = text.isdigit() and len(text) <= CLARUS_ID_MAX_DIGITS
        named = _asked(
            lambda: clarus_catalogue.products_named(
                tenant=tenant,
                text=text,
                account_id=account_id,
                as_id=digits,
                first=SUGGESTIONS,
                timeout=_timeout(),
            )
        )
        # A SKU typed in lower case names its product as surely as one typed in capitals.
        same_code = [each for each in named.by_code if each.code.lower() == text.lower()]
        exact_ids = {each.id for each in named.exact + named.by_id + same_code}
        found = _unique(
            (
                replace(each, exact=each.id in exact_ids)
                for each in named.exact + named.by_id + same_code + named.by_code + named.by_words
            ),
            SUGGESTIONS,
        )
        options = _with_stock(tenant, found, account_id=account_id, warehouse_id=warehouse_id)
        exact_options = [option for option in options if option.exact]
        return ProductSearch(
            options=options,
            exact=exact_options[0] if len(exact_options) == 1 else None,
            typed_id=int(text) if digits and not exact_options else None,
        )

    params = {"text": text.lower(), "account": account_id, "warehouse": warehouse_id}
    return cached(tenant, "products", params, fetch, refresh)


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
    try:
        available = clarus_catalogue.stock_available(
            tenant=tenant,
            product_ids=[product.id for product in products],
            account_id=account_id,
            warehouse_id=warehouse_id,
            timeout=_timeout(),
        )
    except ClarusQueryError:
        # The products are worth showing without their stock.
        return products
    # A product with no balance there has none.
    return [replace(product, available=available.get(product.id, 0.0)) for product in products]


# --- Pasted lines: many codes at once -------------------------------------------------------


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
    several products has them all. One read for every code, then one for their stock.
    """
    codes = list(codes)
    wanted = sorted({clean_text(code).lower() for code in codes if clean_text(code)})
    if not wanted:
        return {}

    def fetch() -> dict[str, list[ProductChoice]]:
        # Clarus compares codes exactly: SKUs are kept in capitals, so ask for those too.
        asked = sorted({clean_text(code) for code in codes} | {code.upper() for code in wanted})
        matches = _asked(
            lambda: clarus_catalogue.products_by_codes(
                tenant=tenant,
                codes=[code for code in asked if code],
                account_id=account_id,
                timeout=_timeout(),
            )
        )
        products = _with_stock(
            tenant,
            _unique((replace(product, exact=True) for product, _codes in matches), LIST_LIMIT),
            account_id=account_id,
            warehouse_id=warehouse_id,
        )
        by_id = {product.id: product for product in products}
        known = set(wanted)
        found: dict[str, list[ProductChoice]] = {}
        for each, its_codes in matches:
            product = by_id.get(each.id)
            for code in (code.lower() for code in its_codes):
                if product is not None and code in known and product not in found.get(code, []):
                    found.setdefault(code, []).append(product)
        return found

    params = {"codes": wanted, "account": account_id, "warehouse": warehouse_id}
    return cached(tenant, "products-by-codes", params, fetch, refresh)
