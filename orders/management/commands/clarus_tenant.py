from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from orders.models import Tenant


class Command(BaseCommand):
    help = "Create or update the Clarus tenant with the given subdomain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", required=True, help="The X-Clarus-Subdomain value.")
        parser.add_argument("--base-url", required=True, help="e.g. https://clarus-api.com")
        parser.add_argument("--token-url", required=True, help="The OAuth token endpoint.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--name", help="Shown to agents; defaults to the subdomain.")
        parser.add_argument("--path-prefix", default="/api", help="REST prefix (default /api).")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant, created = Tenant.objects.update_or_create(
            subdomain=options["subdomain"],
            defaults={
                "name": options["name"] or options["subdomain"],
                "api_base_url": options["base_url"],
                "api_path_prefix": options["path_prefix"],
                "token_url": options["token_url"],
                "client_id": options["client_id"],
                "client_secret": options["client_secret"],
                # New credentials: any token fetched with the old ones is dropped.
                "access_token": "",
                "access_token_expires_at": None,
            },
        )
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} tenant {tenant.subdomain} ({tenant.name})."))
