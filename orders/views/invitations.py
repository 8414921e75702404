"""The invited login's side of a staff invitation: see it, accept it or decline it.

Only the login an invitation was sent to ever finds it, and only while it is open: any other
id, or an expired, withdrawn or answered invitation, is simply not found.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from orders.access import DeskRequest, tenant_view
from orders.models import StaffInvitation
from orders.selectors import staff as selectors
from orders.services import staff as services


def _open_invitation(request: DeskRequest, invitation_id: int) -> StaffInvitation:
    invitation = selectors.invitation_get_for_user(invitation_id=invitation_id, user=request.user)
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


@tenant_view(staff_only=False)
@require_GET
def invitation_list(request: DeskRequest) -> HttpResponse:
    return render(request, "orders/invitations.html", {"invitations_page": True})


@tenant_view(staff_only=False)
@require_POST
def invitation_accept(request: DeskRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(request, invitation_id)
    try:
        membership = services.staff_invitation_accept(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("invitations:list")
    messages.success(
        request,
        f"You joined {membership.tenant} as {membership.get_role_display().lower()}. "
        "Choose it under Tenant at the top of the page to work in it.",
    )
    return redirect("home")


@tenant_view(staff_only=False)
@require_POST
def invitation_decline(request: DeskRequest, invitation_id: int) -> HttpResponse:
    invitation = _open_invitation(request, invitation_id)
    try:
        services.staff_invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"You declined the invitation to {invitation.tenant}.")
    return redirect("invitations:list")
