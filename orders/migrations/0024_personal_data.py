"""Personal data: the tenant's retention period, the order's redaction stamp, the sweep's index,
and on PostgreSQL the guard that keeps the audit records append-only (docs/personal-data.md)."""

from typing import Any

from django.conf import settings
from django.db import migrations, models

# The append-only audit tables. UPDATE and DELETE of their rows is refused unless the one
# exception, the redaction of personal data (orders.audit.append_only_released), has set the
# transaction-local flag desk.redacting.
GUARDED_TABLES = ("orders_submissionattempt", "orders_addresssaveattempt", "orders_ordertransition")

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION desk_append_only_guard() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('desk.redacting', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the redaction of personal data may change them.';
END
$$ LANGUAGE plpgsql;
"""


def guard_add(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(GUARD_FUNCTION, params=None)
    for table in GUARDED_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION desk_append_only_guard()"
        )


def guard_remove(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in GUARDED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS desk_append_only_guard()")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0023_approval_rules"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="personal_data_removed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="tenant",
            name="retention_months",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "Months to keep callers' names, addresses, emails and phone numbers on "
                    "orders, counted from when each order was keyed. After that the desk removes "
                    "them; the reference, lines, times, statuses and who keyed it stay. Leave "
                    "blank to keep them."
                ),
                null=True,
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(
                    ("personal_data_removed_at__isnull", True),
                    ("status__in", ["cancelled", "rejected", "sent", "withdrawn"]),
                ),
                fields=["tenant", "created_at"],
                name="order_personal_pending",
            ),
        ),
        migrations.RunPython(guard_add, guard_remove, elidable=False),
    ]
