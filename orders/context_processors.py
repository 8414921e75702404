from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from orders import permissions
from orders.selectors.approvals import approval_waiting_count
from orders.selectors.staff import invitation_list_for_user


def desk(request: HttpRequest) -> dict[str, Any]:
    """Expose the current tenant, the user's tenants (as resolved by ``tenant_view``), what the
    current membership may do (``desk_may``), and the staff invitations the signed-in user has
    still to answer (read only if a page shows them), and for those who approve orders how many
    wait in the approvals queue (one count, read only by a page that shows it: never for
    agents)."""
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    approving = membership is not None and permissions.may_approve(membership)

    @cache
    def approvals_waiting() -> int:
        # A template calls it when it shows it, at most once per request.
        if membership is None or not approving:
            return 0
        return approval_waiting_count(tenant_id=membership.tenant_id)

    return {
        "desk_approvals_waiting": approvals_waiting,
        "desk_membership": membership,
        "desk_may": permissions.abilities(membership),
        "desk_memberships": getattr(request, "memberships", []),
        "desk_invitations": SimpleLazyObject(
            lambda: invitation_list_for_user(user=user) if user is not None else []
        ),
    }
