"""Drafts of orders: saved as the agent types (htmx), listed in "My drafts", resumed, deleted."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from orders import permissions
from orders.access import DeskRequest, desk_redirect, keying_tenant, tenant_view
from orders.forms.drafts import (
    draft_data,
    draft_entry,
    draft_focus,
    draft_form_token,
    draft_summary,
)
from orders.forms.entry import MAX_LINES, default_dispatch_time
from orders.models import Draft
from orders.selectors import drafts as selectors
from orders.services import drafts as services

# Says nothing of why: another agent's draft is told apart from a deleted one by no one.
NOT_KEPT = (
    "That draft is no longer kept (it was sent or deleted, or is not yours to resume): "
    "here is a new order."
)


@tenant_view(may=permissions.may_key)
@require_POST
@vary_on_headers("HX-Request")
def draft_save(request: DeskRequest) -> HttpResponse:
    """Keep the entry form as it is now (the page's autosave); answer with the draft's status."""
    if not request.htmx:
        return redirect("orders:create")
    form_token = draft_form_token(request.POST)
    said = "Not saved as a draft: this page is out of date. Open a new order."
    draft = None
    if form_token is not None:
        data = draft_data(request.POST)
        summary = draft_summary(data)
        draft = services.draft_save(
            user=request.user,
            memberships=request.memberships,
            tenant=keying_tenant(request),
            form_token=form_token,
            form_data=data,
            reference=summary.reference,
            summary=summary.summary,
        )
        said = (
            f"Draft saved at {timezone.localtime(draft.updated_at):%H:%M:%S}."
            if draft is not None
            else "This order is saved already (see its page): it is no longer kept as a draft."
        )
    response = render(request, "orders/_drafts.html#draft-status", {"said": said})
    if draft is not None:
        # The page's address becomes the draft's (static/orders/drafts.js): a reload, or the
        # browser brought back after a crash, opens the order as it was left.
        trigger_client_event(response, "draft:saved", {"url": draft.get_absolute_url()})
    return response


@tenant_view(may=permissions.may_key)
@require_GET
def draft_list(request: DeskRequest) -> HttpResponse:
    """ "My drafts": the agent's half-keyed orders (a supervisor's: the tenant's), newest first."""
    drafts = selectors.draft_list(
        user=request.user, memberships=request.memberships, tenant=request.membership.tenant
    )
    context = {
        "drafts": drafts,
        "everyone": permissions.may_see_all_orders(request.membership),
        "days": f"{settings.DESK_DRAFT_DAYS:g}",
    }
    return render(request, "orders/drafts.html", context)


def _draft(request: DeskRequest, draft_id: int) -> Draft:
    draft = selectors.draft_get(
        draft_id=draft_id, user=request.user, memberships=request.memberships
    )
    if draft is None:
        raise Http404("No such draft.")
    return draft


@tenant_view(may=permissions.may_key)
@require_GET
def draft_open(request: DeskRequest, draft_id: int) -> HttpResponse:
    """Resume a draft: the entry page exactly as it was left, sending with the draft's own token.

    A draft no longer kept (sent, deleted, purged, or never the agent's to open) leads to a new
    order: the page's address is a draft's once it autosaves, so a reload or the Back button
    after sending lands here.
    """
    draft = selectors.draft_get(
        draft_id=draft_id, user=request.user, memberships=request.memberships
    )
    if draft is None:
        messages.info(request, NOT_KEPT)
        return redirect("orders:create")
    order = selectors.draft_order(draft=draft)
    if order is not None:
        messages.info(request, "This draft was sent already: here is its order.")
        return redirect(order.get_absolute_url())
    tenants = permissions.keying_tenants(memberships=request.memberships, first=draft.tenant)
    if tenants[0].pk != draft.tenant_id:
        raise Http404("No such draft.")
    entry = draft_entry(draft.form_data, tenants=tenants)
    context = {
        "form": entry.form,
        "formset": entry.formset,
        "action": reverse("orders:create"),
        "max_lines": MAX_LINES,
        "problem": "",
        "problem_details": [],
        "draft": draft,
        "address_save_form": entry.address_save_form,
        "caller_text": entry.caller_text,
        "caller_order": entry.caller_order,
        # As the entry page: the box it opens on, and the dispatch time a date alone takes.
        "focus_id": draft_focus(entry),
        "default_dispatch_time": default_dispatch_time().strftime("%H:%M"),
    }
    return render(request, "orders/order_form.html", context)


@tenant_view(may=permissions.may_key)
@require_POST
def draft_delete(request: DeskRequest, draft_id: int) -> HttpResponse:
    """Delete a draft that is no longer wanted."""
    draft = _draft(request, draft_id)
    services.draft_delete(draft=draft)
    messages.success(request, "Draft deleted.")
    return desk_redirect(request, reverse("orders:drafts"))
