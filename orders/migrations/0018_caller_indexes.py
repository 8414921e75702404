import django.db.models.fields.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0017_worker_heartbeat"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                fields=["tenant", "account_id", "-created_at"], name="order_tenant_account"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                models.F("tenant_id"),
                django.db.models.fields.json.KeyTransform("customer_id", "header"),
                models.OrderBy(models.F("created_at"), descending=True),
                name="order_tenant_customer",
            ),
        ),
    ]
