from django.db import migrations


class Migration(migrations.Migration):
    """Join the catalogue and OAuth branches, written side by side."""

    dependencies = [
        ("sandbox", "0002_catalogue"),
        ("sandbox", "0002_oauth_and_faults"),
    ]

    operations: list[migrations.operations.base.Operation] = []
