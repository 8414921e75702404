"""Submit bench: where one submit's CPU goes, in this checkout.

``bench/requests`` says what a submit costs beside an earlier commit; this says where it goes, in
two tables, from the same submits as the requests bench makes (``bench/requests_probe.py``: a
5-line order posted with htmx through Django's test client, production settings, a throwaway
SQLite file):

- **by part**: the request's thread CPU inside each part of the submit (a timer around the
  function that does it), p50 and mean over ``--runs`` submits. A part indented under another is
  inside it. No profiler runs, so these are the figures to compare.
- **by whose code runs**: the submit's CPU under cProfile, each function's own time given to
  whoever wrote it (the desk, Django's forms, its ORM, httpx …); a built-in function's time goes
  to whoever called it. cProfile slows small functions more than large ones, so read the shares,
  not the milliseconds.

The sandbox answers from a process of its own, forked once it is set up, so that none of
Clarus's work lands in either table (cProfile in Python 3.12 sees every thread of its process).
The parts name this checkout's functions: a part whose function has moved stops the bench.

Run it with ``bench/submit`` (or ``make bench-submit``).
"""

import argparse
import cProfile
import functools
import importlib
import os
import pstats
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]

# (what the part is, the module and the attribute whose calls it times, its depth). A function
# imported by name is timed where it is called from, so the module is the caller's.
PARTS: list[tuple[str, str, str, int]] = [
    ("signing in: the session, the user, their memberships",
     "clarus_admin.authentication", "signed_in_user", 0),
    ("the posted form read (request.POST)", "django.http.request",
     "HttpRequest._load_post_and_files", 0),
    ("the entry view", "orders.views.entry", "_submit_entry", 0),
    ("the entry form made", "orders.forms.entry", "OrderForm.__init__", 1),
    ("the entry form validated", "orders.forms.entry", "OrderForm.full_clean", 1),
    ("the lines validated", "orders.forms.entry", "BaseOrderLineFormSet.full_clean", 1),
    ("the keyed order made from them", "orders.forms.entry", "OrderEntry.keyed_order", 1),
    ("the order kept and sent", "orders.services.submission", "order_submit", 1),
    ("one read before writing", "orders.services.submission", "submission_start", 2),
    ("the order, its trail and its lines written", "orders.services.submission",
     "_store_new_order", 2),
    ("the POST to Clarus, its record made", "orders.services.delivery", "goods_out_create", 2),
    ("the document", "orders.services.delivery", "order_document", 3),
    ("the token", "orders.clarus.rest", "access_token", 3),
    ("httpx: the request sent, the answer read", "httpx", "Client.request", 3),
    ("settled by Clarus's answer", "orders.services.delivery", "_settle", 2),
    ("the attempt's row", "orders.audit", "attempt_record", 3),
    ("the redirect to the order's page", "orders.views.entry", "desk_redirect", 1),
    ("every commit (the submit makes two)", "django.db.backends.base.base",
     "BaseDatabaseWrapper.commit", 0),
]  # fmt: skip

WHOLE = "the whole submit, through the test client"


class PartClocks:
    """Thread-CPU time spent in each part, added up while a submit is timed."""

    def __init__(self) -> None:
        self.on = False
        self.spent: defaultdict[str, float] = defaultdict(float)
        self.samples: dict[str, list[float]] = {}

    def install(self) -> None:
        for label, module_name, attribute, _ in PARTS:
            owner: Any = importlib.import_module(module_name)
            *path, name = attribute.split(".")
            for step in path:
                owner = getattr(owner, step)
            setattr(owner, name, self._timed(label, getattr(owner, name)))

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return function(*args, **kwargs)
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[label] += time.thread_time() - started

        return timed

    @contextmanager
    def submit(self) -> Iterator[None]:
        self.spent.clear()
        self.on = True
        started = time.thread_time()
        try:
            yield
        finally:
            whole = time.thread_time() - started
            self.on = False
        self.samples.setdefault(WHOLE, []).append(whole * 1000)
        for label, *_ in PARTS:
            self.samples.setdefault(label, []).append(self.spent[label] * 1000)


# Whose code a function is, by where its file is: the first that matches.
OWNERS: list[tuple[str, Callable[[str], bool]]] = [
    ("the desk's own code (orders/, clarus_admin/)",
     lambda path: path.startswith((str(ROOT / "orders"), str(ROOT / "clarus_admin")))),
    ("Django's forms", lambda path: "/django/forms/" in path),
    ("Django's ORM and database backend", lambda path: "/django/db/" in path),
    ("Django's test client (not in production)", lambda path: "/django/test/" in path),
    ("the rest of Django: its handler, middleware, request, sessions, signing",
     lambda path: "/django/" in path),
    ("httpx, httpcore, h11",
     lambda path: any(f"/{name}/" in path for name in ("httpx", "httpcore", "h11"))),
    ("other packages", lambda path: "site-packages/" in path),
    ("the bench", lambda path: path.startswith(str(ROOT / "bench"))),
]  # fmt: skip
SQLITE = "SQLite (its C library)"
PYTHON = "Python itself (called by nothing above)"


def _owner(path: str) -> str | None:
    """Return whose code the file is, or None for code that works for its caller: Python's own
    (its library, a built-in) and Django's utilities (lazy text, time zones, encodings)."""
    if "/django/utils/" in path:
        return None
    return next((owner for owner, owns in OWNERS if owns(path)), None)


def owner_shares(profile: cProfile.Profile) -> list[tuple[str, float]]:
    """Return each owner's share of the profiled time.

    A function's own time goes to whoever wrote it. Python's own functions (its standard library,
    its built-ins) and Django's utilities work for their callers: their time goes to their
    callers' owners, in proportion to the time each caller spent in them, up to the first
    caller that is neither (``json.dumps`` called by the desk is the desk's time, ``parse_qsl``
    called by Django is Django's). The parts' timers, idle while profiling, are the bench's."""
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    shares: dict[Any, dict[str, float]] = {}

    def owners_of(function: Any, seen: frozenset[Any]) -> dict[str, float]:
        """Whose behalf ``function`` runs on: each owner's fraction of its calls' time."""
        if function in shares:
            return shares[function]
        path, _, name = function
        if path == "~":
            own = SQLITE if "sqlite3" in name or "SQLite" in name else None
        else:
            own = _owner(path)
        found: defaultdict[str, float] = defaultdict(float)
        if own is not None:
            found[own] = 1.0
        else:
            callers = {
                caller: each[2]
                for caller, each in stats[function][4].items()
                if caller != function and caller not in seen
            }
            called = sum(callers.values())
            for caller, spent in callers.items():
                for owner, fraction in owners_of(caller, seen | {function}).items():
                    found[owner] += fraction * spent / called
            if not called:
                found[PYTHON] = 1.0
        if not seen:
            shares[function] = found
        return found

    spent: defaultdict[str, float] = defaultdict(float)
    for function, (_, _, own, _, _) in stats.items():
        for owner, fraction in owners_of(function, frozenset()).items():
            spent[owner] += own * fraction
    total = sum(spent.values()) or 1.0
    return sorted(
        ((owner, share / total) for owner, share in spent.items()), key=lambda each: -each[1]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300, help="submits timed (and profiled)")
    parser.add_argument("--products", type=int, default=200)
    options = parser.parse_args()
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from bench import requests_probe as probe

    with tempfile.TemporaryDirectory(prefix="desk-bench-submit-") as scratch:
        server = probe.sandbox_server()
        port = server.server_address[1]
        probe.desk_environment(Path(scratch), debug=False)
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application
        from django.db import connections

        keying = probe.desk_prepare(f"http://127.0.0.1:{port}/sandbox", options.products)
        server.set_app(get_wsgi_application())
        # Each process opens its own connections to the SQLite file.
        connections.close_all()
        sandbox = os.fork()
        if sandbox == 0:
            try:
                server.serve_forever()
            finally:
                os._exit(0)
        server.socket.close()
        try:
            clocks, profile = _measure(probe, keying, options.runs)
        finally:
            os.kill(sandbox, signal.SIGKILL)
            os.waitpid(sandbox, 0)
    _print(clocks, profile, options.runs)
    return 0


def _measure(probe: Any, keying: dict[str, Any], runs: int) -> tuple[PartClocks, Any]:
    """Submit ``runs`` orders timed by part, then ``runs`` more under cProfile."""
    clocks = PartClocks()
    clocks.install()
    desk = probe.Desk(probe.ClarusClock())
    profile = cProfile.Profile(time.thread_time)
    warm = 3
    for number in range(warm + 2 * runs):
        page = desk.get("entry page", "/orders/new/", keep=False).content.decode()
        data = probe.order_data(page, keying, number)
        timed, profiled = warm <= number < warm + runs, number >= warm + runs
        # Encoded before the clock starts, as the browser encodes it; posted as htmx posts it.
        body = urlencode(data)
        with clocks.submit() if timed else nullcontext():
            if profiled:
                profile.enable()
            response = desk.client.post(
                "/orders/new/",
                body,
                content_type="application/x-www-form-urlencoded",
                headers={"HX-Request": "true"},
                secure=True,
            )
            if profiled:
                profile.disable()
        if not response.headers.get("HX-Redirect"):
            problems = probe.page_errors(response.content.decode())
            raise RuntimeError(f"The order was not sent: {problems}")
    return clocks, profile


def _print(clocks: PartClocks, profile: Any, runs: int) -> None:
    print(
        f"Where a submit's CPU goes, ms of the request's thread, {runs} submits "
        "(DJANGO_DEBUG=false, SQLite, a 5-line order; Clarus's own work in another process):"
    )
    print(f"{'part':62s} {'p50':>6s} {'mean':>6s}")
    print("-" * 76)
    rows = [(WHOLE, 0)] + [(label, depth) for label, _, _, depth in PARTS]
    for label, depth in rows:
        samples = clocks.samples[label]
        name = "  " * depth + label
        print(f"{name:62s} {statistics.median(samples):6.2f} {statistics.mean(samples):6.2f}")
    print()
    print(f"Whose code the submit's CPU runs in, share of {runs} submits under cProfile:")
    for owner, share in owner_shares(profile):
        print(f"  {owner:72s} {share * 100:5.1f} %")


if __name__ == "__main__":
    sys.exit(main())
