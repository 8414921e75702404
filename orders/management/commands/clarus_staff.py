import os
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.models import Membership, Role, Tenant


class Command(BaseCommand):
    help = (
        "Give a login a role in a tenant, creating the login if needed. The password comes from "
        "--password or, better, the DESK_STAFF_PASSWORD environment variable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's subdomain.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default="", help="Sets the login's password.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(subdomain=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with subdomain {options['tenant']!r}.")
        password = options["password"] or os.environ.get("DESK_STAFF_PASSWORD", "")
        user, created = User.objects.get_or_create(username=options["username"])
        if options["email"]:
            user.email = options["email"]
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
            self.stderr.write("No password given: the login cannot sign in until one is set.")
        user.save()
        Membership.objects.update_or_create(
            user=user, tenant=tenant, defaults={"role": options["role"]}
        )
        self.stdout.write(
            self.style.SUCCESS(f"{user.username} is {Role(options['role']).label} in {tenant}.")
        )
