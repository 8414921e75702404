"""The lookups behind the entry page: suggestions and choice lists from Clarus, by name or code.

Each view answers htmx with a fragment for the entry page and, asked for as a page, a plain
search page that shows Clarus ids an agent can type (progressive enhancement). A fragment can be
requested on its own, so every view checks the user's role here. When Clarus cannot answer, the
fragment still comes back 200 (htmx swaps only 2xx) and says so next to the field.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from orders import catalogue
from orders.access import DeskRequest, tenant_view
from orders.forms import LOOKUPS, Lookup
from orders.inputs import clean_text, id_from_text
from orders.lookup_cache import LookupUnavailable, lookups_refresh
from orders.models import KEYING_ROLES, Tenant
from orders.payloads import MAX_ID_DIGITS

PAGE = "orders/lookup_page.html"
CHOICE = "orders/partials/lookup_choice.html"
LINE_PRODUCT = re.compile(r"^lines-[0-9]{1,3}-product$")


def lookup_tenant(request: DeskRequest) -> Tenant:
    """Return the tenant to ask: the entry form's tenant if the user keys for it, else current."""
    wanted = request.GET.get("tenant") or request.POST.get("tenant")
    if not wanted:
        return request.membership.tenant
    for membership in request.memberships:
        if str(membership.tenant_id) == wanted and membership.can_key:
            return membership.tenant
    raise PermissionDenied("You do not key orders for this tenant.")


def _id(data: QueryDict, name: str) -> int | None:
    return id_from_text(data.get(name, ""))


def _typed(data: QueryDict, *names: str, max_length: int) -> str:
    """Return what the agent typed, in the first of ``names`` given, as Clarus may be asked it."""
    text = next((str(data.get(name)) for name in names if data.get(name)), "")
    return clean_text(text)[:max_length]


def _refresh(request: DeskRequest) -> bool:
    return request.GET.get("refresh") == "1"


def _refresh_url(request: DeskRequest) -> str:
    """Return this page's address asking Clarus again instead of the cache."""
    query = request.GET.copy()
    query["refresh"] = "1"
    return f"?{query.urlencode()}"


@dataclass(frozen=True)
class Search:
    """A lookup searched by what the agent types."""

    lookup: Lookup
    title: str
    selector: Callable[..., list[catalogue.Choice]]


def _search(request: DeskRequest, search: Search) -> HttpResponse:
    field = search.lookup.text_name
    query = _typed(request.GET, "q", field, max_length=200).strip()
    options: list[catalogue.Choice] = []
    problem = ""
    try:
        options = search.selector(
            tenant=lookup_tenant(request), text=query, refresh=_refresh(request)
        )
    except LookupUnavailable as unavailable:
        problem = unavailable.message
    context = {
        "title": search.title,
        "lookup": search.lookup,
        "field": field if request.htmx else "q",
        "query": query,
        "options": options,
        "problem": problem,
        "refresh_url": _refresh_url(request),
    }
    return render(request, PAGE + "#results" if request.htmx else PAGE, context)


ACCOUNTS = Search(LOOKUPS["account_id"], "Find an account", catalogue.account_search)
CUSTOMERS = Search(LOOKUPS["customer_id"], "Find an end customer", catalogue.customer_search)
CARRIERS = Search(LOOKUPS["carrier_id"], "Find a carrier", catalogue.carrier_search)


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_accounts(request: DeskRequest) -> HttpResponse:
    """Suggest accounts by code or name."""
    return _search(request, ACCOUNTS)


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_customers(request: DeskRequest) -> HttpResponse:
    """Suggest end customers by code or name."""
    return _search(request, CUSTOMERS)


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_carriers(request: DeskRequest) -> HttpResponse:
    """Suggest active carriers by name or code."""
    return _search(request, CARRIERS)


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_products(request: DeskRequest) -> HttpResponse:
    """Suggest products for a line by SKU, barcode, description words or id, with stock."""
    field = next((name for name in request.GET if LINE_PRODUCT.match(name)), "q")
    query = _typed(request.GET, "q", field, max_length=100)
    account_id, warehouse_id = _id(request.GET, "account_id"), _id(request.GET, "warehouse_id")
    problem = ""
    try:
        found = catalogue.product_search(
            tenant=lookup_tenant(request),
            text=query,
            account_id=account_id,
            warehouse_id=warehouse_id,
            refresh=_refresh(request),
        )
    except LookupUnavailable as unavailable:
        problem = unavailable.message
        found = catalogue.ProductSearch(
            options=[], exact=None, typed_id=id_from_text(query, max_digits=MAX_ID_DIGITS)
        )
    context = {
        "title": "Find a product",
        "products": True,
        "field": field if request.htmx else "q",
        "query": query.strip(),
        "options": found.options,
        "typed_id": found.typed_id,
        "account_id": account_id,
        "warehouse_id": warehouse_id,
        "problem": problem,
        "refresh_url": _refresh_url(request),
    }
    return render(request, PAGE + "#results" if request.htmx else PAGE, context)


def _label_json(choice: catalogue.Choice | None) -> str:
    if choice is None:
        return ""
    return json.dumps({"code": choice.code, "name": choice.name}, ensure_ascii=False)


def _choices(
    request: DeskRequest,
    lookup: Lookup,
    title: str,
    fetch: Callable[[Tenant, bool], list[catalogue.Choice]] | None,
    note: str = "",
) -> HttpResponse:
    """Render a choice lookup: a choice list for the entry page, a list of ids as a page."""
    selected = _id(request.GET, lookup.id_name)
    choices: list[catalogue.Choice] | None = None
    problem = ""
    if fetch is not None:
        try:
            choices = fetch(lookup_tenant(request), _refresh(request))
        except LookupUnavailable as unavailable:
            problem = unavailable.message
    chosen = next((choice for choice in choices or [] if choice.id == selected), None)
    if selected is None and chosen is None:
        # Nothing chosen yet: start on Clarus's default (a carrier's default service).
        chosen = next((choice for choice in choices or [] if choice.is_default), None)
    if request.htmx:
        context = {
            "lookup": lookup,
            "choices": choices,
            "selected": chosen.id if chosen else None,
            "value": selected if choices is None else "",
            "label_json": _label_json(chosen),
            "problem": problem,
            "note": note,
        }
        return render(request, CHOICE, context)
    context = {
        "title": title,
        "lookup": lookup,
        "options": choices or [],
        "problem": problem,
        "note": note,
        "listing": True,
        "refresh_url": _refresh_url(request),
    }
    return render(request, PAGE, context)


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_warehouses(request: DeskRequest) -> HttpResponse:
    """List the account's warehouses (all of the tenant's before an account is chosen)."""
    account_id = _id(request.GET, "account_id")
    return _choices(
        request,
        LOOKUPS["warehouse_id"],
        "Warehouses" if account_id is None else f"Warehouses of account {account_id}",
        lambda tenant, refresh: catalogue.warehouse_list(
            tenant=tenant, account_id=account_id, refresh=refresh
        ),
    )


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_carrier_services(request: DeskRequest) -> HttpResponse:
    """List the chosen carrier's active services."""
    carrier_id = _id(request.GET, "carrier_id")
    if carrier_id is None:
        return _choices(
            request,
            LOOKUPS["carrier_service_id"],
            "Carrier services",
            None,
            note="Choose the carrier first to see its services.",
        )
    return _choices(
        request,
        LOOKUPS["carrier_service_id"],
        f"Active services of carrier {carrier_id}",
        lambda tenant, refresh: catalogue.carrier_service_list(
            tenant=tenant, carrier_id=carrier_id, refresh=refresh
        ),
    )


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def lookup_order_types(request: DeskRequest) -> HttpResponse:
    """List the client's own order types."""
    return _choices(
        request,
        LOOKUPS["order_type_id"],
        "Client order types",
        lambda tenant, refresh: catalogue.order_type_list(tenant=tenant, refresh=refresh),
    )


@tenant_view(roles=KEYING_ROLES)
@require_POST
def lookup_refresh(request: DeskRequest) -> HttpResponse:
    """Forget the tenant's cached lists, so suggestions and choices come fresh from Clarus."""
    lookups_refresh(tenant=lookup_tenant(request))
    said = f"Lists refreshed from Clarus at {timezone.localtime():%H:%M:%S}."
    if request.htmx:
        response = HttpResponse(said)
        # The choice lists listen for this and ask again (templates/orders/order_form.html).
        response["HX-Trigger"] = "lookups-refreshed"
        return response
    messages.info(request, said)
    return redirect("orders:create")
