import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.models import Role, Tenant
from orders.services.staff import staff_member_set


class Command(BaseCommand):
    help = (
        "Give a login a role in a tenant at once, creating the login if needed (an "
        "administrator's way: tenant admins invite, and the login must accept). The password "
        "comes from --password or, better, the DESK_STAFF_PASSWORD environment variable."
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
        try:
            membership, created = staff_member_set(
                tenant=tenant,
                username=options["username"],
                role=options["role"],
                password=password,
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if created and not password:
            self.stderr.write("No password given: the login cannot sign in until one is set.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{membership.user.username} is {Role(options['role']).label} in {tenant}."
            )
        )
