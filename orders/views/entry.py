"""Keying orders: a new order, a line row, correcting a refused order, copying an old one."""

import secrets
import uuid
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.signals import setting_changed
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from orders import audit, permissions
from orders.access import DeskRequest, desk_redirect, tenant_view
from orders.forms.delivery_addresses import AddressSaveForm
from orders.forms.entry import (
    LINES_PREFIX,
    MAX_LINES,
    BaseOrderLineFormSet,
    OrderEntry,
    OrderForm,
    add_clarus_errors,
    default_dispatch_time,
    dispatch_understood,
    entry_focus,
    line_form,
    line_formset,
    only_account_initial,
    opened_stamp,
    order_entry_data,
    order_entry_initial,
    with_blank_row,
)
from orders.inputs import clean_text, index_from_text
from orders.models import AttemptOutcome, Order, Tenant
from orders.selectors import orders as selectors
from orders.services import submission
from orders.services.delivery_addresses import delivery_address_save
from orders.services.lookups import lookups_refresh

FORM_TEMPLATE = "orders/order_form.html"

# A blank entry form is the same for every agent keying for the same tenants on the same day but
# for three values: its form token, its "opened" stamp and the CSRF token. It is written by the
# templates once per process for each such set (``_blank_form``), with marks in those places, and
# each page fills in its own values (about two thirds of the entry page's time). The key holds
# everything else the form shows (the tenants' ids and names, the day, the default dispatch time),
# so a renamed tenant or a new membership writes it afresh; the templates only change with a new
# deploy, which starts new processes. Not kept in debug mode, where templates change as they are
# edited.
_BLANK_FORMS: dict[tuple[Any, ...], str] = {}
_BLANK_FORMS_KEPT = 256
_FORM_TOKEN_MARK = uuid.uuid4()
_OPENED_MARK = f"opened-mark-{secrets.token_hex(16)}"
_CSRF_MARK = f"csrf-mark-{secrets.token_hex(16)}"


# A blank line row is the same for every order but for its number: written once per number (at
# most MAX_LINES of them) and process, as the blank form is.
_LINE_ROWS: dict[int, str] = {}


def _forget_blank_forms(**kwargs: Any) -> None:
    _BLANK_FORMS.clear()
    _LINE_ROWS.clear()


# Tests change settings the form reads (the default dispatch time, the time zone …).
setting_changed.connect(_forget_blank_forms)


def _render_entry(
    request: DeskRequest,
    form: OrderForm,
    formset: BaseOrderLineFormSet,
    *,
    action: str,
    problem: str = "",
    problem_details: list[str] | None = None,
    order: Any = None,
    correcting: Order | None = None,
    copied_from: Order | None = None,
    address_save_form: AddressSaveForm | None = None,
) -> HttpResponse:
    template = FORM_TEMPLATE + "#order-form" if request.htmx else FORM_TEMPLATE
    context = {
        "form": form,
        "formset": formset,
        "action": action,
        "max_lines": MAX_LINES,
        "problem": problem,
        "problem_details": problem_details or [],
        "problem_order": order,
        "correcting": correcting,
        "copied_from": copied_from,
        # The box the page opens on: the first with an error, else the first to fill in.
        "focus_id": entry_focus(form, formset),
        "default_dispatch_time": default_dispatch_time().strftime("%H:%M"),
        "address_save_form": address_save_form,
    }
    return render(request, template, context)


def _blank_form_key(
    tenants: list[Tenant], action: str, today: date, initial: dict[str, Any]
) -> tuple[Any, ...]:
    return (
        action,
        # As the tenant list shows them (a tenant with no name shows its subdomain).
        tuple((tenant.pk, str(tenant)) for tenant in tenants),
        today,
        settings.DESK_DISPATCH_DEFAULT_TIME,
        # The one account a member keys for, as the form shows it.
        tuple((name, str(value)) for name, value in sorted(initial.items())),
    )


def _entry_initial(request: DeskRequest, tenants: list[Tenant]) -> dict[str, Any]:
    """Return what a new order starts with: the account, for a member who keys for one only."""
    limits = permissions.account_limits(memberships=request.memberships)
    return only_account_initial(limits.get(tenants[0].pk, [])) if tenants else {}


def _blank_form(request: DeskRequest, tenants: list[Tenant], *, action: str) -> SafeString:
    """Return a blank entry form (the page's ``#order-form``) with its own tokens filled in."""
    initial = _entry_initial(request, tenants)
    key = _blank_form_key(tenants, action, timezone.localdate(), initial)
    written = _BLANK_FORMS.get(key)
    if written is None:
        form = OrderForm(
            tenants=tenants,
            initial={"form_token": _FORM_TOKEN_MARK, "opened": _OPENED_MARK, **initial},
        )
        formset = line_formset()
        context = {
            "form": form,
            "formset": formset,
            "action": action,
            "max_lines": MAX_LINES,
            "problem": "",
            "problem_details": [],
            "problem_order": None,
            "correcting": None,
            "copied_from": None,
            "focus_id": entry_focus(form, formset),
            "default_dispatch_time": default_dispatch_time().strftime("%H:%M"),
            "address_save_form": None,
            "csrf_token": _CSRF_MARK,
        }
        written = render_to_string(FORM_TEMPLATE + "#order-form", context, request=request)
        if not settings.DEBUG:
            if len(_BLANK_FORMS) >= _BLANK_FORMS_KEPT:
                _BLANK_FORMS.clear()
            _BLANK_FORMS[key] = written
    filled = (
        written.replace(str(_FORM_TOKEN_MARK), str(uuid.uuid4()))
        .replace(_OPENED_MARK, opened_stamp())
        .replace(_CSRF_MARK, get_token(request))
    )
    return mark_safe(filled)


def _render_blank_entry(
    request: DeskRequest, tenants: list[Tenant], *, action: str
) -> HttpResponse:
    """The entry page with a blank form, as ``_render_entry`` writes it."""
    context = {
        "order_form_html": _blank_form(request, tenants, action=action),
        "correcting": None,
        "copied_from": None,
        "default_dispatch_time": default_dispatch_time().strftime("%H:%M"),
    }
    return render(request, FORM_TEMPLATE, context)


def _keying_tenants(request: DeskRequest, first: Tenant | None = None) -> list[Tenant]:
    """Return the tenants the user may key for, ``first`` (else the current one) first."""
    return permissions.keying_tenants(
        memberships=request.memberships, first=first or request.membership.tenant
    )


# The reference of an order the agent may not see (a colleague's, for an agent who sees only
# their own), as the reference check says it (templates/orders/_reference_check.html).
COLLEAGUES_REFERENCE = (
    "An earlier order for this tenant, keyed by a colleague, already has this reference: "
    "give this order its own."
)


def _submit_entry(
    request: DeskRequest, tenants: list[Tenant], *, action: str, correcting: Order | None = None
) -> HttpResponse:
    """Validate a posted entry form and send the order; show the form again if it needs work."""
    limits = permissions.account_limits(memberships=request.memberships)
    form = OrderForm(request.POST, tenants=tenants, account_limits=limits)
    formset = line_formset(request.POST)
    save_form = AddressSaveForm(request.POST)
    again: dict[str, Any] = {
        "action": action,
        "correcting": correcting,
        "address_save_form": save_form,
    }
    if "add_line" in request.POST and not request.htmx:
        # Without JavaScript the "Add line" button posts the form: show it again, one row longer.
        # (With htmx it fetches a row instead, but htmx may still name it as the last submitter.)
        return _render_entry(request, form, with_blank_row(request.POST), **again)
    if not (form.is_valid() and formset.is_valid() and save_form.check_entry(form)):
        problem = "Please correct the fields marked below."
        return _render_entry(request, form, formset, problem=problem, **again)

    try:
        result = submission.order_submit(
            form_token=form.cleaned_data["form_token"],
            keyed=OrderEntry(form, formset).keyed_order(),
            user=request.user,
        )
    except submission.DuplicateReference as duplicate:
        earlier = duplicate.earlier
        if not permissions.order_may_see(
            order=earlier, user=request.user, memberships=request.memberships
        ):
            # A colleague's order the agent may not open: that it exists, and nothing of it.
            form.add_error("reference", COLLEAGUES_REFERENCE)
            problem = "This reference is already used by an earlier order."
            return _render_entry(request, form, formset, problem=problem, **again)
        form.add_error(
            "reference",
            f"{earlier.reference} was already keyed on {earlier.created_at:%d %b %Y %H:%M} by "
            f"{earlier.created_by.username}.",
        )
        problem = "This reference is already used by an earlier order."
        return _render_entry(request, form, formset, problem=problem, order=earlier, **again)
    customer_id = save_form.customer_id(form)
    if customer_id is not None:
        delivery_address_save(order=result.order, user=request.user, customer_id=customer_id)
    if result.outcome == AttemptOutcome.REJECTED:
        # Only a rejection needs the agent's hands: show the form again with Clarus's reasons.
        unplaced = add_clarus_errors(form, formset, result.refusals)
        return _render_entry(
            request,
            form,
            formset,
            problem=result.message,
            problem_details=unplaced,
            order=result.order,
            **again,
        )
    # Sent, or saved and in the desk's hands (it retries or checks by itself): on to its page.
    notify = messages.success if result.sent else messages.warning
    notify(request, result.message)
    return desk_redirect(request, result.order.get_absolute_url())


@tenant_view()
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def order_create(request: DeskRequest) -> HttpResponse:
    tenants = _keying_tenants(request)
    action = reverse("orders:create")
    if request.method == "POST":
        return _submit_entry(request, tenants, action=action)
    if request.GET.get("refresh") == "1":
        # "Refresh lists": the lookups on this page ask Clarus afresh (orders.selectors.catalogue).
        lookups_refresh(tenant=tenants[0])
    if request.htmx:
        form = OrderForm(tenants=tenants, initial=_entry_initial(request, tenants))
        return _render_entry(request, form, line_formset(), action=action)
    return _render_blank_entry(request, tenants, action=action)


def _rekeyable_order(request: DeskRequest, order_id: int) -> Order:
    """Return an order the user may see and key again (correct or copy), else 404 or 403."""
    order = selectors.order_get_for_detail(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    if order is None:
        raise Http404("No such order.")
    if not permissions.order_may_rekey(
        order=order, user=request.user, memberships=request.memberships
    ):
        raise PermissionDenied("Only who keyed this order, or a supervisor, can key it again.")
    return order


@tenant_view()
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def order_correct(request: DeskRequest, order_id: int) -> HttpResponse:
    """Correct an order Clarus refused or the desk could not send, and send it again.

    The form is the order's own (its form token), so sending it updates the order and adds an
    attempt; the earlier attempts stay as they were.
    """
    order = _rekeyable_order(request, order_id)
    if not order.can_correct:
        messages.info(
            request, "Only an order that Clarus refused or that was not sent can be corrected."
        )
        return desk_redirect(request, order.get_absolute_url())
    action = reverse("orders:correct", args=[order.pk])
    if request.method == "POST":
        return _submit_entry(request, [order.tenant], action=action, correcting=order)
    # The order as it was sent, with Clarus's reasons beside the fields they name.
    data = order_entry_data(order)
    limits = permissions.account_limits(memberships=request.memberships)
    form = OrderForm(data, tenants=[order.tenant], account_limits=limits)
    formset = line_formset(data)
    form.is_valid()
    formset.is_valid()
    newest = order.attempts.all()[0] if order.attempts.all() else None
    unplaced = add_clarus_errors(form, formset, audit.attempt_refusals(newest) if newest else [])
    problem = order.status_note or "Correct the order and send it again."
    return _render_entry(
        request,
        form,
        formset,
        action=action,
        problem=problem,
        problem_details=unplaced,
        correcting=order,
    )


@tenant_view()
@require_GET
def order_copy(request: DeskRequest, order_id: int) -> HttpResponse:
    """Start a new order from an old one (a re-order): same account, lines and address."""
    order = _rekeyable_order(request, order_id)
    initial = order_entry_initial(order, fresh=True)
    form = OrderForm(initial=initial.header, tenants=_keying_tenants(request, first=order.tenant))
    formset = line_formset(initial=initial.lines)
    return _render_entry(request, form, formset, action=reverse("orders:create"), copied_from=order)


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def order_line_row(request: DeskRequest) -> HttpResponse:
    """Return one blank line row, numbered after the rows the page already has."""
    if not request.htmx:
        return redirect("orders:create")
    index = index_from_text(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS"), below=MAX_LINES)
    if index is None:
        return HttpResponseBadRequest(f"An order has at most {MAX_LINES} lines.")
    written = _LINE_ROWS.get(index)
    if written is None:
        row = line_form(line_formset(), index)
        context = {"line": row, "index": index, "total_forms": index + 1, "autofocus": True}
        written = render_to_string(FORM_TEMPLATE + "#new-line-row", context, request=request)
        if not settings.DEBUG:
            _LINE_ROWS[index] = written
    return HttpResponse(written)


@tenant_view(may=permissions.may_key)
@require_GET
@vary_on_headers("HX-Request")
def dispatch_date_understood(request: DeskRequest) -> HttpResponse:
    """Say back the dispatch date being typed, as the form will read it (or why it cannot)."""
    if not request.htmx:
        return redirect("orders:create")
    text = clean_text(request.GET.get("expected_date_of_dispatch", ""))[:200]
    context = {"understood": dispatch_understood(text)}
    return render(request, FORM_TEMPLATE + "#dispatch-said", context)
