"""'Your password': a signed-in login changes its own password. A login made by a tenant admin
comes here first, at its first sign-in, and sees nothing else of the desk until it has chosen its
own (``orders.access.tenant_view``)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from orders.access import SESSION_PASSWORD_TO_CHOOSE_KEY, DeskRequest, desk_next_url, tenant_view
from orders.forms.password import PasswordForm
from orders.services.password import password_change as password_change_service

PAGE = "orders/password.html"


def _next_url(request: DeskRequest) -> str:
    """Return where the user was going, if it is a page of the desk; "" otherwise."""
    return desk_next_url(request, request.POST.get("next") or request.GET.get("next") or "")


@tenant_view(staff_only=False, password_page=True)
@require_http_methods(["GET", "POST"])
def password_change(request: DeskRequest) -> HttpResponse:
    given = bool(request.session.get(SESSION_PASSWORD_TO_CHOOSE_KEY))
    data = request.POST if request.method == "POST" else None
    form = PasswordForm(request.user, data, given=given)
    if form.is_valid():
        password_change_service(user=request.user, password=form.cleaned_data["new_password1"])
        # This session carries on; any other of this login's ends at its next request.
        update_session_auth_hash(request, request.user)
        request.session.pop(SESSION_PASSWORD_TO_CHOOSE_KEY, None)
        messages.success(
            request, "Your password is changed, and you are signed out everywhere else."
        )
        return HttpResponseRedirect(_next_url(request) or reverse("home"))
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "given": given,
        "next": _next_url(request),
        # Passwords never come back in the page, so a refused form is typed again from its
        # first box; each message stays beside its own.
        "focus_id": form["old_password"].auto_id,
    }
    return render(request, PAGE, context, status=status)
