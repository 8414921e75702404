"""Order entry, the row fragment, the order page and the recent-orders list."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from orders import clarus, lookups, selectors, services
from orders.access import DeskRequest, tenant_view
from orders.audit import FieldChange, body_changes
from orders.forms import (
    LINES_PREFIX,
    MAX_LINES,
    BaseOrderLineFormSet,
    OrderForm,
    add_clarus_errors,
    labelled_address,
    labelled_header,
    line_formset,
)
from orders.lookup_cache import lookups_refresh
from orders.models import KEYING_ROLES, AttemptOutcome, OrderStatus, Tenant
from orders.payloads import address_attributes, header_attributes

FORM_TEMPLATE = "orders/order_form.html"


def _render_entry(
    request: DeskRequest,
    form: OrderForm,
    formset: BaseOrderLineFormSet,
    *,
    problem: str = "",
    problem_details: list[str] | None = None,
    order: Any = None,
) -> HttpResponse:
    template = FORM_TEMPLATE + "#order-form" if request.htmx else FORM_TEMPLATE
    context = {
        "form": form,
        "formset": formset,
        "max_lines": MAX_LINES,
        "problem": problem,
        "problem_details": problem_details or [],
        "problem_order": order,
    }
    return render(request, template, context)


def _redirect(request: DeskRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _keying_tenants(request: DeskRequest) -> list[Tenant]:
    """Return the tenants the user may key for, the current one first."""
    tenants = [m.tenant for m in request.memberships if m.can_key]
    if not tenants:
        raise PermissionDenied("Your role does not include keying orders.")
    current = request.membership.tenant
    return sorted(tenants, key=lambda tenant: tenant.pk != current.pk)


@tenant_view()
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def order_create(request: DeskRequest) -> HttpResponse:
    tenants = _keying_tenants(request)
    if request.method == "GET":
        if request.GET.get("refresh") == "1":
            # "Refresh lists": the lookups on this page ask Clarus afresh (orders.lookup_cache).
            lookups_refresh(tenant=tenants[0])
        return _render_entry(request, OrderForm(tenants=tenants), line_formset())

    form = OrderForm(request.POST, tenants=tenants)
    formset = line_formset(request.POST)
    if "add_line" in request.POST and not request.htmx:
        # Without JavaScript the "Add line" button posts the form: show it again, one row longer.
        # (With htmx it fetches a row instead, but htmx may still name it as the last submitter.)
        return _render_entry(request, form, _with_blank_row(request.POST))
    if not (form.is_valid() and formset.is_valid()):
        problem = "Please correct the fields marked below."
        return _render_entry(request, form, formset, problem=problem)

    try:
        result = services.order_submit(
            form_token=form.cleaned_data["form_token"],
            keyed=services.KeyedOrder(
                tenant=form.cleaned_data["tenant"],
                header=header_attributes(form.cleaned_data),
                lines=formset.lines(),
                address=address_attributes(form.cleaned_data),
                labels=form.labels(),
                keying_started_at=form.keying_started_at(),
            ),
            user=request.user,
        )
    except services.DuplicateReference as duplicate:
        earlier = duplicate.earlier
        form.add_error(
            "reference",
            f"{earlier.reference} was already keyed on {earlier.created_at:%d %b %Y %H:%M} by "
            f"{earlier.created_by.username}.",
        )
        problem = "This reference is already used by an earlier order."
        return _render_entry(request, form, formset, problem=problem, order=earlier)
    if result.outcome == AttemptOutcome.REJECTED:
        # Only a rejection needs the agent's hands: show the form again with Clarus's reasons.
        unplaced = add_clarus_errors(form, formset, result.errors)
        return _render_entry(
            request,
            form,
            formset,
            problem=result.message,
            problem_details=unplaced,
            order=result.order,
        )
    # Sent, or saved and in the desk's hands (it retries or checks by itself): on to its page.
    notify = messages.success if result.sent else messages.warning
    notify(request, result.message)
    return _redirect(request, result.order.get_absolute_url())


def _with_blank_row(data: QueryDict) -> BaseOrderLineFormSet:
    data = data.copy()
    total_key = f"{LINES_PREFIX}-TOTAL_FORMS"
    data[total_key] = str(min(line_formset(data).total_form_count() + 1, MAX_LINES))
    return line_formset(data)


def _supervises(request: DeskRequest, order: Any) -> bool:
    """Return whether the user is a supervisor of the order's tenant."""
    return any(m.tenant_id == order.tenant_id and m.sees_all_orders for m in request.memberships)


@tenant_view()
@require_POST
def order_cancel(request: DeskRequest, order_id: int) -> HttpResponse:
    """Cancel the goods-out in Clarus: supervisors of the order's tenant, with a reason."""
    order = _visible_order(request, order_id)
    if not _supervises(request, order):
        raise PermissionDenied("Only a supervisor can cancel an order in Clarus.")
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, "Say why the order is cancelled.")
        return _redirect(request, order.get_absolute_url())
    result = services.order_cancel(order=order, user=request.user, reason=reason[:300])
    (messages.success if result.cancelled else messages.error)(request, result.message)
    return _redirect(request, order.get_absolute_url())


@tenant_view(roles=KEYING_ROLES)
@require_GET
@vary_on_headers("HX-Request")
def order_line_row(request: DeskRequest) -> HttpResponse:
    """Return one blank line row, numbered after the rows the page already has."""
    if not request.htmx:
        return redirect("orders:create")
    raw_index = request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS", "")
    if not raw_index.isdigit() or int(raw_index) >= MAX_LINES:
        return HttpResponseBadRequest(f"An order has at most {MAX_LINES} lines.")
    index = int(raw_index)
    formset = line_formset()
    row = formset.form(
        prefix=formset.add_prefix(index), empty_permitted=True, use_required_attribute=False
    )
    formset.add_fields(row, index)
    context = {"line": row, "index": index, "total_forms": index + 1, "autofocus": True}
    return render(request, FORM_TEMPLATE + "#new-line-row", context)


def _visible_order(request: DeskRequest, order_id: int) -> Any:
    order = selectors.order_get_for_detail(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    if order is None:
        raise Http404("No such order.")
    return order


@tenant_view()
@require_GET
def order_detail(request: DeskRequest, order_id: int) -> HttpResponse:
    order = _visible_order(request, order_id)
    context = {
        **_detail_context(order),
        "can_cancel": order.status == OrderStatus.SENT and _supervises(request, order),
    }
    return render(request, "orders/order_detail.html", context)


@tenant_view()
@require_GET
@vary_on_headers("HX-Request")
def order_clarus_status(request: DeskRequest, order_id: int) -> HttpResponse:
    """Ask Clarus how the goods-out stands now: a fragment for htmx, else the order page."""
    order = _visible_order(request, order_id)
    try:
        status = lookups.clarus_goods_out_status(tenant=order.tenant, reference=order.reference)
        problem = "" if status else "Clarus has no goods-out with this reference."
    except clarus.ClarusQueryError as exc:
        status, problem = None, f"Clarus could not be asked just now: {exc}"
    context = {"order": order, "clarus_status": status, "clarus_problem": problem, "checked": True}
    if request.htmx:
        return render(request, "orders/order_detail.html#clarus-status", context)
    return render(request, "orders/order_detail.html", {**_detail_context(order), **context})


def _detail_context(order: Any) -> dict[str, Any]:
    return {
        "order": order,
        "header": labelled_header(order.header, order.labels),
        "address": labelled_address(order.address),
        "transitions": order.transitions.select_related("user"),
        "attempts": _attempts_with_changes(list(order.attempts.all())),
        "webhooks": selectors.webhook_list_for_order(order=order),
    }


def _attempts_with_changes(newest_first: list[Any]) -> list[tuple[Any, list[FieldChange]]]:
    """Pair each attempt with what its request changed since the attempt before it."""
    older_ones: list[Any] = [*newest_first[1:], None]
    return [
        (attempt, body_changes(older.request_body, attempt.request_body) if older else [])
        for attempt, older in zip(newest_first, older_ones, strict=False)
    ]


@tenant_view()
@require_POST
def order_resend(request: DeskRequest, order_id: int) -> HttpResponse:
    order = _visible_order(request, order_id)
    result = services.order_resend(order=order, user=request.user)
    if result.sent:
        messages.success(request, result.message)
    elif result.outcome is None:
        messages.info(request, result.message)
    else:
        messages.error(request, result.message)
    return _redirect(request, order.get_absolute_url())


@tenant_view()
@require_GET
def home(request: DeskRequest) -> HttpResponse:
    """Send each member of staff to where their role in the current tenant starts."""
    if request.membership.can_key:
        return redirect("orders:create")
    return redirect("tenants:settings")
