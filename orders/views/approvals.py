"""Approvals: the tenant admin's rules page, the supervisors' queue and decision page, and what
whoever keyed a refused order does with it (docs/approvals.md)."""

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from orders import display, permissions
from orders.access import DeskRequest, desk_redirect, tenant_view
from orders.forms.approvals import (
    ApprovalQueueFilterForm,
    ApprovalRuleForm,
    ApprovalSettingsForm,
    DecisionForm,
    rule_form_initial,
)
from orders.inputs import clean_text
from orders.models import ApprovalRule, Order, OrderStatus
from orders.selectors import approvals as selectors
from orders.selectors import orders as order_selectors
from orders.services import approvals

# --- The tenant admin's rules ---------------------------------------------------------------


def _rules_page(
    request: DeskRequest,
    *,
    form: ApprovalRuleForm,
    settings_form: ApprovalSettingsForm | None = None,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    tenant = request.membership.tenant
    context = {
        "rules": selectors.approval_rule_list(tenant_id=tenant.pk),
        "form": form,
        "settings_form": settings_form
        or ApprovalSettingsForm(initial={"approval_self_allowed": tenant.approval_self_allowed}),
    }
    return render(request, "orders/approval_rules.html", context, status=status)


@tenant_view(may=permissions.may_run_tenant)
@require_http_methods(["GET", "POST"])
def approval_rules(request: DeskRequest) -> HttpResponse:
    """The tenant's approval rules; a POST adds one."""
    form = ApprovalRuleForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid() or not _rule_new(request, form):
            return _rules_page(request, form=form, status=HTTPStatus.BAD_REQUEST)
        rule = approvals.approval_rule_save(
            tenant=request.membership.tenant, user=request.user, terms=form.terms()
        )
        wording = rule.current.wording if rule.current else ""
        messages.success(request, f"Rule added: {wording}. It applies to orders sent from now on.")
        return redirect("tenants:approval_rules")
    return _rules_page(request, form=form)


def _rule_new(request: DeskRequest, form: ApprovalRuleForm, *, rule_id: int | None = None) -> bool:
    """Say beside the form, and return False, when another rule of the tenant says the same: two
    alike rules hold every order they match twice, with the same reason twice."""
    terms = form.terms()
    alike = selectors.approval_rule_alike(
        tenant_id=request.membership.tenant_id,
        kind=terms.kind,
        number=terms.number,
        ids=terms.ids,
        other_than=rule_id,
    )
    if alike is None or alike.current is None:
        return True
    state = "switched on" if alike.current.active else "switched off: switch it on instead"
    form.add_error(None, f"This tenant already has this rule: {alike.current.wording} ({state}).")
    return False


def _tenant_rule(request: DeskRequest, rule_id: int) -> ApprovalRule:
    rule = selectors.approval_rule_get(tenant_id=request.membership.tenant_id, rule_id=rule_id)
    if rule is None or rule.current is None:
        raise Http404("No such rule.")
    return rule


@tenant_view(may=permissions.may_run_tenant)
@require_http_methods(["GET", "POST"])
def approval_rule_update(request: DeskRequest, rule_id: int) -> HttpResponse:
    """Change a rule: saving makes a new version; the earlier ones stay as they were."""
    rule = _tenant_rule(request, rule_id)
    assert rule.current is not None
    form = ApprovalRuleForm(
        request.POST or None, initial=rule_form_initial(approvals.terms_of(rule.current))
    )
    status = HTTPStatus.OK
    if request.method == "POST":
        if form.is_valid() and _rule_new(request, form, rule_id=rule.pk):
            approvals.approval_rule_save(
                tenant=request.membership.tenant,
                user=request.user,
                terms=form.terms(),
                active=rule.current.active,
                rule=rule,
            )
            messages.success(request, "Rule changed: a new version of it applies from now on.")
            return redirect("tenants:approval_rules")
        status = HTTPStatus.BAD_REQUEST
    versions = rule.versions.select_related("created_by").order_by("-version")
    context = {"rule": rule, "form": form, "versions": versions}
    return render(request, "orders/approval_rule.html", context, status=status)


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def approval_rule_switch(request: DeskRequest, rule_id: int) -> HttpResponse:
    """Switch a rule off or on again (a new version)."""
    rule = _tenant_rule(request, rule_id)
    active = request.POST.get("active") == "on"
    approvals.approval_rule_switch(
        tenant=request.membership.tenant, user=request.user, rule=rule, active=active
    )
    messages.success(request, "Rule switched on." if active else "Rule switched off.")
    return redirect("tenants:approval_rules")


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def approval_settings(request: DeskRequest) -> HttpResponse:
    form = ApprovalSettingsForm(request.POST)
    if not form.is_valid():
        return _rules_page(
            request, form=ApprovalRuleForm(), settings_form=form, status=HTTPStatus.BAD_REQUEST
        )
    allowed = form.cleaned_data["approval_self_allowed"]
    approvals.approval_self_setting_save(tenant=request.membership.tenant, allowed=allowed)
    messages.success(
        request,
        "Supervisors may now approve orders they keyed."
        if allowed
        else "Orders are now approved by someone other than whoever keyed them.",
    )
    return redirect("tenants:approval_rules")


# --- The supervisors' queue and decisions -----------------------------------------------------


@tenant_view(may=permissions.may_approve)
@require_GET
@vary_on_headers("HX-Request")
def approval_queue(request: DeskRequest) -> HttpResponse:
    """The current tenant's orders awaiting approval, oldest first, filtered like the history."""
    tenant_id = request.membership.tenant_id
    form = ApprovalQueueFilterForm(
        request.GET or None,
        memberships=request.memberships,
        current=request.membership,
        user=request.user,
        staff=list(selectors.approvers_of(tenant_id=tenant_id)),
    )
    page = selectors.approval_queue_page(
        tenant_id=tenant_id, filters=form.filters(), after=request.GET.get("after", "")
    )
    for order in page.orders:
        # Whether this row's Approve button is shown; the service asks again.
        order.may_approve = permissions.order_may_approve(  # type: ignore[attr-defined]
            order=order, user=request.user, memberships=request.memberships
        )
    query = request.GET.copy()
    query.pop("after", None)
    filtered = any(value.strip() for values in query.lists() for value in values[1])
    context = {"form": form, "page": page, "query": query.urlencode(), "filtered": filtered}
    template = "orders/approvals.html#approval-results" if request.htmx else "orders/approvals.html"
    return render(request, template, context)


def _decidable(request: DeskRequest, order_id: int) -> Order:
    order = selectors.order_get_for_decision(order_id=order_id, memberships=request.memberships)
    if order is None:
        raise Http404("No such order.")
    return order


def _decision_page(
    request: DeskRequest,
    order: Order,
    *,
    form: DecisionForm | None = None,
    refusing: bool = False,
    status: int = HTTPStatus.OK,
) -> HttpResponse:
    context = {
        "order": order,
        "header": display.header_rows(order.header, order.labels),
        "holds": selectors.order_holds_latest(order=order),
        "hold_rows": order.holds.select_related("rule_version"),
        "form": form or DecisionForm(),
        "refusing": refusing,
        "may_approve": permissions.order_may_approve(
            order=order, user=request.user, memberships=request.memberships
        ),
        "held": order.status == OrderStatus.HELD,
    }
    return render(request, "orders/approval_decide.html", context, status=status)


@tenant_view()
@require_GET
def approval_decide(request: DeskRequest, order_id: int) -> HttpResponse:
    """One held order, with why it is held, and its Approve and Refuse buttons."""
    order = _decidable(request, order_id)
    return _decision_page(request, order, refusing=request.GET.get("refuse") == "1")


def _after_decision(request: DeskRequest, order: Order) -> HttpResponse:
    if request.POST.get("next") == "queue":
        return desk_redirect(request, reverse("orders:approvals"))
    return desk_redirect(request, reverse("orders:decide", args=[order.pk]))


@tenant_view()
@require_POST
def approval_approve(request: DeskRequest, order_id: int) -> HttpResponse:
    order = _decidable(request, order_id)
    form = DecisionForm({"reason": clean_text(request.POST.get("reason", ""))})
    if not form.is_valid():
        return _decision_page(request, order, form=form, status=HTTPStatus.BAD_REQUEST)
    result = approvals.order_approve(
        order_id=order.pk, user=request.user, reason=form.cleaned_data["reason"]
    )
    if result.outcome is None and result.order.status != OrderStatus.SENT:
        messages.info(request, f"{order.reference}: {result.message}")
    else:
        notify = messages.success if result.sent else messages.warning
        notify(request, f"{order.reference} approved. {result.message}")
    return _after_decision(request, order)


@tenant_view()
@require_POST
def approval_refuse(request: DeskRequest, order_id: int) -> HttpResponse:
    order = _decidable(request, order_id)
    form = DecisionForm({"reason": clean_text(request.POST.get("reason", ""))}, refusing=True)
    if not form.is_valid():
        return _decision_page(
            request, order, form=form, refusing=True, status=HTTPStatus.BAD_REQUEST
        )
    decision = approvals.order_refuse(
        order_id=order.pk, user=request.user, reason=form.cleaned_data["reason"]
    )
    (messages.success if decision.done else messages.info)(
        request, f"{order.reference}: {decision.message}"
    )
    return _after_decision(request, order)


@tenant_view()
@require_POST
def approval_withdraw(request: DeskRequest, order_id: int) -> HttpResponse:
    """Let go of an order a supervisor did not approve, or one the desk could not send
    (``approvals.order_withdraw``): whoever may correct it."""
    order = order_selectors.order_get_for_detail(
        order_id=order_id, user=request.user, memberships=request.memberships
    )
    if order is None:
        raise Http404("No such order.")
    if not permissions.order_may_withdraw(
        order=order, user=request.user, memberships=request.memberships
    ):
        raise PermissionDenied("Only who keyed this order, or a supervisor, can withdraw it.")
    decision = approvals.order_withdraw(order_id=order.pk, user=request.user)
    (messages.success if decision.done else messages.info)(request, decision.message)
    return desk_redirect(request, order.get_absolute_url())
