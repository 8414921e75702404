"""HTTP glue for desk views: the signed-in user's tenants, the current one, and the permission
each view asks of ``orders.permissions``.

Every desk view goes through ``tenant_view``; a view that shows one order or membership also
scopes its lookup by the user's memberships, so an id from another tenant is simply not found.
"""

import hashlib
import hmac
import ipaddress
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from orders import permissions
from orders.models import Membership, Tenant
from orders.selectors.password import password_given
from orders.selectors.tenants import membership_list_for_user

SESSION_TENANT_KEY = "desk_tenant_id"
# Set at sign-in when the login's password is one somebody else chose: until its owner chooses
# their own, every desk page takes them to "Your password" (orders.views.password).
SESSION_PASSWORD_TO_CHOOSE_KEY = "desk_password_to_choose"
# Where the request's authentication left the memberships it read with the user: the user's id
# and the list (clarus_admin/authentication.py).
MEMBERSHIPS_READ_WITH_USER = "desk_memberships_read"


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


def _memberships(request: HttpRequest) -> list[Membership]:
    """Return the signed-in user's memberships: those read with the user at the start of this
    request (``clarus_admin.authentication``), else read now."""
    read = getattr(request, MEMBERSHIPS_READ_WITH_USER, None)
    if read is not None and read[0] == request.user.pk:
        return list(read[1])
    return membership_list_for_user(user=request.user)


def password_to_choose_note(*, request: HttpRequest, user: User, **_: Any) -> None:
    """At sign-in (Django's ``user_logged_in``), note in the session whether the login must
    choose its own password first: read once here, not on every request."""
    if password_given(user_id=user.pk):
        request.session[SESSION_PASSWORD_TO_CHOOSE_KEY] = True
    else:
        request.session.pop(SESSION_PASSWORD_TO_CHOOSE_KEY, None)


def password_to_choose_redirect(request: DeskRequest) -> HttpResponse:
    """Take the user to "Your password", coming back afterwards to what they asked for (a page
    asked for by htmx: the page it was asked from; a POST: nowhere, it is not carried out)."""
    if request.htmx:
        back = request.htmx.current_url_abs_path or ""
    else:
        back = request.get_full_path() if request.method == "GET" else ""
    url = reverse("password_change")
    if back:
        url += "?" + urlencode({"next": back})
    return desk_redirect(request, url)


def tenant_view(
    may: Callable[[Membership], bool] | None = None,
    *,
    staff_only: bool = True,
    password_page: bool = False,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Require a signed-in member of staff, resolve their current tenant, ask what they may do.

    ``may`` (one of ``permissions.may_*``) limits the view to memberships it allows in the
    current tenant (403 otherwise); None lets any member through and leaves finer checks to the
    view. ``staff_only=False`` also lets in a signed-in user on no tenant's staff
    (``request.membership`` is then None): their invitations are for them to answer.
    A login whose password somebody else chose sees only "Your password" (``password_page``)
    until it has chosen its own.
    """

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not password_page and request.session.get(SESSION_PASSWORD_TO_CHOOSE_KEY):
                return password_to_choose_redirect(cast(DeskRequest, request))
            memberships = _memberships(request)
            if not memberships and staff_only:
                return render(request, "orders/no_tenant.html", status=HTTPStatus.FORBIDDEN)
            desk_request: Any = request
            desk_request.memberships = memberships
            desk_request.membership = (
                current_membership(request, memberships) if memberships else None
            )
            if may is not None and not may(desk_request.membership):
                raise PermissionDenied("Your role in this tenant does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def keying_tenant(request: DeskRequest) -> Tenant:
    """Return the tenant an entry page's request asks about (its ``tenant``), if the user keys
    for it; the current tenant when it names none."""
    return permissions.keying_tenant(
        memberships=request.memberships,
        current=request.membership,
        tenant_id=request.GET.get("tenant") or request.POST.get("tenant"),
    )


def desk_next_url(request: HttpRequest, url: str) -> str:
    """Return ``url``, where a form says to go next, if it is a path of this desk; "" if not.

    A full address, one of another host, ``//host``, a scheme, or a bare word (which Django's
    ``redirect`` would read as a view's name) is not.
    """
    local = url.startswith("/") and not url.startswith(("//", "/\\"))
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if local and safe else ""


def desk_redirect(request: DeskRequest, url: str) -> HttpResponse:
    """Redirect after a POST: the whole page under htmx, as a plain redirect without it."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def metrics_caller_allowed(request: HttpRequest) -> bool:
    """Return whether the caller may read ``/metrics``: the configured bearer token, or an
    address among the configured ones; nobody when neither is configured.

    The address is the connection's (``REMOTE_ADDR``), never a forwarded one: a header anyone can
    send proves nothing. The token is compared in constant time (of its digest).
    """
    expected = settings.DESK_METRICS_TOKEN
    if expected:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            hashlib.sha256(given.strip().encode()).digest(),
            hashlib.sha256(expected.encode()).digest(),
        ):
            return True
    networks = settings.DESK_METRICS_ALLOWED_ADDRESSES
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # A server listening on [::] sees IPv4 callers as ::ffff:a.b.c.d.
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(network) for network in networks)
