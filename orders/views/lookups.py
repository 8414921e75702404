"""The lookups behind the entry page: suggestions and choice lists from Clarus, by name or code.

One view answers every lookup of the registry (``forms.lookups.REGISTRY``): htmx gets a fragment
for the entry page and, asked for as a page, a plain search page that shows Clarus ids an agent
can type (progressive enhancement). A fragment can be requested on its own, so the view checks
the user's role here. When Clarus cannot answer, the
fragment still comes back 200 (htmx swaps only 2xx) and says so next to the field.
"""

import json
import re

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from orders import permissions
from orders.access import DeskRequest, keying_tenant, tenant_view
from orders.domain import CLARUS_ID_MAX_DIGITS, Choice, ProductSearch
from orders.forms.lookups import REGISTRY, Lookup
from orders.forms.paste import line_text_parse
from orders.inputs import clean_text, id_from_text
from orders.selectors.catalogue import LookupUnavailable
from orders.services.lookups import lookups_refresh

PAGE = "orders/lookup_page.html"
CHOICE = "orders/partials/lookup_choice.html"
LINE_PRODUCT = re.compile(r"^lines-[0-9]{1,3}-product$")


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


def _search(request: DeskRequest, lookup: Lookup) -> HttpResponse:
    field = lookup.text_name
    query = _typed(request.GET, "q", field, max_length=200).strip()
    options: list[Choice] = []
    problem = ""
    tenant = keying_tenant(request)
    try:
        options = lookup.selector(tenant=tenant, text=query, refresh=_refresh(request))
    except LookupUnavailable as unavailable:
        problem = unavailable.message
    if lookup.id_name == "account_id":
        # Only the accounts the user keys for, where their tenant admin chose them.
        limited_to = permissions.account_limits(memberships=request.memberships).get(tenant.pk, [])
        options = [
            option
            for option in options
            if permissions.may_key_for_account(limited_to=limited_to, account_id=option.id)
        ]
    context = {
        "title": lookup.title,
        "lookup": lookup,
        "field": field if request.htmx else "q",
        "query": query,
        "options": options,
        "problem": problem,
        "refresh_url": _refresh_url(request),
    }
    return render(request, PAGE + "#results" if request.htmx else PAGE, context)


def _products(request: DeskRequest, lookup: Lookup) -> HttpResponse:
    """Suggest products for a line by SKU, barcode, description words or id, with stock."""
    field = next((name for name in request.GET if LINE_PRODUCT.match(name)), "q")
    query = _typed(request.GET, "q", field, max_length=100)
    # "SKU x4", "4 x SKU": the product is looked up by its code, the quantity goes to its box.
    said = line_text_parse(query)
    code = said.code if said.quantity else query
    account_id, warehouse_id = _id(request.GET, "account_id"), _id(request.GET, "warehouse_id")
    problem = ""
    try:
        found = lookup.selector(
            tenant=keying_tenant(request),
            text=code,
            account_id=account_id,
            warehouse_id=warehouse_id,
            refresh=_refresh(request),
        )
    except LookupUnavailable as unavailable:
        problem = unavailable.message
        found = ProductSearch(
            options=[],
            exact=None,
            typed_id=id_from_text(code, max_digits=CLARUS_ID_MAX_DIGITS),
        )
    context = {
        "title": lookup.title,
        "products": True,
        "field": field if request.htmx else "q",
        "query": query.strip(),
        "typed_code": code.strip(),
        "quantity": said.quantity,
        "options": found.options,
        "typed_id": found.typed_id,
        "account_id": account_id,
        "warehouse_id": warehouse_id,
        "problem": problem,
        "refresh_url": _refresh_url(request),
    }
    return render(request, PAGE + "#results" if request.htmx else PAGE, context)


def _label_json(choice: Choice | None) -> str:
    if choice is None:
        return ""
    return json.dumps({"code": choice.code, "name": choice.name}, ensure_ascii=False)


def _choices(request: DeskRequest, lookup: Lookup) -> HttpResponse:
    """Render a choice lookup: a choice list for the entry page, a list of ids as a page.

    Its params (an account's warehouses, a carrier's services) come from the request; without
    the one it ``needs`` there is nothing to list, and the page says what to choose first.
    """
    params = {name: _id(request.GET, name) for name in lookup.params}
    given = next(iter(params.values()), None)
    title = lookup.title_with.format(given) if lookup.title_with and given else lookup.title
    missing = bool(lookup.needs) and params.get(lookup.needs) is None
    note = lookup.note if missing else ""
    selected = _id(request.GET, lookup.id_name)
    choices: list[Choice] | None = None
    problem = ""
    if not missing:
        try:
            choices = lookup.selector(
                tenant=keying_tenant(request), refresh=_refresh(request), **params
            )
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


# How each kind of lookup is answered.
ANSWERS = {"search": _search, "product": _products, "choice": _choices}


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def lookup(request: DeskRequest, *, name: str) -> HttpResponse:
    """Answer one lookup of the registry (``forms.lookups.REGISTRY``) by its name."""
    entry = REGISTRY[name]
    return ANSWERS[entry.kind](request, entry)


@tenant_view(may=permissions.may_key)
@require_POST
def lookup_refresh(request: DeskRequest) -> HttpResponse:
    """Forget the tenant's cached lists, so suggestions and choices come fresh from Clarus."""
    lookups_refresh(tenant=keying_tenant(request))
    said = f"Lists refreshed from Clarus at {timezone.localtime():%H:%M:%S}."
    if request.htmx:
        response = HttpResponse(said)
        # The choice lists listen for this and ask again (templates/orders/order_form.html).
        response["HX-Trigger"] = "lookups-refreshed"
        return response
    messages.info(request, said)
    return redirect("orders:create")
