from django.db import migrations, models


class Migration(migrations.Migration):
    """Keep the amendments (PATCH) a goods-out received."""

    dependencies = [("sandbox", "0004_delivery_addresses")]

    operations = [
        migrations.AddField(
            model_name="sandboxgoodsout",
            name="amendments",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
