"""Keying benchmark: how many keys an agent presses to key one realistic order, field by field.

Serves the desk and the sandbox (a seeded catalogue) under gunicorn on loopback, signs in as an
agent in real Chromium (Playwright) and keys one scripted phone order with the keyboard alone,
as an agent who knows the desk would: account, reference, dispatch date and time, carrier and
its service, five lines found by SKU or by words, eight address fields, then Ctrl+Enter. It
counts the characters of data typed and the navigation keys (Tab, Enter, arrows, Ctrl+Enter)
pressed for each field, and prints keys per field. Goal: at most 1.1 navigation keys per field.

The same order is keyed against this working tree and against an earlier commit (``--base``,
taken with ``git archive``), each from a copy of its code, and the figures are printed side by
side. The agent moves on with Enter, as the desk asks; Tab only where Enter does something else
(from a button or link, from nothing focused, out of a date's segment, leaving the lines from a
quantity, where Enter adds a line). Suggestions are waited for, then the wanted one is reached
with ↓; an exact SKU is typed and Enter pressed at once, as a scanner does.

Run it with ``bench/keying`` (``--base none`` for this tree alone). Exit status: 0 when the goal
is met on this tree, 1 when it is not, 3 when the bench cannot run.
"""

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.snapshot import snapshot
from bench.stack import LOOPBACK, Stack, free_port, wait_until_serving

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.1
# The code before the keyboard work: the figure the goal is measured against.
DEFAULT_BASE = "a89f47c"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SUBDOMAIN = "bench"
PASSWORD = "bench-keying-0123"
CLIENT_ID = "bench-desk"
CLIENT_SECRET = "bench-desk-secret-0123456789"
ACTIVE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "BODY", id: "", cls: "", type: ""};
  return {tag: el.tagName, id: el.id, cls: el.className || "", type: el.type || ""};
}"""
IDLE = "() => !document.querySelector('.htmx-request')"


@dataclass(frozen=True)
class Step:
    """One field of the scripted order."""

    label: str
    # The field's id on the page.
    target: str
    text: str = ""
    # "text", "date", "lookup" (suggestions waited for, ↓ to ``wanted``), "scan" (an exact code
    # and Enter at once) or "choice" (a list Clarus fills, already on the right value).
    kind: str = "text"
    wanted: str = ""


@dataclass
class Tally:
    """What was pressed for one field."""

    label: str
    data: int = 0
    nav: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Result:
    name: str
    code: str
    tallies: list[Tally]
    sent: bool

    @property
    def fields(self) -> int:
        return len(self.tallies)

    @property
    def data(self) -> int:
        return sum(tally.data for tally in self.tallies)

    @property
    def nav(self) -> int:
        return sum(len(tally.nav) for tally in self.tallies)

    @property
    def per_field(self) -> float:
        return self.nav / self.fields


def main(argv: Sequence[str] | None = None) -> int:
    options = _arguments(argv)
    if not Path(CHROMIUM).exists():
        print(f"Chromium not found at {CHROMIUM} (apt-get install chromium).", file=sys.stderr)
        return 3
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="desk-bench-keying-") as scratch:
        workdir = Path(scratch)
        versions = [("this tree", None)]
        if options.base.lower() != "none":
            versions.insert(0, (f"base {options.base}", options.base))
        for name, commit in versions:
            code = workdir / ("base" if commit else "tree")
            code.mkdir()
            label = _export(commit, code) if commit else snapshot(ROOT, code)
            try:
                results.append(_run(name, label, code, workdir, options))
            except (RuntimeError, subprocess.CalledProcessError) as problem:
                print(f"The bench could not run on {name}: {problem}", file=sys.stderr)
                if isinstance(problem, subprocess.CalledProcessError) and problem.stderr:
                    print(problem.stderr.decode(errors="replace")[-3000:], file=sys.stderr)
                for log in workdir.glob(f"{code.name}-*.log"):
                    print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
                return 3
    return _report(results)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/keying", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--base", default=DEFAULT_BASE, help=f"commit to compare with (default {DEFAULT_BASE})"
    )
    parser.add_argument("--delay", type=int, default=20, help="ms between typed keys")
    parser.add_argument("--products", type=int, default=200, help="seeded (default 200)")
    parser.add_argument("--show", action="store_true", help="print each key as it is pressed")
    return parser.parse_args(argv)


def _export(commit: str, dest: Path) -> str:
    """Write ``commit``'s files into ``dest``; return its short name."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return (
        subprocess.run(
            ["git", "rev-parse", "--short", commit], cwd=ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .strip()
    )


def _run(name: str, label: str, code: Path, workdir: Path, options: argparse.Namespace) -> Result:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clarus_admin.settings",
        "DJANGO_DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "DESK_STAFF_PASSWORD": PASSWORD,
        "DESK_CLARUS_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / (code.name + '.sqlite3')}",
    }
    stack = Stack(root=code, bin=Path(sys.executable).parent, logs=workdir, env=env)
    port = free_port()
    base = f"http://{LOOPBACK}:{port}"
    try:
        _prepare(stack, base, products=options.products)
        stack.gunicorn(f"{code.name}-desk", port=port, workers=1, threads=8)
        wait_until_serving(f"{base}/login/", stack=stack)
        steps = _script(code, env)
        tallies, sent = _key(base, steps, options)
    finally:
        stack.stop()
    return Result(name=name, code=label, tallies=tallies, sent=sent)


def _manage(stack: Stack, *args: str) -> None:
    subprocess.run(
        [str(stack.bin / "python"), "manage.py", *args],
        cwd=stack.root,
        env=dict(stack.env),
        check=True,
        stdout=subprocess.DEVNULL,
        # Its warnings are the libraries', not the run's: shown only if the command fails.
        stderr=subprocess.PIPE,
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


# Asks the sandbox's catalogue (the same seed gives the same rows in every run) for the lines.
CATALOGUE = """
import json
from sandbox.catalogue import Account, AccountProduct
account = Account.objects.get(subdomain__slug="bench", code="ACME")
rows = AccountProduct.objects.filter(account=account).order_by("product_id")
print(json.dumps([[r.product.code, r.product.description] for r in rows.select_related("product")]))
"""


def _script(code: Path, env: dict[str, str]) -> list[Step]:
    """Return the scripted order: the same fields and data against every version."""
    import json

    products = json.loads(
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", CATALOGUE],
            cwd=code,
            env=env,
            capture_output=True,
            check=True,
        ).stdout.splitlines()[-1]
    )
    descriptions = [description for _, description in products]
    by_sku = [sku for sku, _ in products[:3]]
    # Found by the words of the description but its size ("blue ceramic mug"), as an agent
    # reads them off an e-mail: other sizes match too, so the agent chooses among suggestions.
    by_words: list[tuple[str, str]] = []
    for sku, description in products[3:]:
        words = description.lower().split()
        text = " ".join(words[:-1])
        if descriptions.count(description) == 1 and len(by_words) < 2:
            by_words.append((sku, text))
    lines = [(sku, "scan", sku, "") for sku in by_sku[:2]]
    lines.append((by_words[0][1], "lookup", by_words[0][0], ""))
    lines.append((by_sku[2], "scan", by_sku[2], ""))
    lines.append((by_words[1][1], "lookup", by_words[1][0], ""))
    quantities = ["2", "12", "1", "6", "24"]
    dispatch = date.today() + timedelta(days=2)
    steps = [
        Step("Account", "id_account", "acme", "lookup", "ACME"),
        Step("Order reference", "id_reference", "PO-55210"),
        Step(
            "Dispatch date and time", "id_expected_date_of_dispatch", dispatch.isoformat(), "date"
        ),
        Step("Carrier", "id_carrier", "dpd", "scan"),
        Step("Carrier service", "id_carrier_service_id", kind="choice"),
    ]
    for index, ((text, kind, wanted, _), quantity) in enumerate(
        zip(lines, quantities, strict=True)
    ):
        steps.append(
            Step(f"Line {index + 1} product", f"id_lines-{index}-product", text, kind, wanted)
        )
        steps.append(Step(f"Line {index + 1} quantity", f"id_lines-{index}-quantity", quantity))
    steps += [
        Step("Name or company", "id_delivery_name", "Harbour Cafe Ltd"),
        Step("Address line 1", "id_delivery_address_1", "4 Kirkstall Road"),
        Step("Address line 2", "id_delivery_address_2", "Burley"),
        Step("Town or city", "id_delivery_town", "Leeds"),
        Step("County or region", "id_delivery_county", "West Yorkshire"),
        Step("Postcode", "id_delivery_postcode", "ls31ab"),
        Step("Email", "id_delivery_email", "orders@harbourcafe.example"),
        Step("Phone", "id_delivery_phone", "0113 496 0000"),
    ]
    return steps


class Agent:
    """Keys the scripted order into the entry page and counts what it pressed."""

    def __init__(self, page: Any, *, delay: int, show: bool) -> None:
        self.page = page
        self.delay = delay
        self.show = show
        self.tally = Tally("")

    def active(self) -> dict[str, str]:
        answer: dict[str, str] = self.page.evaluate(ACTIVE)
        return answer

    def settle(self) -> None:
        self.page.wait_for_function(IDLE, timeout=15_000)
        # What htmx does once a request is over (swap, settle, focus) takes a moment more.
        time.sleep(0.12)
        self.page.wait_for_function(IDLE, timeout=15_000)

    def press(self, key: str) -> None:
        if self.show:
            print(f"    {self.tally.label}: {key}")
        self.tally.nav.append(key)
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.tally.data += len(text)
        self.page.keyboard.type(text, delay=self.delay)

    def move_key(self, target: str) -> str:
        """Return the key an agent who knows the desk presses to move on towards ``target``."""
        now = self.active()
        if now["tag"] in {"BODY", "BUTTON", "A", "SUMMARY"}:
            return "Tab"
        if "line-quantity" in now["cls"] and not target.startswith("id_lines-"):
            # Enter in a quantity adds a line: leaving the lines takes Tab.
            return "Tab"
        return "Enter"

    def reach(self, target: str) -> None:
        for _ in range(40):
            self.settle()
            if self.active()["id"] == target:
                return
            self.press(self.move_key(target))
        raise RuntimeError(f"Could not reach #{target}; focus is on {self.active()}.")

    def key(self, step: Step) -> None:
        if step.kind == "date":
            self.key_date(step)
        elif step.kind == "lookup":
            self.type(step.text)
            self.choose(step)
        elif step.kind in {"text", "scan"}:
            self.type(step.text)

    def key_date(self, step: Step) -> None:
        day = date.fromisoformat(step.text)
        if self.active()["type"] == "datetime-local":
            # Day, month and year segments, then Tab out of the year (digits would run on).
            self.type(f"{day:%d%m%Y}")
            self.press("Tab")
            self.type("1400")
        else:
            self.type(f"{day:%d/%m} 14:00")

    def choose(self, step: Step) -> None:
        """Wait for the suggestions, then ↓ to the wanted one unless it is the only one."""
        typed = " ".join(step.text.lower().split())
        answered = (
            "([id, typed]) => { const box = document.getElementById(id);"
            " const marked = box.closest('.lookup').querySelector('.lookup-results [data-for]');"
            " return marked && marked.dataset.for.trim().toLowerCase() === typed; }"
        )
        self.page.wait_for_function(answered, arg=[step.target, typed], timeout=15_000)
        self.settle()
        codes = self.page.evaluate(
            "(id) => Array.from(document.getElementById(id).closest('.lookup')"
            ".querySelectorAll('.lookup-results [role=option]')).map(o => o.dataset.code)",
            step.target,
        )
        if step.wanted not in codes:
            raise RuntimeError(f"{step.text!r} did not suggest {step.wanted}: {codes}")
        if len(codes) > 1:
            for _ in range(codes.index(step.wanted) + 1):
                self.press("ArrowDown")


def _key(base: str, steps: list[Step], options: argparse.Namespace) -> tuple[list[Tally], bool]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{base}/orders/new/")
        page.fill("#id_username", "agent")
        page.fill("#id_password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("#order-form")
        page.wait_for_load_state("load")
        agent = Agent(page, delay=options.delay, show=options.show)
        tallies: list[Tally] = []
        for step in steps:
            agent.tally = Tally(step.label)
            tallies.append(agent.tally)
            agent.reach(step.target)
            agent.key(step)
        # The last field's key is the one that sends.
        agent.settle()
        agent.press("Control+Enter")
        try:
            page.wait_for_url(lambda url: "/orders/new/" not in url, timeout=20_000)
            sent = True
        except Exception:  # any failure to arrive is "not sent"
            sent = False
        browser.close()
    return tallies, sent


def _keys(nav: list[str]) -> str:
    """Return keys as "Tab x10 Enter" in the order pressed."""
    names = {"ArrowDown": "↓", "Control+Enter": "Ctrl+Enter"}
    runs: list[list[Any]] = []
    for key in nav:
        shown = names.get(key, key)
        if runs and runs[-1][0] == shown:
            runs[-1][1] += 1
        else:
            runs.append([shown, 1])
    return " ".join(f"{name} x{count}" if count > 1 else name for name, count in runs)


def _report(results: list[Result]) -> int:
    print("Keys to key one scripted order, keyboard only, in Chromium (data characters typed,")
    print("navigation keys pressed, per field):")
    header = f"{'field':<24}"
    for result in results:
        header += f" | {result.name + ' (' + result.code + ')':<34}"
    print(header)
    for row in range(len(results[-1].tallies)):
        line = f"{results[-1].tallies[row].label:<24}"
        for result in results:
            tally = result.tallies[row]
            cell = f"{tally.data:>3} {len(tally.nav):>3}  {_keys(tally.nav)}"
            line += f" | {cell:<34}"
        print(line)
    print()
    for result in results:
        print(
            f"{result.name} ({result.code}): {result.data} characters of data, {result.nav} "
            f"navigation keys for {result.fields} fields = {result.per_field:.2f} keys per field; "
            f"{'sent' if result.sent else 'NOT sent'}."
        )
    now = results[-1]
    met = now.per_field <= GOAL and now.sent
    print(
        f"Goal: at most {GOAL} navigation keys per field ({now.per_field:.2f}): "
        f"{'met' if met else 'NOT met'}."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
