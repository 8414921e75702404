from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.services import client_register


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = "Create or update a sandbox subdomain and an OAuth client for it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", required=True, help="The X-Clarus-Subdomain value.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True, help="Stored only as a hash.")
        parser.add_argument("--name", help="The subdomain's name; defaults to the subdomain.")
        parser.add_argument(
            "--token-lifetime",
            type=_non_negative,
            help="Seconds an access token lasts (3600 for a new client).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["client_secret"]:
            raise CommandError("--client-secret must not be empty.")
        try:
            client, created = client_register(
                subdomain=options["subdomain"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                name=options["name"],
                token_lifetime_seconds=options["token_lifetime"],
            )
        except ValidationError as error:
            raise CommandError(f"--subdomain: {' '.join(error.messages)}") from error
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} sandbox client {client.client_id} for subdomain {client.subdomain.slug}."
            )
        )
