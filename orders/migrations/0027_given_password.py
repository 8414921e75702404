import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's mark of a password nobody can sign in with (django.contrib.auth.hashers).
UNUSABLE_PASSWORD_PREFIX = "!"


def logins_made_by_tenant_admins(apps, schema_editor):
    """Ask the logins a tenant admin made before now (``name@subdomain``, a member of that
    tenant) to choose their own password: until now nobody could change one from the desk."""
    Membership = apps.get_model("orders", "Membership")
    GivenPassword = apps.get_model("orders", "GivenPassword")
    given = {}
    for membership in Membership.objects.select_related("user", "tenant"):
        user = membership.user
        in_name_space = user.username.lower().endswith(f"@{membership.tenant.subdomain}".lower())
        if in_name_space and not user.password.startswith(UNUSABLE_PASSWORD_PREFIX):
            given[user.pk] = GivenPassword(user=user)
    GivenPassword.objects.bulk_create(given.values(), ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("orders", "0026_reference_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="GivenPassword",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="given_password",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("given_at", models.DateTimeField(auto_now_add=True)),
                (
                    "given_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(logins_made_by_tenant_admins, migrations.RunPython.noop),
    ]
