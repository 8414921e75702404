import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OUTCOMES = [
    ("sent", "Accepted"),
    ("rejected", "Rejected (422)"),
    ("unauthorized", "Credentials refused"),
    ("server_error", "Clarus error"),
    ("no_answer", "No answer"),
    ("unreachable", "Could not connect"),
    ("cancelled", "Cancelled"),
    ("cancel_refused", "Cancel refused"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0019_drafts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AddressSave",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("customer_id", models.BigIntegerField()),
                ("code", models.CharField(max_length=50)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting to be saved"),
                            ("sending", "Being saved"),
                            ("saved", "Saved in Clarus"),
                            ("refused", "Refused by Clarus"),
                            ("unknown", "No answer: it may be saved"),
                        ],
                        default="waiting",
                        max_length=10,
                    ),
                ),
                ("clarus_id", models.CharField(blank=True, default="", max_length=50)),
                ("lease_until", models.DateTimeField(blank=True, null=True)),
                ("next_attempt_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                ("send_count", models.PositiveIntegerField(default=0)),
                ("note", models.CharField(blank=True, default="", max_length=500)),
                (
                    "order",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="address_save",
                        to="orders.order",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.tenant",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="AddressSaveAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("started_at", models.DateTimeField()),
                ("duration_ms", models.PositiveIntegerField()),
                ("method", models.CharField(max_length=10)),
                ("url", models.URLField(max_length=500)),
                ("request_headers", models.JSONField()),
                ("request_body", models.TextField()),
                ("response_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("response_headers", models.JSONField(blank=True, null=True)),
                ("response_body", models.TextField(blank=True, default="")),
                ("outcome", models.CharField(choices=OUTCOMES, max_length=20)),
                ("error", models.TextField(blank=True, default="")),
                (
                    "address_save",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attempts",
                        to="orders.addresssave",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="orders.tenant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ("-started_at", "-id")},
        ),
    ]
