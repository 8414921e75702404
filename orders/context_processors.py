from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from orders import permissions
from orders.selectors.staff import invitation_list_for_user


def desk(request: HttpRequest) -> dict[str, Any]:
    """Expose the current tenant, the user's tenants (as resolved by ``tenant_view``), what the
    current membership may do (``desk_may``), and the staff invitations the signed-in user has
    still to answer (read only if a page shows them)."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    return {
        "desk_membership": membership,
        "desk_may": permissions.abilities(membership),
        "desk_memberships": getattr(request, "memberships", []),
        "desk_invitations": SimpleLazyObject(
            lambda: invitation_list_for_user(user=user) if user is not None else []
        ),
    }
