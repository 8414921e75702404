import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand

DEMO_USERS = {
    # username: (is_staff, what they may view in admin)
    "agent": (False, ()),
    "supervisor": (True, ("view_order", "view_submissionattempt", "view_tenant")),
}


class Command(BaseCommand):
    help = "Create or refresh the demo logins (agent, supervisor). For demos only."

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD", "clarus-demo")
        user_model = get_user_model()
        for username, (is_staff, permissions) in DEMO_USERS.items():
            user, _ = user_model.objects.get_or_create(username=username)
            user.is_staff = is_staff
            user.set_password(password)
            user.save()
            user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
            self.stdout.write(f"Demo login: {username} / {password}")
