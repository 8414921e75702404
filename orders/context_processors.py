from typing import Any

from django.http import HttpRequest


def desk(request: HttpRequest) -> dict[str, Any]:
    """Expose the current tenant and the user's tenants, as resolved by ``tenant_view``."""
    return {
        "desk_membership": getattr(request, "membership", None),
        "desk_memberships": getattr(request, "memberships", []),
    }
