"""The order page and what can be done from it: resend, cancel, ask Clarus how it stands."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from orders import clarus, lookups, selectors, services
from orders.access import DeskRequest, desk_redirect, tenant_view
from orders.audit import FieldChange, body_changes
from orders.forms import clarus_source_label, labelled_address, labelled_header
from orders.inputs import clean_text
from orders.models import OrderStatus


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
    reason = clean_text(request.POST.get("reason", "")).strip()
    if not reason:
        messages.error(request, "Say why the order is cancelled.")
        return desk_redirect(request, order.get_absolute_url())
    result = services.order_cancel(order=order, user=request.user, reason=reason[:300])
    (messages.success if result.cancelled else messages.error)(request, result.message)
    return desk_redirect(request, order.get_absolute_url())


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
        "can_rekey": selectors.order_may_rekey(
            order=order, user=request.user, memberships=request.memberships
        ),
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
    attempts = list(order.attempts.all())
    return {
        "order": order,
        "header": labelled_header(order.header, order.labels),
        "address": labelled_address(order.address),
        "transitions": order.transitions.select_related("user"),
        "attempts": _attempts_with_changes(attempts),
        "rejection": _rejection(attempts[0]) if attempts else [],
        "webhooks": selectors.webhook_list_for_order(order=order),
    }


def _rejection(newest: Any) -> list[dict[str, str]]:
    """Return Clarus's reasons for refusing the newest attempt, each with the field it names."""
    reasons = []
    for error in services.rejection_errors(newest):
        field = clarus_source_label(error.source)
        # Clarus may name the line in its words too ("Line 2: …"): say it once.
        line = field.partition(",")[0]
        details = (
            error.details.removeprefix(f"{line}: ") if line.startswith("Line ") else error.details
        )
        reasons.append({"field": field, "details": details})
    return reasons


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
    return desk_redirect(request, order.get_absolute_url())


@tenant_view()
@require_GET
def home(request: DeskRequest) -> HttpResponse:
    """Send each member of staff to where their role in the current tenant starts."""
    if request.membership.can_key:
        return redirect("orders:create")
    return redirect("tenants:settings")
