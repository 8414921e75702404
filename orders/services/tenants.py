"""Writes for tenant admins: the Clarus connection (the staff list is ``staff``)."""

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from orders import clarus, states
from orders.clarus.tokens import PendingAuthorization
from orders.models import Order, Tenant, new_webhook_secret
from orders.services.lookups import new_lookups_version
from orders.services.sweeps import sweep_schedule

CONNECTION_FIELDS = (
    "name",
    "api_base_url",
    "api_path_prefix",
    "auth_flow",
    "token_url",
    "authorize_url",
    "client_id",
)
# Where the client secret goes, or where what it buys goes: changing one of these sends the
# stored secret somewhere new, so the secret must come with the change.
SECRET_BOUND_FIELDS = ("api_base_url", "token_url", "authorize_url", "auth_flow")


def address_refusal(url: str) -> str:
    """Return why the desk may not call ``url`` (not an allowed Clarus host), or "" if it may."""
    try:
        clarus.clarus_address_check(url)
    except clarus.ClarusAddressRefused as exc:
        return str(exc)
    return ""


def path_prefix_refusal(prefix: str) -> str:
    """Return why ``prefix`` cannot be a REST path prefix, or "" if it can."""
    try:
        clarus.path_prefix_check(prefix)
    except clarus.ClarusAddressRefused as exc:
        return str(exc)
    return ""


def tenant_connection_update(
    *, tenant: Tenant, data: Mapping[str, Any], client_secret: str
) -> Tenant:
    """Change how the desk reaches Clarus; new credentials drop the tokens of the old ones.

    Raises ValidationError if an address the secret goes to changes without the secret: the
    stored one is never sent to a new address that nobody typed it for.
    """
    changed = {name for name in CONNECTION_FIELDS if getattr(tenant, name) != data[name]}
    if not client_secret and changed.intersection(SECRET_BOUND_FIELDS):
        raise ValidationError(
            "Enter the client secret again to send it to the new address.", code="secret_again"
        )
    for name in CONNECTION_FIELDS:
        setattr(tenant, name, data[name])
    if client_secret:
        tenant.client_secret = client_secret
        changed.add("client_secret")
    if changed & {"client_id", "client_secret", "token_url", "auth_flow", "api_base_url"}:
        tenant.access_token = ""
        tenant.access_token_expires_at = None
        tenant.refresh_token = ""
        tenant.needs_reconnect = False
        tenant.connection_problem = ""
    # Another Clarus, or the same one reached another way: its lists are to be asked afresh.
    tenant.lookups_version = new_lookups_version()
    tenant.save()
    _wake_waiting_orders(tenant)
    return tenant


def tenant_webhook_secret_rotate(*, tenant: Tenant) -> Tenant:
    """Give the tenant a new webhook address; the old one works for the grace period only.

    Rotating again within the grace period ends the oldest address at once: only the address
    in use just before the rotation is kept.
    """
    with transaction.atomic():
        locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
        locked.previous_webhook_secret = locked.webhook_secret
        locked.webhook_secret = new_webhook_secret()
        locked.webhook_secret_rotated_at = timezone.now()
        locked.save(
            update_fields=[
                "previous_webhook_secret",
                "webhook_secret",
                "webhook_secret_rotated_at",
            ]
        )
    return locked


def _wake_waiting_orders(tenant: Tenant) -> None:
    """Make the tenant's waiting orders due now: the connection they waited for may be back."""
    now = timezone.now()
    woken = Order.objects.filter(
        tenant=tenant, status__in=states.WAITING, next_attempt_at__gt=now
    ).update(next_attempt_at=now)
    if woken:
        sweep_schedule(at=now)


def tenant_connection_test(*, tenant: Tenant) -> str:
    """Fetch a fresh token to show the connection works; return what to tell the admin."""
    try:
        clarus.refresh_access_token(tenant, stale=tenant.access_token)
    except clarus.ClarusAuthError as exc:
        return f"Clarus refused the desk: {exc}"
    except clarus.ClarusTokenUnavailable as exc:
        return f"Clarus could not be reached: {exc}"
    return "Connected: Clarus issued a token."


class AddressRefused(Exception):
    """An address of the tenant's connection is not one the desk may call (``CLARUS_HOSTS``)."""


def tenant_connect_start(*, tenant: Tenant, redirect_uri: str) -> dict[str, str]:
    """Return the session record for a sign-in at Clarus; its ``url`` is where to send the admin.

    Raises AddressRefused when the sign-in address is not an allowed Clarus host.
    """
    try:
        pending = clarus.authorization_url(tenant, redirect_uri=redirect_uri)
    except clarus.ClarusAddressRefused as exc:
        raise AddressRefused(str(exc)) from exc
    return {**asdict(pending), "tenant_id": str(tenant.pk), "redirect_uri": redirect_uri}


class ConnectionRefused(Exception):
    """Clarus did not connect the desk: it refused the sign-in, or could not be reached."""


def tenant_connect_finish(*, tenant: Tenant, pending: Mapping[str, str], callback_url: str) -> None:
    """Exchange the code in ``callback_url`` for tokens; raise ConnectionRefused if refused."""
    try:
        clarus.connect_with_code(
            tenant,
            authorization_response=callback_url,
            redirect_uri=pending["redirect_uri"],
            pending=PendingAuthorization(
                url=pending["url"], state=pending["state"], code_verifier=pending["code_verifier"]
            ),
        )
    except (clarus.ClarusAuthError, clarus.ClarusTokenUnavailable) as exc:
        raise ConnectionRefused(str(exc)) from exc
    _wake_waiting_orders(tenant)
