import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Amending sent orders: Clarus's line ids, the version last read, the amendments."""

    dependencies = [
        ("orders", "0020_address_saves"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="amend_lease_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="order",
            name="clarus_version",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="orderline",
            name="clarus_line_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="submissionattempt",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("sent", "Accepted"),
                    ("rejected", "Rejected (422)"),
                    ("unauthorized", "Credentials refused"),
                    ("server_error", "Clarus error"),
                    ("no_answer", "No answer"),
                    ("unreachable", "Could not connect"),
                    ("cancelled", "Cancelled"),
                    ("cancel_refused", "Cancel refused"),
                    ("amended", "Amended"),
                    ("amend_refused", "Amendment refused"),
                    ("amend_no_answer", "Amendment: no answer"),
                    ("amend_failed", "Amendment not taken"),
                ],
                max_length=20,
            ),
        ),
        migrations.CreateModel(
            name="OrderAmendment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.UUIDField(db_index=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("settled_at", models.DateTimeField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("sending", "Being sent"),
                            ("applied", "Applied in Clarus"),
                            ("refused", "Refused by Clarus"),
                            ("failed", "Not taken: nothing changed"),
                            ("unknown", "No answer from Clarus"),
                            ("conflict", "Not sent: the order had changed"),
                            ("abandoned", "Not sent: Clarus holds something else"),
                        ],
                        default="sending",
                        max_length=10,
                    ),
                ),
                ("base_version", models.CharField(max_length=64)),
                ("before", models.JSONField()),
                ("after", models.JSONField()),
                ("document", models.JSONField()),
                ("version", models.PositiveIntegerField(blank=True, null=True)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="amendments",
                        to="orders.order",
                    ),
                ),
            ],
            options={
                "ordering": ("created_at", "id"),
            },
        ),
    ]
