"""Who is signed in: Django's authentication middleware, with the user and their memberships read
in one statement.

Django's ``AuthenticationMiddleware`` reads the user with the ORM (``User.objects.get``) and the
desk then reads the user's memberships with their tenants (``tenant_view``): two ORM reads, on
every signed-in request, whose building cost many times their reading. Here one statement written
as SQL reads both (``orders.selectors.tenants.user_with_memberships``), and ``tenant_view`` takes
the memberships from the request. Both are still read from the database on every request: a
deactivated user or a removed membership loses access on the very next one, whatever process
answers it.

What Django decides stays as Django decides it: a session names its user and the backend that
signed them in; only Django's ``ModelBackend`` sessions (every login of the desk) take the short
way, any other goes through ``django.contrib.auth.get_user``; an inactive user is nobody
(``ModelBackend.user_can_authenticate``); and the session's copy of the password's hash must match
the user's (``get_session_auth_hash``, with ``SECRET_KEY_FALLBACKS``), so a password change or a
"sign out everywhere" ends every other session.
"""

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from orders.access import MEMBERSHIPS_READ_WITH_USER as MEMBERSHIPS_ATTRIBUTE
from orders.selectors.tenants import user_with_memberships

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class DeskAuthenticationMiddleware(AuthenticationMiddleware):
    """Set ``request.user`` (lazily, as Django does), reading the memberships with the user."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))  # type: ignore[assignment]


def _cached_user(request: HttpRequest) -> Any:
    # Django's own middleware keeps the user under this name; login() and logout() replace
    # request.user itself.
    if not hasattr(request, "_cached_user"):
        request._cached_user = signed_in_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


def signed_in_user(request: HttpRequest) -> User | AnonymousUser | Any:
    """Return the session's user, as ``django.contrib.auth.get_user`` would."""
    session = request.session
    try:
        user_id = User._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if (
        backend_path != MODEL_BACKEND
        or backend_path not in settings.AUTHENTICATION_BACKENDS
        or auth.get_user_model() is not User
    ):
        return auth.get_user(request)
    user, memberships = user_with_memberships(user_id=user_id)
    if user is None or not user.is_active:
        return AnonymousUser()
    session_hash = session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        setattr(request, MEMBERSHIPS_ATTRIBUTE, (user.pk, memberships))
        return user
    # Signed with a key since replaced (SECRET_KEY_FALLBACKS): a new session key and hash.
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        setattr(request, MEMBERSHIPS_ATTRIBUTE, (user.pk, memberships))
        return user
    session.flush()
    return AnonymousUser()
