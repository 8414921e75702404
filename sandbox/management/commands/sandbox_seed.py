import time
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox.seed import MAX_PRODUCTS, catalogue_seed

BAR_WIDTH = 30


def _plain(text: str) -> str:
    # stderr's default style is the error colour; the bar is not an error.
    return text


def _product_count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_PRODUCTS:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Create a deterministic demo catalogue (accounts, warehouses, products, stock, carriers,"
        " customers, order types) for a sandbox subdomain. Running it again adds only what is"
        " missing; --reset rebuilds it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subdomain", required=True, help="The X-Clarus-Subdomain value.")
        parser.add_argument(
            "--products",
            type=_product_count,
            default=5000,
            help=f"How many products (1 to {MAX_PRODUCTS}; default 5000).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="The random seed: same seed, same data."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the subdomain's catalogue first (goods-outs are kept).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        # A bar only where someone watches; redirected output stays one summary line.
        progress = self._bar if self.stderr.isatty() else None
        try:
            summary = catalogue_seed(
                subdomain=options["subdomain"],
                products=options["products"],
                seed=options["seed"],
                reset=options["reset"],
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError(f"--subdomain: {' '.join(error.messages)}") from error
        if progress:
            self.stderr.write("", ending="\n", style_func=_plain)
        seconds = time.perf_counter() - started
        totals = ", ".join(f"{count} {label}" for label, count in summary.totals.items())
        added = sum(summary.created.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded subdomain {summary.subdomain} in {seconds:.1f}s: {totals}"
                f" ({added} rows added)."
            )
        )

    def _bar(self, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stderr.write(
            f"\rSeeding [{bar}] {100 * done // total:3d}% {done}/{total} rows",
            ending="",
            style_func=_plain,
        )
