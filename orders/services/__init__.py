"""Writes: submitting orders (``submission``), tenants' connections (``tenants``) and staff
(``staff``)."""

from orders.services.cancel import CancelResult, order_cancel
from orders.services.delivery import (
    ClarusError,
    SubmitResult,
    clarus_errors_in,
    deliver,
    deliver_due_orders,
    order_document,
    rejection_errors,
)
from orders.services.staff import (
    membership_remove,
    membership_set_role,
    staff_invitation_accept,
    staff_invitation_decline,
    staff_invitation_revoke,
    staff_invite,
    staff_login_create,
    staff_member_set,
    staff_tenant_remember,
)
from orders.services.submission import (
    DuplicateReference,
    KeyedOrder,
    order_duplicate_of,
    order_resend,
    order_submit,
)
from orders.services.tenants import (
    tenant_connect_finish,
    tenant_connect_start,
    tenant_connection_test,
    tenant_connection_update,
    tenant_webhook_secret_rotate,
)

__all__ = [
    "CancelResult",
    "ClarusError",
    "DuplicateReference",
    "KeyedOrder",
    "SubmitResult",
    "clarus_errors_in",
    "deliver",
    "deliver_due_orders",
    "membership_remove",
    "membership_set_role",
    "order_cancel",
    "order_document",
    "order_duplicate_of",
    "order_resend",
    "order_submit",
    "rejection_errors",
    "staff_invitation_accept",
    "staff_invitation_decline",
    "staff_invitation_revoke",
    "staff_invite",
    "staff_login_create",
    "staff_member_set",
    "staff_tenant_remember",
    "tenant_connect_finish",
    "tenant_connect_start",
    "tenant_connection_test",
    "tenant_connection_update",
    "tenant_webhook_secret_rotate",
]
