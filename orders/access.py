"""Who may see and do what: the signed-in user's tenants, the current one, and role checks.

Every desk view goes through ``tenant_view``; a view that shows one order or membership also
scopes its lookup by the user's memberships, so an id from another tenant is simply not found.
"""

from collections.abc import Callable, Collection
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from orders import selectors
from orders.models import Membership

SESSION_TENANT_KEY = "desk_tenant_id"


class DeskRequest(HttpRequest):
    """A request to a desk view: signed in, with the user's memberships resolved."""

    htmx: HtmxDetails
    # Every desk view is login_required, so the user is never anonymous.
    user: User
    memberships: list[Membership]
    membership: Membership


def current_membership(request: HttpRequest, memberships: list[Membership]) -> Membership:
    """Return the membership of the tenant chosen in this session.

    A new session opens on the tenant the user switched to last (kept on their membership),
    else on the one they joined first. Never on the first by name: a tenant admin can rename
    their tenant, and must not be able to make it another tenant's members' default.
    """
    chosen = request.session.get(SESSION_TENANT_KEY)
    for membership in memberships:
        if str(membership.tenant_id) == str(chosen):
            return membership
    used = [m for m in memberships if m.last_used_at is not None]
    if used:
        return max(used, key=lambda m: (m.last_used_at, m.pk))
    return min(memberships, key=lambda m: m.pk)


def tenant_view(
    roles: Collection[str] | None = None, *, staff_only: bool = True
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Require a signed-in member of staff, resolve their current tenant, check their role there.

    ``roles`` limits the view to those roles in the current tenant (403 otherwise); None lets
    any member through and leaves finer checks to the view. ``staff_only=False`` also lets in
    a signed-in user on no tenant's staff (``request.membership`` is then None): their
    invitations are for them to answer.
    """

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            memberships = selectors.membership_list_for_user(user=request.user)
            if not memberships and staff_only:
                return render(request, "orders/no_tenant.html", status=403)
            desk_request: Any = request
            desk_request.memberships = memberships
            desk_request.membership = (
                current_membership(request, memberships) if memberships else None
            )
            if roles is not None and desk_request.membership.role not in roles:
                raise PermissionDenied("Your role in this tenant does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def desk_redirect(request: DeskRequest, url: str) -> HttpResponse:
    """Redirect after a POST: the whole page under htmx, as a plain redirect without it."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
