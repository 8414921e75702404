import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sandbox.faults import KNOBS, faults_clear, faults_describe, faults_parse, faults_update
from sandbox.models import SandboxSubdomain

# The default of every knob option, so "not given" differs from "none".
UNCHANGED = object()


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def _positive_or_none(text: str) -> int | None:
    if text.lower() == "none":
        return None
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def _status_or_none(text: str) -> int | None:
    if text.lower() == "none":
        return None
    value = int(text)
    if not 400 <= value <= 599:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Show or set the fault knobs of a sandbox subdomain's goods-out endpoint; the module"
        " docstring of sandbox/faults.py says what each does. Options not given are left as"
        " they are; --clear resets every knob first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", help="The subdomain whose knobs to show or set.")
        parser.add_argument(
            "--from-env",
            action="store_true",
            help=(
                "Apply the SANDBOX_FAULTS environment variable instead, e.g."
                " demo:latency_ms=800,fail_next=2;other:forced_status=503"
            ),
        )
        parser.add_argument("--clear", action="store_true", help="Reset every knob first.")
        knobs = parser.add_argument_group("knobs").add_argument
        knobs("--latency-ms", default=UNCHANGED, dest="latency_ms", type=_non_negative)
        knobs(
            "--forced-status",
            default=UNCHANGED,
            dest="forced_status",
            type=_status_or_none,
            help="400-599, or none.",
        )
        knobs(
            "--retry-after",
            default=UNCHANGED,
            dest="retry_after_seconds",
            type=_non_negative,
            help="Seconds in the Retry-After header of a forced 429.",
        )
        knobs(
            "--fail-next",
            default=UNCHANGED,
            dest="fail_next",
            type=_non_negative,
            help="Fail only the next N requests (with --forced-status, else 500).",
        )
        knobs(
            "--drop-after-store",
            default=UNCHANGED,
            dest="drop_after_store",
            type=_non_negative,
            help="Store the next N goods-outs, then hang up without answering.",
        )
        knobs(
            "--expire-tokens-after",
            default=UNCHANGED,
            dest="expire_tokens_after",
            type=_positive_or_none,
            help="Expire the subdomain's access tokens after N more goods-outs, or none.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["from_env"]:
            if options["subdomain"]:
                raise CommandError("Give either --subdomain or --from-env.")
            try:
                changes = faults_parse(os.environ.get("SANDBOX_FAULTS", ""))
            except ValueError as error:
                raise CommandError(f"SANDBOX_FAULTS: {error}") from error
            if not changes:
                raise CommandError("SANDBOX_FAULTS is empty or not set.")
        elif options["subdomain"]:
            given = {name: options[name] for name in KNOBS if options[name] is not UNCHANGED}
            changes = {options["subdomain"]: given}
        else:
            raise CommandError("Give --subdomain or --from-env.")
        # All or nothing: a bad entry for one subdomain leaves the others as they were.
        with transaction.atomic():
            for slug, knobs in changes.items():
                self._apply(slug, knobs, clear=options["clear"])

    def _apply(self, slug: str, knobs: dict[str, int | None], *, clear: bool) -> None:
        if not SandboxSubdomain.objects.filter(slug=slug).exists():
            raise CommandError(f"Unknown subdomain {slug!r}; create it with sandbox_client.")
        try:
            if clear:
                faults_clear(subdomain=slug)
            subdomain = faults_update(subdomain=slug, knobs=knobs)
        except ValidationError as error:
            raise CommandError(f"{slug}: {' '.join(error.messages)}") from error
        self.stdout.write(faults_describe(subdomain))
