"""A short memory of Clarus's lookup answers, per tenant, in Django's cache framework.

An agent types the same few codes all day, and each keystroke asks again: answers are kept for
``DESK_LOOKUP_CACHE_SECONDS`` under the tenant's id and the question. "Refresh lists" starts the
tenant afresh by changing its version, which every key carries; the version lives on the tenant
row, so a refresh reaches every app process, each with a cache of its own. When Clarus is down,
the desk remembers that for ``DESK_LOOKUP_RETRY_SECONDS`` so that a down Clarus is not asked
again on every keystroke of every agent (Clarus documents no rate limits and asks for restraint,
CONTRACT.md §3.4).
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache

from orders import clarus
from orders.models import Tenant

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
    def from_query_error(cls, error: clarus.ClarusQueryError) -> "LookupUnavailable":
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
            return answer
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
