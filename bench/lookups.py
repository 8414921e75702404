"""Lookups benchmark: how fast the entry page's product suggestions come back.

Serves the desk and the sandbox (5,000 seeded products) under gunicorn on loopback, signs in as
an agent and times autocomplete requests as the browser sends them (htmx, an account and a
warehouse chosen) through the desk's view, which asks the sandbox's GraphQL over real HTTP for
the products and then their stock. Each query is timed cold (first asked: nothing cached) and
then warm (asked again: the desk's per-tenant cache answers). A few account and carrier searches
are timed the same way. Goals: p95 at most 150 ms cold, at most 20 ms warm.

Run it with ``bench/lookups`` (or ``make bench-lookups``). The database is a throwaway SQLite
file, as ``make run`` uses, unless DATABASE_URL is set. Exit status: 0 when the goals are met,
1 when one is not, 3 when the bench cannot run.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.stack import LOOPBACK, Stack, free_port, wait_until_serving
from bench.timing import percentile

ROOT = Path(__file__).resolve().parents[1]
COLD_GOAL_MS = 150.0
WARM_GOAL_MS = 20.0
SUBDOMAIN = "bench"
PASSWORD = "bench-lookups-0123"
CLIENT_ID = "bench-desk"
CLIENT_SECRET = "bench-desk-secret-0123456789"
# Texts drawn beyond --queries, for the browser's cold searches.
SPARE = 100
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# A brisk agent: the debounce starts again with every key.
KEY_GAP_MS = 60
SHOWN_GOAL_MS = 200.0


@dataclass(frozen=True)
class Timing:
    label: str
    runs: int
    p50: float
    p95: float
    worst: float
    empty: int

    def line(self) -> str:
        return (
            f"{self.label:<28} {self.runs:>5} {self.p50:>8.1f} {self.p95:>8.1f} "
            f"{self.worst:>8.1f} {self.empty:>6}"
        )


def timing(label: str, times: Sequence[float], empty: int) -> Timing:
    return Timing(
        label=label,
        runs=len(times),
        p50=statistics.median(times),
        p95=percentile(times, 0.95),
        worst=max(times),
        empty=empty,
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="desk-bench-lookups-") as scratch:
        workdir = Path(scratch)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "clarus_admin.settings",
            # Development settings (the sandbox is served, cookies go over plain HTTP), without
            # Django's per-request query log.
            "DJANGO_DEBUG": "true",
            "LOG_LEVEL": "WARNING",
            "DESK_STAFF_PASSWORD": PASSWORD,
            # The Clarus of the run is the sandbox on loopback.
            "DESK_CLARUS_HOSTS": "127.0.0.1,localhost",
        }
        env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
        root = options.root.resolve()
        stack = Stack(root=root, bin=root / ".venv" / "bin", logs=workdir, env=env)
        port = free_port()
        base = f"http://{LOOPBACK}:{port}"
        try:
            _prepare(stack, base, products=options.products)
            stack.gunicorn("desk", port=port, workers=1, threads=options.threads)
            wait_until_serving(f"{base}/login/", stack=stack)
            catalogue = _catalogue(stack, count=options.queries, seed=options.seed)
            results = _measure(base, catalogue, stack)
            typed = (
                _typed(base, catalogue, runs=options.browser, static=_static_files(stack))
                if options.browser
                else None
            )
        except (RuntimeError, subprocess.CalledProcessError) as problem:
            print(f"The bench could not run: {problem}", file=sys.stderr)
            for log in workdir.glob("*.log"):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 3
        finally:
            stack.stop()
    return _report(results, options, typed)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/lookups", description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=5000, help="seeded (default 5,000)")
    parser.add_argument("--queries", type=int, default=200, help="product queries (default 200)")
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads (default 8)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout to serve, with its own .venv (default: this one), e.g. a worktree of "
        "an earlier commit",
    )
    parser.add_argument(
        "--browser",
        type=int,
        default=0,
        metavar="N",
        help="also type N product searches in Chromium and time the last keystroke to the "
        "suggestions shown (default: none)",
    )
    return parser.parse_args(argv)


def _manage(stack: Stack, *args: str) -> None:
    subprocess.run(
        [str(stack.bin / "python"), "manage.py", *args],
        cwd=stack.root,
        env=dict(stack.env),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _prepare(stack: Stack, base: str, *, products: int) -> None:
    """Migrate, seed the sandbox, and wire a desk tenant and an agent to it."""
    sandbox = f"{base}/sandbox"
    _manage(stack, "migrate", "--noinput")
    _manage(
        stack,
        "sandbox_client",
        f"--subdomain={SUBDOMAIN}",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
    )
    _manage(stack, "sandbox_seed", f"--subdomain={SUBDOMAIN}", f"--products={products}")
    _manage(
        stack,
        "clarus_tenant",
        f"--subdomain={SUBDOMAIN}",
        "--name=Bench 3PL",
        f"--base-url={sandbox}",
        f"--token-url={sandbox}/oauth/token",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
    )
    _manage(stack, "clarus_staff", f"--tenant={SUBDOMAIN}", "--username=agent", "--role=agent")


@dataclass(frozen=True)
class Catalogue:
    """What the agent would type, drawn from the seeded catalogue of the chosen account."""

    account_id: int
    warehouse_id: int
    texts: list[str]
    # Asked nowhere else: what the browser types to meet a cold cache.
    spare: list[str]


CATALOGUE_READ = """
import json, django
django.setup()
from sandbox.catalogue import Account, AccountProduct, AccountWarehouse
account = Account.objects.get(subdomain__slug=%(subdomain)r, code="ACME")
warehouse = AccountWarehouse.objects.filter(account=account).order_by("pk")[0].warehouse_id
owned = list(
    AccountProduct.objects.filter(account=account)
    .order_by("pk")
    .values_list("product__code", "product__barcode", "product__description")
)
print(json.dumps({"account": account.pk, "warehouse": warehouse, "owned": owned}))
"""


def _catalogue(stack: Stack, *, count: int, seed: int) -> Catalogue:
    """Draw what agents type from the account's own products: SKUs, barcodes, words.

    Read by the served checkout's own Python, so that any commit can be served.
    """
    read = subprocess.run(
        [str(stack.bin / "python"), "-c", CATALOGUE_READ % {"subdomain": SUBDOMAIN}],
        cwd=stack.root,
        env=dict(stack.env),
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(read.stdout.strip().splitlines()[-1])
    owned = [tuple(row) for row in found["owned"]]
    rng = random.Random(seed)
    texts: list[str] = []
    while len(texts) < (count + SPARE) * 2:
        code, barcode, description = rng.choice(owned)
        kind = rng.random()
        if kind < 0.4:
            texts.append(code)  # an exact SKU, typed or scanned
        elif kind < 0.65:
            texts.append(code[: rng.randint(3, len(code) - 1)])  # a SKU being typed
        elif kind < 0.8:
            texts.append(barcode)  # a scanned EAN-13
        else:
            words = description.split()
            texts.append(f"{words[0]} {words[-2]}".lower())  # "blue mug"
    # Each text once, so that a cold ask is the first ask.
    unique = list(dict.fromkeys(texts))
    return Catalogue(
        account_id=found["account"],
        warehouse_id=found["warehouse"],
        texts=unique[:count],
        spare=unique[count : count + SPARE],
    )


def _sign_in(client: httpx.Client, base: str) -> None:
    client.get(f"{base}/login/")
    response = client.post(
        f"{base}/login/",
        data={
            "username": "agent",
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )
    if response.status_code != 302:
        raise RuntimeError(f"Signing in answered {response.status_code}.")


Query = dict[str, str | int]


def _time(client: httpx.Client, url: str, queries: Iterable[Query]) -> tuple[list[float], int]:
    """Return the milliseconds of each request, and how many found nothing."""
    times: list[float] = []
    empty = 0
    for params in queries:
        started = time.perf_counter()
        response = client.get(url, params=params, headers={"HX-Request": "true"})
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200 or "lookup-problem" in response.text:
            raise RuntimeError(f"{url} {params} answered: {response.text[:300]}")
        if 'role="option"' not in response.text:
            empty += 1
    return times, empty


def _server_cpu_ms(stack: Stack) -> float:
    """Return the CPU milliseconds the served process (desk and sandbox) has used so far."""
    return stack.cpu_by_service().get("desk", 0.0) * 1000


def _measure(base: str, catalogue: Catalogue, stack: Stack) -> list[Timing]:
    with httpx.Client(timeout=30) as client:
        _sign_in(client, base)
        products = f"{base}/orders/new/lookups/products/"
        field = "lines-0-product"
        context: Query = {
            "account_id": catalogue.account_id,
            "warehouse_id": catalogue.warehouse_id,
        }
        queries: list[Query] = [{field: text, **context} for text in catalogue.texts]
        # The desk's first call fetches a token and opens the sandbox's database: not a lookup.
        _time(client, products, [{field: "warm-up", **context}])
        started = _server_cpu_ms(stack)
        cold, cold_empty = _time(client, products, queries)
        cold_cpu = _server_cpu_ms(stack)
        warm, warm_empty = _time(client, products, queries)
        warm_cpu = _server_cpu_ms(stack)
        names = ["ac", "acme", "north", "kite", "blue", "bluebird", "k", "trading", "homeware"]
        carriers = ["dpd", "royal", "ups", "royal mail", "u", "d", "r", "mail", "parcel"]
        searches: list[Query] = [{"account": name} for name in names]
        carrier_searches: list[Query] = [{"carrier": name} for name in carriers]
        accounts_cold, accounts_empty = _time(
            client, f"{base}/orders/new/lookups/accounts/", searches
        )
        accounts_warm, _ = _time(client, f"{base}/orders/new/lookups/accounts/", searches)
        carriers_cold, carriers_empty = _time(
            client, f"{base}/orders/new/lookups/carriers/", carrier_searches
        )
        carriers_warm, _ = _time(client, f"{base}/orders/new/lookups/carriers/", carrier_searches)
    # The machine's load stretches the wall clock above; the server's CPU per request does not.
    cold_each, warm_each = (cold_cpu - started) / len(queries), (warm_cpu - cold_cpu) / len(queries)
    print(
        "Server CPU per product lookup (desk and sandbox, one process), ms: "
        f"cold {cold_each:.1f}, warm {warm_each:.1f}"
    )
    return [
        timing("products, cold", cold, cold_empty),
        timing("products, warm", warm, warm_empty),
        timing("accounts, cold", accounts_cold, accounts_empty),
        timing("accounts, warm", accounts_warm, 0),
        timing("carriers, cold", carriers_cold, carriers_empty),
        timing("carriers, warm", carriers_warm, 0),
    ]


# Notes in the page when the product box last had a keystroke and when its suggestions were
# first painted after it (the frame after they were swapped in).
WATCH_SUGGESTIONS = """
() => {
  const box = document.getElementById("id_lines-0-product");
  const results = document.getElementById("lines-0-results");
  window.benchTyped = {last: 0, shown: 0};
  box.addEventListener("input", () => {
    window.benchTyped.last = performance.now();
    window.benchTyped.shown = 0;
  });
  new MutationObserver(() => {
    if (results.querySelector('[role="option"]') && !window.benchTyped.shown) {
      requestAnimationFrame(() => { window.benchTyped.shown = performance.now(); });
    }
  }).observe(results, {childList: true, subtree: true});
}
"""
CLEAR_BOX = """
() => {
  document.getElementById("id_lines-0-product").value = "";
  document.getElementById("lines-0-results").innerHTML = "";
  window.benchTyped.shown = 0;
}
"""


def _static_files(stack: Stack) -> Path:
    """Collect the served checkout's static files; return where they are.

    gunicorn serves no static files in development settings (an earlier checkout had no
    WhiteNoise at all): the browser is given them from here instead.
    """
    env = {**stack.env, "DJANGO_STATIC_ROOT": str(stack.logs / "static")}
    subprocess.run(
        [str(stack.bin / "python"), "manage.py", "collectstatic", "--noinput"],
        cwd=stack.root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    where = subprocess.run(
        [
            str(stack.bin / "python"),
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.STATIC_ROOT)",
        ],
        cwd=stack.root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(where.stdout.strip().splitlines()[-1])


def _typed(base: str, catalogue: Catalogue, *, runs: int, static: Path) -> list[Timing]:
    """Type product searches into the entry page in Chromium, a key every KEY_GAP_MS, and
    time the last keystroke to the suggestions painted: cold (first asked), then warm."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"No Chromium at {CHROMIUM} (CHROMIUM_PATH names another).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        try:
            page = browser.new_page()

            def static_file(route: Any) -> None:
                name = route.request.url.split("/static/", 1)[1].split("?")[0]
                found = static / name
                if found.is_file():
                    route.fulfill(path=str(found))
                else:
                    route.fulfill(status=404)

            page.route(f"{base}/static/**", static_file)
            page.goto(f"{base}/login/")
            page.fill("#id_username", "agent")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.goto(f"{base}/orders/new/")
            page.wait_for_load_state("networkidle")
            page.evaluate(
                f"() => {{ document.getElementById('id_account_id').value = "
                f"'{catalogue.account_id}'; }}"
            )
            page.evaluate(WATCH_SUGGESTIONS)
            box = page.locator("#id_lines-0-product")
            results = []
            for label, texts in (
                ("typed, cold", catalogue.spare[:runs]),
                ("typed, warm", catalogue.texts[:runs]),
            ):
                times: list[float] = []
                empty = 0
                for text in texts:
                    page.evaluate(CLEAR_BOX)
                    box.focus()
                    page.keyboard.type(text, delay=KEY_GAP_MS)
                    try:
                        page.wait_for_function("() => window.benchTyped.shown > 0", timeout=5000)
                    except PlaywrightTimeout:
                        empty += 1
                        continue
                    shown = page.evaluate("() => window.benchTyped.shown - window.benchTyped.last")
                    times.append(float(shown))
                    page.wait_for_timeout(150)
                if not times:
                    raise RuntimeError(f"No suggestion was shown ({label}).")
                results.append(timing(label, times, empty))
        finally:
            browser.close()
    return results


def _report(
    results: list[Timing], options: argparse.Namespace, typed: list[Timing] | None = None
) -> int:
    print(
        f"Autocomplete through the desk's view, real HTTP to the sandbox "
        f"({options.products:,} products, account and warehouse chosen), milliseconds:"
    )
    print(f"{'lookup':<28} {'runs':>5} {'p50':>8} {'p95':>8} {'worst':>8} {'empty':>6}")
    for result in results:
        print(result.line())
    cold = next(result for result in results if result.label == "products, cold")
    warm = next(result for result in results if result.label == "products, warm")
    met = cold.p95 <= COLD_GOAL_MS and warm.p95 <= WARM_GOAL_MS
    print(
        f"Goals: p95 cold ≤ {COLD_GOAL_MS:g} ms ({cold.p95:.1f}), "
        f"warm ≤ {WARM_GOAL_MS:g} ms ({warm.p95:.1f}): {'met' if met else 'NOT met'}."
    )
    if typed:
        print()
        print(
            f"In Chromium, a key every {KEY_GAP_MS} ms into a line's product box: milliseconds "
            "from the last keystroke to the suggestions painted:"
        )
        print(f"{'lookup':<28} {'runs':>5} {'p50':>8} {'p95':>8} {'worst':>8} {'empty':>6}")
        for result in typed:
            print(result.line())
        shown = max(result.p50 for result in typed)
        typed_met = shown <= SHOWN_GOAL_MS
        met = met and typed_met
        print(
            f"Goal: p50 ≤ {SHOWN_GOAL_MS:g} ms on loopback ({shown:.1f}): "
            f"{'met' if typed_met else 'NOT met'}."
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
