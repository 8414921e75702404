from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from orders import selectors


def desk(request: HttpRequest) -> dict[str, Any]:
    """Expose the current tenant and the user's tenants, as resolved by ``tenant_view``, and the
    staff invitations the signed-in user has still to answer (read only if a page shows them)."""
    user = getattr(request, "user", None)
    return {
        "desk_membership": getattr(request, "membership", None),
        "desk_memberships": getattr(request, "memberships", []),
        "desk_invitations": SimpleLazyObject(
            lambda: selectors.invitation_list_for_user(user=user) if user is not None else []
        ),
    }
