"""Amending a sent order in Clarus: the form filled as Clarus holds it, the preview, the send."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from orders import display, permissions, states
from orders.access import DeskRequest, desk_redirect, tenant_view
from orders.forms.amend import OUT_OF_DATE, AmendEntry, amendment_digest, base_read
from orders.models import Order
from orders.selectors import orders as selectors
from orders.services import amend

TEMPLATE = "orders/amend.html"


def _amendable_order(request: DeskRequest, order_id: int) -> Order:
    """Return an order the user may see and amend, else 404 (not theirs to see) or 403."""
    order = selectors.order_get_for_detail(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    if order is None:
        raise Http404("No such order.")
    if not permissions.order_may_amend(
        order=order, user=request.user, memberships=request.memberships
    ):
        raise PermissionDenied("Only who keyed this order, or a supervisor, can amend it.")
    return order


def _render(
    request: DeskRequest, order: Order, entry: AmendEntry | None, **extra: Any
) -> HttpResponse:
    context = {"order": order, "entry": entry, "problem_details": [], **extra}
    if entry is not None:
        context.update(
            form=entry.form,
            formset=entry.lines,
            base=entry.base,
            focus_id=entry.focus_id(),
            more_open=entry.more_has_problem(),
        )
    return render(request, TEMPLATE, context)


@tenant_view()
@require_http_methods(["GET", "POST"])
def order_amend(request: DeskRequest, order_id: int) -> HttpResponse:
    """Amend a sent order: GET fills the form from Clarus; POST previews, then sends."""
    order = _amendable_order(request, order_id)
    if not states.amendable(order.status):
        messages.info(request, "Only an order Clarus has accepted can be amended.")
        return desk_redirect(request, order.get_absolute_url())
    if request.method == "GET":
        waiting = selectors.order_amendment_waiting(order=order)
        if waiting is not None:
            # Decide it first: Clarus may hold it already, and the form would show it as done.
            problem = f"An earlier amendment waits for Clarus's answer: {waiting.note}"
            return _render(request, order, None, problem=problem, waiting=True)
        opened = amend.order_amend_open(order=order)
        if opened.read is None:
            return _render(request, order, None, problem=opened.problem)
        return _render(request, order, AmendEntry.unbound(order, opened.read))
    base = base_read(order, request.POST.get("base", ""))
    if base is None:
        return _render(request, order, None, problem=OUT_OF_DATE)
    entry = AmendEntry.bound(request.POST, order, base, blank_row="add_line" in request.POST)
    if "add_line" in request.POST or not entry.is_valid():
        problem = "" if "add_line" in request.POST else "Please correct the fields marked below."
        return _render(request, order, entry, problem=problem)
    change = entry.amendment()
    if change.empty:
        return _render(request, order, entry, problem="Nothing is changed yet.")
    digest = amendment_digest(change)
    preview = {"preview": display.amendment_rows(change), "digest": digest}
    if "send" not in request.POST or request.POST.get("reviewed") != digest:
        return _render(request, order, entry, **preview)
    result = amend.order_amend(
        order=order,
        user=request.user,
        token=entry.form.cleaned_data["form_token"],
        base=base,
        after=entry.after(),
    )
    if result.applied:
        messages.success(request, result.message)
        return desk_redirect(request, order.get_absolute_url())
    unplaced = entry.place_refusals(change, list(result.refusals))
    return _render(
        request,
        order,
        entry,
        problem=result.message,
        problem_details=unplaced,
        conflict=result.conflict,
        waiting=result.waiting,
        **preview,
    )


@tenant_view()
@require_POST
def order_amend_check(request: DeskRequest, order_id: int) -> HttpResponse:
    """Ask Clarus about an amendment that got no answer: adopt it, send it again, or say so."""
    order = _amendable_order(request, order_id)
    result = amend.order_amend_check(order=order, user=request.user)
    (messages.success if result.applied else messages.warning)(request, result.message)
    return desk_redirect(request, order.get_absolute_url())
