"""Clarus's catalogue as order entry needs it: accounts, warehouses, products with their stock,
carriers and services, customers and order types, found by the codes and names agents say.

Reads only (``orders.clarus.catalogue`` asks Clarus): a selector per question, keyword-only,
returning the desk's own dataclasses. When Clarus cannot answer, ``LookupUnavailable`` says so in
words an agent can act on (type the Clarus id instead).

A short memory of Clarus's answers, per tenant, in Django's cache framework: an agent types the
same few codes all day, and each keystroke asks again, so answers are kept for
``DESK_LOOKUP_CACHE_SECONDS`` under the tenant's id and the question; ``refresh=True`` asks Clarus
again. "Refresh lists" (``services.lookups``) starts the tenant afresh by changing its version,
which every key carries; the version lives on the tenant row, so a refresh reaches every app
process, each with a cache of its own. When Clarus is down, the desk remembers that for
``DESK_LOOKUP_RETRY_SECONDS`` so that a down Clarus is not asked again on every keystroke of every
agent (Clarus documents no rate limits and asks for restraint, CONTRACT.md §3.4).
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.core.cache import cache

from orders import telemetry
from orders.clarus import ClarusQueryError
from orders.clarus import catalogue as clarus_catalogue
from orders.clarus.catalogue import LIST_LIMIT, clean_text, code_pattern, words_pattern
from orders.domain import CLARUS_ID_MAX_DIGITS, Choice, ProductChoice, ProductSearch
from orders.inputs import id_from_text
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

# --- The cache -----------------------------------------------------------------------------

PREFIX = "desk:lookup"


class LookupUnavailable(Exception):
    """Clarus could not answer a lookup: down, refusing the desk, or too slow."""

    def __init__(self, message: str, *, slow: bool = False, down: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.slow = slow
        # False when Clarus answered but not usefully (a query it did not understand).
        self.down = down

    @classmethod
    def from_query_error(cls, error: ClarusQueryError) -> "LookupUnavailable":
        if error.kind == "refused":
            return cls("Clarus refused the desk's credentials: a tenant admin must reconnect.")
        if error.kind == "slow":
            return cls("Clarus is slow to answer.", slow=True)
        if error.kind == "no_answer":
            return cls("Clarus is not answering.")
        if error.kind == "server_error":
            return cls(f"Clarus is having trouble ({error.status_text}).")
        return cls(f"Clarus could not answer this search: {error}", down=False)


def cache_key(tenant: Tenant, kind: str, params: Mapping[str, Any]) -> str:
    """Return the key of one question: tenant, its version, the kind of lookup and its terms."""
    terms = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(terms.encode()).hexdigest()[:32]
    return f"{PREFIX}:{tenant.pk}:{tenant.lookups_version}:{kind}:{digest}"


def down_key(tenant: Tenant) -> str:
    """Return the key of the tenant's memory that Clarus failed a moment ago."""
    return f"{PREFIX}:down:{tenant.pk}"


def cached[T](
    tenant: Tenant, kind: str, params: Mapping[str, Any], fetch: Callable[[], T], refresh: bool
) -> T:
    """Return the cached answer to a question, or ``fetch`` it from Clarus and keep it.

    ``refresh`` asks Clarus whatever is cached. Raises LookupUnavailable when Clarus cannot
    answer, or failed a moment ago.
    """
    key = cache_key(tenant, kind, params)
    if not refresh:
        answer = cache.get(key)
        if answer is not None:
            telemetry.lookup_cache_hits.inc()
            return answer
    telemetry.lookup_cache_misses.inc()
    if not refresh:
        recent_failure = cache.get(down_key(tenant))
        if recent_failure is not None:
            raise LookupUnavailable(str(recent_failure))
    try:
        answer = fetch()
    except LookupUnavailable as exc:
        if exc.down:
            cache.set(down_key(tenant), exc.message, settings.DESK_LOOKUP_RETRY_SECONDS)
        raise
    cache.delete(down_key(tenant))
    cache.set(key, answer, settings.DESK_LOOKUP_CACHE_SECONDS)
    return answer


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
        typed_id = id_from_text(text, max_digits=CLARUS_ID_MAX_DIGITS)
        digits = typed_id is not None
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
            typed_id=typed_id if not exact_options else None,
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
