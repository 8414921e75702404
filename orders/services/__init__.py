"""Writes: submitting orders (``submission``) and running tenants and their staff (``tenants``)."""

from orders.services.submission import (
    ClarusError,
    KeyedOrder,
    SubmitResult,
    order_document,
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
    "ClarusError",
    "KeyedOrder",
    "SubmitResult",
    "membership_add",
    "membership_remove",
    "membership_set_role",
    "order_document",
    "order_resend",
    "order_submit",
    "tenant_connect_finish",
    "tenant_connect_start",
    "tenant_connection_test",
    "tenant_connection_update",
]
