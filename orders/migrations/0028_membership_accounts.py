from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0027_given_password"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="accounts",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
