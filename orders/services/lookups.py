"""Writes behind the lookups: starting a tenant's cached Clarus answers afresh.

The version every cached answer carries (``orders.selectors.catalogue``) lives on the tenant
row, so a new one reaches every app process, each of which reads the tenant afresh with every
request.
"""

import time

from django.core.cache import cache

from orders.models import Tenant
from orders.selectors.catalogue import down_key


def new_lookups_version() -> int:
    """Return a version no earlier answer carries: the clock, in nanoseconds."""
    return time.time_ns()


def lookups_refresh(*, tenant: Tenant) -> None:
    """Forget every lookup answer of ``tenant``, in every process, so the next ones come fresh
    from Clarus."""
    tenant.lookups_version = new_lookups_version()
    Tenant.objects.filter(pk=tenant.pk).update(lookups_version=tenant.lookups_version)
    # This process's memory that Clarus was down; another's lasts DESK_LOOKUP_RETRY_SECONDS.
    cache.delete(down_key(tenant))
