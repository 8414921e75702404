"""The order page and what can be done from it: resend, cancel, ask Clarus how it stands."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from orders import audit, display, permissions, states
from orders.access import DeskRequest, desk_redirect, tenant_view
from orders.audit import attempts_with_changes
from orders.forms.orders import CancelForm
from orders.inputs import clean_text
from orders.selectors import orders as selectors
from orders.services import cancel, submission


@tenant_view()
@require_POST
def order_cancel(request: DeskRequest, order_id: int) -> HttpResponse:
    """Cancel the goods-out in Clarus: supervisors of the order's tenant, with a reason."""
    order = _visible_order(request, order_id)
    if not permissions.order_may_cancel(order=order, memberships=request.memberships):
        raise PermissionDenied("Only a supervisor can cancel an order in Clarus.")
    form = CancelForm({"reason": clean_text(request.POST.get("reason", ""))})
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors["reason"]))
        return desk_redirect(request, order.get_absolute_url())
    result = cancel.order_cancel(order=order, user=request.user, reason=form.cleaned_data["reason"])
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
    return render(request, "orders/order_detail.html", _page_context(request, order_id))


def _page_context(request: DeskRequest, order_id: int) -> dict[str, Any]:
    """The order page's context: the order with all it shows, and what the user may do."""
    page = selectors.order_page_get(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    if page is None:
        raise Http404("No such order.")
    order, memberships = page.order, request.memberships
    attempts = page.attempts
    return {
        "order": order,
        "page": page,
        "can_correct": page.can_correct,
        "header": display.header_rows(order.header, order.labels),
        "address": display.address_rows(selectors.order_address(order=order)),
        "attempts": attempts_with_changes(attempts),
        "rejection": display.refusal_rows(audit.attempt_refusals(attempts[0])) if attempts else [],
        "webhooks": page.webhooks,
        "webhook_said": page.webhook_said,
        "clarus_said": page.clarus_said,
        "versions": [
            (version, display.amendment_rows(version.changes) if version.changes else [])
            for version in audit.versions_from(
                order, keyed_by=page.keyed_by, amendments=page.amendments
            )
        ],
        "amendment_waiting": page.amendment_waiting,
        # Which approval rules held the order, as each stood then (docs/approvals.md).
        "holds": page.holds,
        "can_cancel": states.cancellable(order.status)
        and permissions.order_may_cancel(order=order, memberships=memberships),
        "can_rekey": permissions.order_may_rekey(
            order=order, user=request.user, memberships=memberships
        ),
        "can_amend": states.amendable(order.status)
        and order.personal_data_removed_at is None
        and permissions.order_may_amend(order=order, user=request.user, memberships=memberships),
        "can_decide": states.awaiting_decision(order.status)
        and permissions.order_may_decide(order=order, memberships=memberships),
        # A failed order one of whose tries got no answer may be in Clarus: not let go.
        "can_withdraw": states.withdrawable(order.status)
        and page.can_correct
        and permissions.order_may_withdraw(order=order, user=request.user, memberships=memberships),
    }


@tenant_view()
@require_GET
@vary_on_headers("HX-Request")
def order_clarus_status(request: DeskRequest, order_id: int) -> HttpResponse:
    """Ask Clarus how the goods-out stands now: a fragment for htmx, else the order page."""
    order = _visible_order(request, order_id)
    answer = selectors.order_clarus_status(order=order)
    context = {
        "order": order,
        "clarus_status": answer.status,
        "clarus_problem": answer.problem,
        "checked": True,
    }
    if request.htmx:
        return render(request, "orders/order_detail.html#clarus-status", context)
    # The page's own order: it carries what the page reads (order_page_get).
    context.pop("order")
    return render(
        request, "orders/order_detail.html", {**_page_context(request, order_id), **context}
    )


@tenant_view()
@require_POST
def order_resend(request: DeskRequest, order_id: int) -> HttpResponse:
    order = _visible_order(request, order_id)
    if not permissions.order_may_resend(
        order=order, user=request.user, memberships=request.memberships
    ):
        raise PermissionDenied("You cannot send this order again.")
    result = submission.order_resend(order=order, user=request.user)
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
    if permissions.may_key(request.membership):
        return redirect("orders:create")
    return redirect("tenants:settings")
