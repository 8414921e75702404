import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0025_attempt_outcome_label"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                models.F("tenant_id"),
                django.db.models.functions.text.Upper("reference"),
                name="order_tenant_reference_upper",
            ),
        ),
    ]
