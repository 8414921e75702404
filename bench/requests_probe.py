"""The measuring half of ``bench/requests``: one checkout of the desk, timed in this process.

``bench/requests`` runs this file with each checkout's own Python, the checkout's root as the
working directory, so that it times that checkout's code. It reaches the desk only through its
addresses (Django's test client) and management commands, never by importing the desk's modules,
whose layout differs between commits; the sandbox's catalogue models are read to choose an
account and its products.

Production settings (``DJANGO_DEBUG=false``), a throwaway SQLite file. Clarus is the sandbox,
served by this same process over loopback HTTP on a thread of its own: the desk's request runs
on the main thread, so its CPU time (``time.thread_time``) leaves out Clarus's own work, which
the sandbox's thread does. Writes its samples as JSON to ``--out``.
"""

import argparse
import base64
import cProfile
import hashlib
import json
import os
import re
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer, make_server

SUBDOMAIN = "bench"
CLIENT_ID = "bench-desk"
CLIENT_SECRET = "bench-desk-secret-0123456789"
AGENT = "agent"
LINES = 5
# Not a figure: whether the entry page adds lines without asking the server (bench/requests).
BUILT_IN_BROWSER = "lines built in the browser"
# bench/requests's names for the figures whose probe name is shorter.
PROFILE_ALIASES = {"submit, beyond Clarus": "submit", "history page, 50 rows": "history page"}


class _KeptAliveAnswer(ServerHandler):
    # Answers as HTTP/1.1 with their length (the app's body is one piece), so the connection
    # stays open for the next request, as Clarus's own servers keep it.
    http_version = "1.1"


class SandboxConnection(WSGIRequestHandler):
    """The sandbox's side of a connection: requests answered one after another on it until the
    desk closes it or asks to, as Clarus and gunicorn answer them (``wsgiref``'s own handler
    answers one and closes, so every request to it would pay for a new connection)."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        # An answer leaves in two writes, its headers then its body; on a kept connection Nagle's
        # algorithm holds the body back until the desk's delayed ACK (40 ms on Linux). gunicorn
        # sets TCP_NODELAY on every connection it accepts for the same reason.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()

    def handle(self) -> None:
        while True:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.parse_request():
                return
            answer = _KeptAliveAnswer(
                self.rfile,
                self.wfile,  # type: ignore[arg-type]
                self.get_stderr(),
                self.get_environ(),
                multithread=False,
            )
            # wsgiref's own handler does this too: the answer logs through its request handler.
            answer.request_handler = self  # type: ignore[attr-defined]
            server: Any = self.server
            answer.run(server.get_app())
            if self.close_connection:
                return

    def log_message(self, format: str, *args: Any) -> None:
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def sandbox_server() -> WSGIServer:
    """Return a server for the sandbox on a free loopback port; its app is set once Django is."""
    return make_server(
        "127.0.0.1",
        0,
        lambda environ, start_response: [],
        server_class=ThreadingServer,
        handler_class=SandboxConnection,
    )


class ClarusClock:
    """Wall and CPU time the sandbox spends answering, added up while ``on``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wall = 0.0
        self.cpu = 0.0
        self.requests = 0

    def reset(self) -> None:
        with self.lock:
            self.wall = self.cpu = 0.0
            self.requests = 0

    def wrap(self, app: Callable[..., Any]) -> Callable[..., Any]:
        def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            wall, cpu = time.perf_counter(), time.thread_time()
            body = b"".join(app(environ, start_response))
            with self.lock:
                self.wall += time.perf_counter() - wall
                self.cpu += time.thread_time() - cpu
                self.requests += 1
            return [body]

        return timed


class FormFields(HTMLParser):
    """The names and values a browser would post from ``form#order-form``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.inside = attr.get("id") == "order-form"
        if not self.inside:
            return
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attr:
                return
            if kind in {"submit", "button"}:
                return
            self.values[name] = attr.get("value", "")
        elif tag == "select" and name:
            self._select, self._first_option = name, None
        elif tag == "option" and self._select:
            value = attr.get("value", "")
            if self._first_option is None:
                self._first_option = value
                self.values[self._select] = value
            if "selected" in attr:
                self.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def desk_environment(scratch: Path, *, debug: bool) -> None:
    key = base64.urlsafe_b64encode(hashlib.sha256(b"bench-requests").digest()).decode()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "clarus_admin.settings",
            "DJANGO_DEBUG": "true" if debug else "false",
            "DJANGO_SECRET_KEY": "bench-requests-secret-key-0123456789-abcdefghijklmnop",
            "DESK_ENCRYPTION_KEYS": key,
            # The sandbox is served by this process, over plain HTTP on loopback.
            "DESK_SANDBOX": "true",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DESK_CLARUS_HOSTS": "127.0.0.1",
            "DESK_CLARUS_REQUIRE_HTTPS": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{scratch / 'bench.sqlite3'}",
            "DJANGO_STATIC_ROOT": str(scratch / "static"),
            "LOG_LEVEL": "WARNING",
            # Connections kept between requests, as production would run (the other benches too).
            "DATABASE_CONN_MAX_AGE": "60",
        }
    )


def desk_prepare(sandbox_url: str, products: int) -> dict[str, Any]:
    """Migrate, seed the sandbox, wire a tenant and an agent to it; return what to key."""
    from django.core.management import call_command

    quiet = {"verbosity": 0}
    call_command("migrate", interactive=False, **quiet)
    call_command("collectstatic", interactive=False, **quiet)
    call_command(
        "sandbox_client",
        f"--subdomain={SUBDOMAIN}",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
        **quiet,
    )
    call_command("sandbox_seed", f"--subdomain={SUBDOMAIN}", f"--products={products}", **quiet)
    call_command(
        "clarus_tenant",
        f"--subdomain={SUBDOMAIN}",
        "--name=Bench 3PL",
        f"--base-url={sandbox_url}",
        f"--token-url={sandbox_url}/oauth/token",
        f"--client-id={CLIENT_ID}",
        f"--client-secret={CLIENT_SECRET}",
        **quiet,
    )
    os.environ["DESK_STAFF_PASSWORD"] = "bench-requests-0123"
    call_command(
        "clarus_staff", f"--tenant={SUBDOMAIN}", f"--username={AGENT}", "--role=agent", **quiet
    )
    from sandbox.catalogue import Account, AccountProduct, AccountWarehouse

    account = Account.objects.get(subdomain__slug=SUBDOMAIN, code="ACME")
    owned = list(
        AccountProduct.objects.filter(account=account)
        .order_by("pk")
        .values_list("product_id", "product__code", "product__description")
    )
    warehouse = AccountWarehouse.objects.filter(account=account).order_by("pk")[0].warehouse_id
    return {
        "account": account.pk,
        "account_code": account.code,
        "warehouse": warehouse,
        "products": owned[:LINES],
        # What an agent types into a product box: each SKU once, so the first ask is cold.
        "searches": [code for _, code, _ in owned],
    }


class Desk:
    """The agent's requests through Django's test client, each timed on this thread."""

    def __init__(self, clock: ClarusClock, *, profile: str = "") -> None:
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        self.client = Client()
        user = get_user_model().objects.get(username=AGENT)
        self.client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        self.connection = connection
        self.clock = clock
        self.samples: dict[str, dict[str, list[float]]] = {}
        # Several figures, separated by ";", each in its own profile; CPU time, as the figures.
        self.profiles = {
            PROFILE_ALIASES.get(name.strip(), name.strip()): cProfile.Profile(time.thread_time)
            for name in profile.split(";")
            if name.strip()
        }

    @contextmanager
    def timed(self, figure: str, *, keep: bool) -> Iterator[None]:
        queries = 0

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        self.clock.reset()
        profiler = self.profiles.get(figure) if keep else None
        with self.connection.execute_wrapper(count):
            if profiler:
                profiler.enable()
            wall, cpu = time.perf_counter(), time.thread_time()
            yield
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            if profiler:
                profiler.disable()
        if keep:
            sample = self.samples.setdefault(
                figure, {"cpu": [], "wall": [], "sql": [], "clarus_wall": [], "clarus_cpu": []}
            )
            sample["cpu"].append(cpu * 1000)
            sample["wall"].append(wall * 1000)
            sample["sql"].append(queries)
            sample["clarus_wall"].append(self.clock.wall * 1000)
            sample["clarus_cpu"].append(self.clock.cpu * 1000)

    def get(self, figure: str, url: str, *, keep: bool = True, htmx: bool = False) -> Any:
        headers = {"HX-Request": "true"} if htmx else {}
        with self.timed(figure, keep=keep):
            response = self.client.get(url, headers=headers, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return response

    def post(self, figure: str, url: str, data: dict[str, str], *, keep: bool = True) -> Any:
        # Form-encoded, as htmx posts a form (the test client would send multipart); encoded
        # before the clock starts, as the browser encodes it.
        body = urlencode(data)
        with self.timed(figure, keep=keep):
            response = self.client.post(
                url,
                body,
                content_type="application/x-www-form-urlencoded",
                headers={"HX-Request": "true"},
                secure=True,
            )
        return response


def order_data(page: str, keying: dict[str, Any], number: int) -> dict[str, str]:
    """Return the entry form as the agent sends it: the page's own fields, filled in."""
    parser = FormFields()
    parser.feed(page)
    data = dict(parser.values)
    dispatch = datetime.now() + timedelta(days=2)
    data.update(
        {
            "account": keying["account_code"],
            "account_id": str(keying["account"]),
            "reference": f"BENCH-{number:05d}",
            "expected_date_of_dispatch": dispatch.strftime("%Y-%m-%d 14:00"),
            "delivery_name": "Ada Lovelace",
            "delivery_address_1": "1 Park Row",
            "delivery_town": "Leeds",
            "delivery_postcode": "LS1 5AB",
            "delivery_country": "GB",
            "delivery_email": "ada@example.com",
            "delivery_phone": "0113 496 0000",
            "lines-TOTAL_FORMS": str(LINES),
        }
    )
    for index, (product_id, code, description) in enumerate(keying["products"]):
        data.update(
            {
                f"lines-{index}-product": code,
                f"lines-{index}-product_id": str(product_id),
                f"lines-{index}-description": description,
                f"lines-{index}-available": "",
                f"lines-{index}-quantity": str(index + 1),
            }
        )
    return data


def page_errors(page: str) -> str:
    found = re.findall(r'class="(?:error|problem)"[^>]*>(.*?)</', page, flags=re.S)
    return "; ".join(text.strip() for text in found if text.strip())[:500]


def _suggestions(desk: Desk, keying: dict[str, Any], runs: int) -> None:
    """Product suggestions as a product box asks for them: first asked, then asked again."""
    url = "/orders/new/lookups/products/"
    context = f"account_id={keying['account']}&warehouse_id={keying['warehouse']}"
    searches = keying["searches"][: runs + 3]
    for kind in ("cold", "warm"):
        for number, text in enumerate(searches):
            response = desk.get(
                f"product suggestions, {kind}",
                f"{url}?lines-0-product={text}&{context}",
                htmx=True,
                keep=number >= 3,
            )
            if b'role="option"' not in response.content:
                raise RuntimeError(f"No suggestion for {text}: {response.content[:300]!r}")


def _measure(desk: Desk, keying: dict[str, Any], runs: int) -> None:
    entry_url, line_url, history_url = "/orders/new/", "/orders/new/line-row/", "/orders/"
    _suggestions(desk, keying, runs)
    order_urls: list[str] = []
    warm = 3
    orders = max(runs, 51)
    for number in range(orders + warm):
        keep = number >= warm
        page = desk.get("entry page", entry_url, keep=keep and number < runs + warm).content
        if number == 0:
            # A page that copies a blank line from its own template asks the server for none.
            built = b'id="line-template"' in page
            desk.samples[BUILT_IN_BROWSER] = {"flag": [1.0 if built else 0.0]}
        data = order_data(page.decode(), keying, number)
        response = desk.post("submit", entry_url, data, keep=keep and number < runs + warm)
        target = response.headers.get("HX-Redirect")
        if response.status_code != 200 or not target:
            raise RuntimeError(f"The order was not sent: {page_errors(response.content.decode())}")
        order_urls.append(target)
        desk.get("order page", target, keep=keep and number < runs + warm)
    for number in range(runs + warm):
        total = 1 + number % 4
        desk.get(
            "add-line fragment",
            f"{line_url}?lines-TOTAL_FORMS={total}",
            htmx=True,
            keep=number >= warm,
        )
    for number in range(runs + warm):
        page = desk.get("history page", history_url, keep=number >= warm).content.decode()
        if number == 0:
            shown = {url for url in order_urls if f'href="{url}"' in page}
            if len(shown) < 50:
                raise RuntimeError(f"The history page shows {len(shown)} orders, not 50.")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--debug", action="store_true", help="development settings")
    parser.add_argument(
        "--profile", default="", help="figures to run under cProfile (CPU time), separated by ;"
    )
    parser.add_argument("--profile-out", type=Path, help="where its pstats go")
    parser.add_argument("--out", type=Path, required=True, help="where the JSON goes")
    options = parser.parse_args()
    sys.path.insert(0, os.getcwd())
    with tempfile.TemporaryDirectory(prefix="desk-bench-requests-") as scratch:
        clock = ClarusClock()
        # The port is known before Django starts: the tenant's Clarus address names it.
        server = sandbox_server()
        port = server.server_address[1]
        desk_environment(Path(scratch), debug=options.debug)
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application

        keying = desk_prepare(f"http://127.0.0.1:{port}/sandbox", options.products)
        # After collectstatic: WhiteNoise reads the static files once, when it starts.
        server.set_app(clock.wrap(get_wsgi_application()))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            desk = Desk(clock, profile=options.profile)
            _measure(desk, keying, options.runs)
        finally:
            server.shutdown()
    options.out.write_text(json.dumps(desk.samples))
    if options.profile_out:
        for figure, profiler in desk.profiles.items():
            # One figure: the file named; several: one file each, the figure's name appended.
            out = options.profile_out
            if len(desk.profiles) > 1:
                out = out.with_name(f"{out.name}.{figure.replace(' ', '_').replace(',', '')}")
            profiler.dump_stats(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
