from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orders.clarus import ClarusAddressRefused, clarus_address_check, path_prefix_check
from orders.models import AuthFlow, Tenant


class Command(BaseCommand):
    help = "Create or update the Clarus tenant with the given subdomain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", required=True, help="The X-Clarus-Subdomain value.")
        parser.add_argument("--base-url", required=True, help="e.g. https://clarus-api.com")
        parser.add_argument("--token-url", required=True, help="The OAuth token endpoint.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--name", help="Shown to staff; defaults to the subdomain.")
        parser.add_argument("--path-prefix", default="/api", help="REST prefix (default /api).")
        parser.add_argument(
            "--flow",
            choices=AuthFlow.values,
            default=AuthFlow.CLIENT_CREDENTIALS,
            help="How the desk gets tokens (default client_credentials).",
        )
        parser.add_argument(
            "--authorize-url", default="", help="The OAuth sign-in page (authorization_code)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["flow"] == AuthFlow.AUTHORIZATION_CODE and not options["authorize_url"]:
            raise CommandError("--flow authorization_code needs --authorize-url.")
        self._check_addresses(options)
        tenant = Tenant.objects.filter(subdomain=options["subdomain"]).first() or Tenant(
            subdomain=options["subdomain"]
        )
        created = tenant.pk is None
        credentials_changed = (
            tenant.client_id != options["client_id"]
            or tenant.client_secret != options["client_secret"]
            or tenant.token_url != options["token_url"]
            or tenant.api_base_url != options["base_url"]
            or tenant.auth_flow != options["flow"]
        )
        tenant.name = options["name"] or tenant.name or options["subdomain"]
        tenant.api_base_url = options["base_url"]
        tenant.api_path_prefix = options["path_prefix"]
        tenant.token_url = options["token_url"]
        tenant.authorize_url = options["authorize_url"]
        tenant.auth_flow = options["flow"]
        tenant.client_id = options["client_id"]
        tenant.client_secret = options["client_secret"]
        if credentials_changed:
            # Tokens fetched with other credentials are dropped; a signed-in tenant stays signed in
            # when the command is simply run again.
            tenant.access_token = ""
            tenant.access_token_expires_at = None
            tenant.refresh_token = ""
        tenant.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} tenant {tenant.subdomain} ({tenant.name})."))

    def _check_addresses(self, options: dict[str, Any]) -> None:
        """Refuse an address the desk may not call, as the Clarus connection page does.

        The secret is always given here, so no stored one can follow a new address.
        """
        checks: list[tuple[str, Callable[[str], object], str]] = [
            ("--base-url", clarus_address_check, options["base_url"]),
            ("--token-url", clarus_address_check, options["token_url"]),
            ("--path-prefix", path_prefix_check, options["path_prefix"]),
        ]
        if options["authorize_url"]:
            checks.append(("--authorize-url", clarus_address_check, options["authorize_url"]))
        for option, check, value in checks:
            try:
                check(value)
            except ClarusAddressRefused as exc:
                raise CommandError(f"{option}: {exc}") from exc
