"""Tenant admin pages (connection, staff) and switching between one's tenants."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders import permissions
from orders.access import SESSION_TENANT_KEY, DeskRequest, desk_next_url, tenant_view
from orders.forms.privacy import RetentionForm
from orders.forms.tenants import (
    MemberAccountsForm,
    MembershipRoleForm,
    StaffInviteForm,
    StaffLoginForm,
    TenantConnectionForm,
)
from orders.models import AuthFlow, Role, Tenant
from orders.selectors import staff as selectors
from orders.selectors.catalogue import LookupUnavailable, account_search
from orders.selectors.privacy import retention_due_count
from orders.services import staff, tenants
from orders.services.privacy import months_before, tenant_retention_set
from orders.services.tenants import AddressRefused, ConnectionRefused

SESSION_PENDING_KEY = "desk_clarus_sign_in"


@tenant_view()
@require_POST
def tenant_switch(request: DeskRequest) -> HttpResponse:
    chosen = request.POST.get("tenant", "")
    if not permissions.may_switch_to(memberships=request.memberships, tenant_id=chosen):
        raise Http404("No such tenant.")
    membership = next(m for m in request.memberships if str(m.tenant_id) == chosen)
    request.session[SESSION_TENANT_KEY] = chosen
    staff.staff_tenant_remember(membership=membership)
    target = desk_next_url(request, request.POST.get("next", "")) or reverse("home")
    return HttpResponseRedirect(target)


@tenant_view(may=permissions.may_run_tenant)
@require_http_methods(["GET", "POST"])
def tenant_settings(request: DeskRequest) -> HttpResponse:
    tenant = request.membership.tenant
    form = TenantConnectionForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            tenants.tenant_connection_update(
                tenant=tenant,
                data=form.cleaned_data,
                client_secret=form.cleaned_data["client_secret"],
            )
        except ValidationError as exc:
            form.add_error("client_secret", exc)
        else:
            messages.success(request, "Connection settings saved.")
            return redirect("tenants:settings")
    return _settings_page(request, form=form, retention_form=RetentionForm(tenant=tenant))


def _settings_page(
    request: DeskRequest, *, form: TenantConnectionForm, retention_form: RetentionForm
) -> HttpResponse:
    tenant = request.membership.tenant
    webhook_path = reverse(
        "clarus_webhook", kwargs={"subdomain": tenant.subdomain, "secret": tenant.webhook_secret}
    )
    previous_until = tenant.previous_webhook_secret_until
    context = {
        "form": form,
        "tenant": tenant,
        "webhook_address": request.build_absolute_uri(webhook_path),
        "previous_webhook_until": (
            previous_until if previous_until and previous_until > timezone.now() else None
        ),
        "webhook_grace": _hours_in_words(settings.DESK_WEBHOOK_SECRET_GRACE_HOURS),
        "uses_sign_in": tenant.auth_flow == AuthFlow.AUTHORIZATION_CODE,
        "retention_form": retention_form,
    }
    return render(request, "orders/tenant_settings.html", context)


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_retention(request: DeskRequest) -> HttpResponse:
    """Set how long callers' personal data is kept (docs/personal-data.md)."""
    tenant = request.membership.tenant
    retention_form = RetentionForm(request.POST, tenant=tenant)
    if not retention_form.is_valid():
        form = TenantConnectionForm(instance=tenant)
        return _settings_page(request, form=form, retention_form=retention_form)
    months = retention_form.cleaned_data["retention_months"]
    shorter = months is not None and (
        tenant.retention_months is None or months < tenant.retention_months
    )
    if shorter and request.POST.get("confirmed") != "yes":
        # A shorter period removes data at the next sweep, for good: the admin sees how much first.
        before = months_before(timezone.now(), months)
        due = retention_due_count(tenant=tenant, before=before)
        if due:
            context = {"tenant": tenant, "months": months, "before": before, "due": due}
            return render(request, "orders/tenant_retention_confirm.html", context)
    tenant_retention_set(tenant=tenant, months=months)
    messages.success(
        request,
        f"Personal data is now removed from orders {months} months after they were keyed."
        if months
        else "Personal data on orders is now kept.",
    )
    return redirect("tenants:settings")


def _hours_in_words(hours: float) -> str:
    if hours >= 24 and hours % 24 == 0:
        days = int(hours // 24)
        return f"{days} day{'s' if days != 1 else ''}"
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_webhook_rotate(request: DeskRequest) -> HttpResponse:
    tenant = tenants.tenant_webhook_secret_rotate(tenant=request.membership.tenant)
    until = tenant.previous_webhook_secret_until
    messages.success(
        request,
        "The webhook address is new: give it to the Clarus automation. The old address works "
        f"until {date_format(timezone.localtime(until), 'j M Y H:i')}."
        if until
        else "The webhook address is new: give it to the Clarus automation.",
    )
    return redirect("tenants:settings")


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_test(request: DeskRequest) -> HttpResponse:
    messages.info(request, tenants.tenant_connection_test(tenant=request.membership.tenant))
    return redirect("tenants:settings")


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_connect(request: DeskRequest) -> HttpResponse:
    tenant = request.membership.tenant
    if tenant.auth_flow != AuthFlow.AUTHORIZATION_CODE or not tenant.authorize_url:
        messages.error(
            request, "This tenant does not sign in at Clarus: it uses client credentials."
        )
        return redirect("tenants:settings")
    try:
        pending = tenants.tenant_connect_start(
            tenant=tenant, redirect_uri=request.build_absolute_uri(reverse("tenants:callback"))
        )
    except AddressRefused as exc:
        messages.error(request, f"The desk did not send you to the sign-in address: {exc}")
        return redirect("tenants:settings")
    request.session[SESSION_PENDING_KEY] = pending
    return redirect(pending["url"])


@tenant_view(may=permissions.may_run_tenant)
@require_GET
def tenant_callback(request: DeskRequest) -> HttpResponse:
    """Finish the sign-in at Clarus: check state, exchange the code for tokens."""
    pending = request.session.pop(SESSION_PENDING_KEY, None)
    tenant = request.membership.tenant
    if not pending or pending.get("tenant_id") != str(tenant.pk):
        messages.error(request, "That sign-in was not started here, or has already been used.")
        return redirect("tenants:settings")
    if request.GET.get("state") != pending["state"]:
        messages.error(request, "The sign-in answer did not match the request; nothing was stored.")
        return redirect("tenants:settings")
    if error := request.GET.get("error"):
        messages.error(request, f"Clarus did not connect the desk ({error}).")
        return redirect("tenants:settings")
    try:
        tenants.tenant_connect_finish(
            tenant=tenant, pending=pending, callback_url=request.build_absolute_uri()
        )
    except ConnectionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Connected to Clarus for {tenant}.")
    return redirect("tenants:settings")


def _staff_page(
    request: DeskRequest,
    invite_form: StaffInviteForm | None = None,
    login_form: StaffLoginForm | None = None,
) -> HttpResponse:
    tenant = request.membership.tenant
    context = {
        "tenant": tenant,
        "members": selectors.membership_list_for_tenant(tenant_id=tenant.pk),
        "invitations": selectors.invitation_list_for_tenant(tenant_id=tenant.pk),
        "invite_form": invite_form or StaffInviteForm(prefix="invite"),
        "login_form": login_form or StaffLoginForm(prefix="login", tenant=tenant),
        "roles": Role.choices,
    }
    return render(request, "orders/tenant_staff.html", context)


@tenant_view(may=permissions.may_run_tenant)
@require_http_methods(["GET", "POST"])
def tenant_staff(request: DeskRequest) -> HttpResponse:
    """The staff list; a POST invites a login, which joins only if it accepts.

    The answer never depends on whether the login exists (orders.services.staff).
    """
    form = StaffInviteForm(request.POST or None, prefix="invite")
    if request.method == "POST" and form.is_valid():
        try:
            invitation = staff.staff_invite(
                tenant=request.membership.tenant, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error("username", exc)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.username}: they join as "
                f"{invitation.get_role_display().lower()} once they accept it, signed in to "
                "the desk.",
            )
            return redirect("tenants:staff")
    return _staff_page(request, invite_form=form)


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_staff_create(request: DeskRequest) -> HttpResponse:
    """Create a new login of the tenant's own (``name@subdomain``) with a role here."""
    tenant = request.membership.tenant
    form = StaffLoginForm(request.POST, prefix="login", tenant=tenant)
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership = staff.staff_login_create(
                tenant=tenant,
                name=data["name"],
                role=data["role"],
                password=data["password"],
                email=data["email"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            messages.success(
                request,
                f"Login {membership.user.username} created as "
                f"{membership.get_role_display().lower()}: they sign in with that name and "
                "the password you chose, then choose their own.",
            )
            return redirect("tenants:staff")
    return _staff_page(request, login_form=form)


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_invitation_revoke(request: DeskRequest, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_tenant(
        invitation_id=invitation_id, tenant_id=request.membership.tenant_id
    )
    if invitation is None:
        raise Http404("No such invitation.")
    staff.staff_invitation_revoke(invitation=invitation)
    messages.success(request, f"Invitation to {invitation.username} withdrawn.")
    return redirect("tenants:staff")


@tenant_view(may=permissions.may_run_tenant)
@require_http_methods(["GET", "POST"])
def tenant_staff_accounts(request: DeskRequest, membership_id: int) -> HttpResponse:
    """Choose the client accounts one member keys orders for (none: every account)."""
    tenant = request.membership.tenant
    membership = selectors.membership_get(membership_id=membership_id, tenant_id=tenant.pk)
    if membership is None:
        raise Http404("No such member of staff.")
    if not permissions.membership_may_change(membership=membership, acting_user=request.user):
        raise PermissionDenied("You cannot limit your own accounts.")
    chosen = " ".join(account.code for account in permissions.keyed_accounts(membership))
    data = request.POST if request.method == "POST" else None
    form = MemberAccountsForm(data, tenant=tenant, initial={"codes": chosen})
    if form.is_valid():
        staff.membership_set_accounts(
            membership=membership, accounts=form.accounts, acting_user=request.user
        )
        said = ", ".join(account.label for account in form.accounts) or "every account"
        messages.success(request, f"{membership.user.username} keys orders for {said}.")
        return redirect("tenants:staff")
    context = {
        "tenant": tenant,
        "member": membership,
        "form": form,
        "focus_id": "id_codes",
        "given": permissions.keyed_accounts(membership),
        **_accounts_found(tenant, request.GET.get("find", "")),
    }
    status = 400 if form.is_bound else 200
    return render(request, "orders/tenant_staff_accounts.html", context, status=status)


def _accounts_found(tenant: Tenant, text: str) -> dict[str, Any]:
    """Return the accounts whose code or name matches ``text``, for an admin who looks up a
    code on the accounts page (an admin keys no orders, so has no account box)."""
    find = text.strip()[:100]
    found, problem = [], ""
    if find:
        try:
            found = account_search(tenant=tenant, text=find)
        except LookupUnavailable as unavailable:
            problem = unavailable.message
    return {"find": find, "found": found, "find_problem": problem}


@tenant_view(may=permissions.may_run_tenant)
@require_POST
def tenant_staff_update(request: DeskRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(
        membership_id=membership_id, tenant_id=request.membership.tenant_id
    )
    if membership is None:
        raise Http404("No such member of staff.")
    if "remove" in request.POST and request.POST.get("confirmed") != "yes":
        # Removing someone takes their access at once: the admin confirms it on a page of its own.
        context = {"tenant": request.membership.tenant, "member": membership}
        return render(request, "orders/tenant_staff_remove.html", context)
    try:
        if "remove" in request.POST:
            staff.membership_remove(membership=membership, acting_user=request.user)
            messages.success(
                request,
                f"{membership.user.username} removed from {request.membership.tenant}: they can no "
                "longer work in it. The orders they keyed stay.",
            )
        else:
            form = MembershipRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose a role.")
            staff.membership_set_role(
                membership=membership, role=form.cleaned_data["role"], acting_user=request.user
            )
            messages.success(
                request,
                f"{membership.user.username} is now {membership.get_role_display().lower()}.",
            )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("tenants:staff")
