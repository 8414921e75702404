from typing import Any

from django.http import HttpRequest

from orders import permissions


def desk(request: HttpRequest) -> dict[str, Any]:
    """Expose the current tenant, the user's tenants (as resolved by ``tenant_view``) and what
    the current membership may do (``desk_may``)."""
    membership = getattr(request, "membership", None)
    return {
        "desk_membership": membership,
        "desk_may": permissions.abilities(membership),
        "desk_memberships": getattr(request, "memberships", []),
    }
