"""What a submit reads before it writes: whether its form already has an order, and whether the
tenant has an approval rule to check.

Both in one plain statement: most submits are a new form of a tenant with no rules, and for
those nothing more is read. The order, when there is one, is then read whole and locked
(``orders.services.submission``), and the rules themselves by ``approval_rules_active``.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models.options import Options

from orders.models import ApprovalRule, ApprovalRuleVersion, Order


@dataclass(frozen=True)
class SubmitStart:
    # The order the form already made (a double click, a resend, a correction), if one did.
    order_id: int | None
    # Whether any of the tenant's approval rules is switched on.
    rules_active: bool


def submission_start(*, form_token: uuid.UUID, tenant_id: int) -> SubmitStart:
    """Return whether the form has its order already, and whether the tenant's rules apply."""
    quote = connection.ops.quote_name
    order, rule, version = Order._meta, ApprovalRule._meta, ApprovalRuleVersion._meta

    def column(meta: Options[Any], name: str) -> str:
        field: Any = meta.get_field(name)
        return str(quote(field.column))

    # The names come from the models, every value is a parameter. The rules are those
    # ``approval_rules_active`` reads: each rule's current version, switched on.
    sql = (
        f"SELECT (SELECT {column(order, 'id')} FROM {quote(order.db_table)} "
        f"WHERE {column(order, 'form_token')} = %s), "
        f"EXISTS (SELECT 1 FROM {quote(rule.db_table)} r "
        f"JOIN {quote(version.db_table)} v "
        f"ON v.{column(version, 'id')} = r.{column(rule, 'current')} "
        f"WHERE r.{column(rule, 'tenant')} = %s AND v.{column(version, 'tenant')} = %s "
        f"AND v.{column(version, 'active')})"
    )
    token = order.get_field("form_token").get_db_prep_value(form_token, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [token, tenant_id, tenant_id])
        order_id, rules = cursor.fetchone()
    return SubmitStart(order_id=order_id, rules_active=bool(rules))
