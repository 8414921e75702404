"""Who is calling: suggestions from the caller box, the caller's panel beside the entry form,
their earlier order's lines into the form, and the recent addresses of an account or customer."""

from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from orders import permissions
from orders.access import DeskRequest, keying_tenant, tenant_view
from orders.forms.caller import address_choice, repeated_lines
from orders.forms.entry import LINES_PREFIX, MAX_LINES, line_formset
from orders.inputs import id_from_text, index_from_text
from orders.selectors import caller
from orders.selectors.orders import order_get_for_detail

TEMPLATE = "orders/_caller_panel.html"


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def caller_search(request: DeskRequest) -> HttpResponse:
    """Suggest the callers the caller box's text may name (``caller``)."""
    if not request.htmx:
        return redirect("orders:create")
    text = request.GET.get("caller", "")
    matches = caller.caller_search(
        user=request.user,
        memberships=request.memberships,
        tenant=keying_tenant(request),
        text=text,
    )
    searched = len(caller.caller_text(text)) >= 2
    return render(
        request, TEMPLATE + "#caller-suggestions", {"matches": matches, "searched": searched}
    )


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def caller_panel(request: DeskRequest) -> HttpResponse:
    """Show the picked caller (``caller_order``, an order of theirs): last orders, addresses."""
    if not request.htmx:
        return redirect("orders:create")
    order_id = id_from_text(request.GET.get("caller_order"))
    panel = None
    if order_id is not None:
        panel = caller.caller_panel(
            user=request.user,
            memberships=request.memberships,
            tenant=keying_tenant(request),
            order_id=order_id,
        )
    context = {
        "panel": panel,
        "addresses": [address_choice(a) for a in panel.addresses] if panel else [],
    }
    return render(request, TEMPLATE + "#caller-details", context)


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def caller_addresses(request: DeskRequest) -> HttpResponse:
    """Offer the recent addresses of the end customer picked (else of the account picked)."""
    if not request.htmx:
        return redirect("orders:create")
    customer_id = id_from_text(request.GET.get("customer_id"))
    account_id = id_from_text(request.GET.get("account_id"))
    addresses = caller.recent_addresses(
        user=request.user,
        memberships=request.memberships,
        tenant=keying_tenant(request),
        account_id=account_id,
        customer_id=customer_id,
    )
    context = {
        "addresses": [address_choice(a) for a in addresses],
        "of_customer": customer_id is not None,
        "asked": customer_id is not None or account_id is not None,
    }
    return render(request, TEMPLATE + "#recent-addresses", context)


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def caller_lines(request: DeskRequest, order_id: int) -> HttpResponse:
    """Add an earlier order's lines to the form, as "Copy into a new order" copies them."""
    if not request.htmx:
        return redirect("orders:copy", order_id=order_id)
    order = order_get_for_detail(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    # Lines name products of the order's own tenant: only into a form keyed for it.
    if order is None or order.tenant_id != keying_tenant(request).pk:
        raise Http404("No such order.")
    if not permissions.order_may_rekey(
        order=order, user=request.user, memberships=request.memberships
    ):
        raise Http404("No such order.")
    total = index_from_text(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS"), below=MAX_LINES + 1)
    if total is None:
        return HttpResponseBadRequest(f"An order has at most {MAX_LINES} lines.")
    into = index_from_text(request.GET.get("into"), below=total) if total else None
    repeated = repeated_lines(order=order, formset=line_formset(), total=total, into=into)
    context = {
        "rows": repeated.rows,
        "blank": repeated.blank,
        "blank_focus": True,
        "total_forms": repeated.total_forms,
        "said": repeated.said,
    }
    return render(request, "orders/order_form.html#pasted-lines", context)
