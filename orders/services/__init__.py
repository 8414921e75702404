"""Writes: submitting orders (``submission``) and running tenants and their staff (``tenants``)."""

from orders.domain import KeyedOrder
from orders.services.cancel import CancelResult, order_cancel
from orders.services.delivery import (
    SubmitResult,
    deliver,
    deliver_due_orders,
    order_document,
)
from orders.services.submission import (
    DuplicateReference,
    order_duplicate_of,
    order_resend,
    order_submit,
)
from orders.services.tenants import (
    membership_add,
    membership_remove,
    membership_set_role,
    tenant_connect_finish,
    tenant_connect_start,
    tenant_connection_test,
    tenant_connection_update,
)

__all__ = [
    "CancelResult",
    "DuplicateReference",
    "KeyedOrder",
    "SubmitResult",
    "deliver",
    "deliver_due_orders",
    "membership_add",
    "membership_remove",
    "membership_set_role",
    "order_cancel",
    "order_document",
    "order_duplicate_of",
    "order_resend",
    "order_submit",
    "tenant_connect_finish",
    "tenant_connect_start",
    "tenant_connection_test",
    "tenant_connection_update",
]
