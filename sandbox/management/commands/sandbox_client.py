from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.services import client_register, redirect_uri_validate, user_register


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Create or update a sandbox subdomain and an OAuth client for it, and optionally a demo"
        " user who can sign in on the authorization page."
    )

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
        parser.add_argument(
            "--refresh-token-lifetime",
            type=_non_negative,
            help="Seconds a refresh token lasts (30 days for a new client).",
        )
        parser.add_argument(
            "--redirect-uri",
            action="append",
            dest="redirect_uris",
            metavar="URI",
            help=(
                "A redirect URI for the authorization-code flow; repeat for more. When given,"
                " they replace the client's list."
            ),
        )
        parser.add_argument("--user", help="Create or update this demo user of the subdomain.")
        parser.add_argument("--password", help="The demo user's password; stored only as a hash.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["client_secret"]:
            raise CommandError("--client-secret must not be empty.")
        if bool(options["user"]) != bool(options["password"]):
            raise CommandError("--user and --password go together, and neither may be empty.")
        for uri in options["redirect_uris"] or []:
            try:
                redirect_uri_validate(uri)
            except ValidationError as error:
                raise CommandError(f"--redirect-uri {uri}: {' '.join(error.messages)}") from error
        try:
            client, created = client_register(
                subdomain=options["subdomain"],
                client_id=options["client_id"],
                client_secret=options["client_secret"],
                name=options["name"],
                token_lifetime_seconds=options["token_lifetime"],
                refresh_token_lifetime_seconds=options["refresh_token_lifetime"],
                redirect_uris=options["redirect_uris"],
            )
        except ValidationError as error:
            raise CommandError(f"--subdomain: {' '.join(error.messages)}") from error
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} sandbox client {client.client_id} for subdomain {client.subdomain.slug}."
            )
        )
        if options["user"]:
            user, user_created = user_register(
                subdomain=client.subdomain.slug,
                username=options["user"],
                password=options["password"],
            )
            verb = "Created" if user_created else "Updated"
            self.stdout.write(self.style.SUCCESS(f"{verb} sandbox user {user}."))
