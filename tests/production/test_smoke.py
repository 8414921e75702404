"""Production smoke test: `make serve` as an operator runs it, and an agent keys an order in it.

The desk under gunicorn with debug off on PostgreSQL, its static files collected and served by
WhiteNoise, the sandbox in a process of its own; real Chromium signs in, keys a two-line order
(the second line added by htmx as a fragment), sends it and sees Clarus's id. Every static file
the pages name answers 200 under a hashed name with far-future cache headers, and the browser
reports no content security policy violation.
"""

import json
import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from prometheus_client.parser import text_string_to_metric_families

from tests.browser.conftest import SCREENSHOTS
from tests.production.conftest import FIGURES, HASHED, Served

pytestmark = [pytest.mark.browser, pytest.mark.postgres_only]

DEMO_PASSWORD = "clarus-demo"
# Chromium reports each violation to the page as an event; this hands it to the test.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCsp(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
PAGE_ASSETS = """
[...document.querySelectorAll("link[href], script[src], img[src]")]
  .map((element) => element.href || element.src)
"""
LOAD_MS = "performance.getEntriesByType('navigation')[0].duration"


def page_load(page: Any, name: str, timings: dict[str, float], assets: set[str]) -> None:
    """Record how long the page took to load (to its load event) and the files it names."""
    page.wait_for_load_state("load")
    timings[name] = page.evaluate(LOAD_MS)
    assets.update(url for url in page.evaluate(PAGE_ASSETS) if "/static/" in url)


def key_line(page: Any, index: int, words: str, quantity: str) -> str:
    """Key line ``index``: the first product suggested for ``words``; return its SKU."""
    page.focus(f"#id_lines-{index}-product")
    page.keyboard.type(words)
    options = page.locator(f"#lines-{index}-results [role=option]")
    options.first.wait_for()
    sku: str = options.first.inner_text().split()[0]
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(f"#id_lines-{index}-quantity")).to_be_focused()
    page.keyboard.type(quantity)
    return sku


def test_an_agent_keys_an_order_on_the_production_stack(browser, served: Served, request):
    console: list[str] = []
    violations: list[str] = []
    static_statuses: dict[str, int] = {}
    timings: dict[str, float] = {}
    assets: set[str] = set()
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    context.expose_function("reportCsp", lambda violation: violations.append(violation))
    context.add_init_script(REPORT_CSP)
    page = context.new_page()
    page.set_default_timeout(20_000)
    expect.set_options(timeout=20_000)
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on(
        "response",
        lambda response: (
            static_statuses.__setitem__(response.url, response.status)
            if "/static/" in response.url
            else None
        ),
    )
    try:
        # Sign in as the demo agent (make serve's demo data), straight to a new order.
        page.goto(f"{served.desk_url}/orders/new/")
        page_load(page, "sign-in page", timings, assets)
        page.fill("#id_username", "agent")
        page.fill("#id_password", DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_selector("#order-form")
        page_load(page, "new order page", timings, assets)
        expect(page.locator("#tenant-switch option:checked")).to_have_text("Demo 3PL (demo), agent")

        page.focus("#id_account")
        page.keyboard.type("acme")
        expect(page.locator("#account-results [role=option]")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
        page.fill("#id_reference", "SMOKE-0001")
        page.fill("#id_expected_date_of_dispatch", "2026-12-01T14:30")
        first = key_line(page, 0, "mug", "2")

        # "Add line" copies the blank line the page holds (#line-template), focused at once: not
        # a reload, so what the page holds in memory survives, and no request to wait for.
        page.evaluate("window.smokeMarker = 'still here'")
        requests: list[str] = []
        page.on("request", lambda sent: requests.append(sent.url))
        started = time.perf_counter()
        page.click("#add-line")
        expect(page.locator("#id_lines-1-product")).to_be_focused()
        add_line_ms = (time.perf_counter() - started) * 1000
        assert page.evaluate("window.smokeMarker") == "still here"
        assert not [url for url in requests if "/line-row/" in url]
        second = key_line(page, 1, "scarf", "1")
        page.fill("#id_delivery_name", "Jo Bloggs Ltd")
        page.fill("#id_delivery_address_1", "1 High Street")
        page.fill("#id_delivery_town", "Leeds")
        page.fill("#id_delivery_postcode", "LS1 4AP")
        page.click("#send-order")

        page.wait_for_url(re.compile(r"/orders/\d+/$"))
        page_load(page, "order page after sending", timings, assets)
        order_url = page.url
        clarus_id = page.inner_text("#clarus-id").strip()
        assert re.fullmatch(r"\d+", clarus_id)
        assert "Sent to Clarus as goods-out" in page.inner_text(".messages")
        expect(page.locator("main")).to_contain_text(first)
        expect(page.locator("main")).to_contain_text(second)
        page.wait_for_load_state("networkidle")
    except Exception:
        # What the browser showed, and what the servers said, for whoever reads the CI log.
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "production-smoke.png"), full_page=True)
        print(f"Screenshot: {SCREENSHOTS / 'production-smoke.png'}\n{served.output()}")
        raise
    finally:
        context.close()

    # The sandbox, in its own process, got the order with both lines.
    sandbox_page = httpx.get(f"{served.sandbox_url}/goods-outs/{clarus_id}/", timeout=10)
    assert sandbox_page.status_code == 200
    assert f"Goods-out {clarus_id}: SMOKE-0001" in sandbox_page.text
    assert "2 lines" in sandbox_page.text
    # The desk itself runs with debug and the sandbox off.
    missing = httpx.get(f"{served.desk_url}/sandbox/", timeout=10)
    assert missing.status_code == 404
    assert "URLconf" not in missing.text

    # Every static file the pages named: a hashed name, 200 to the browser and to a plain GET,
    # compressed, cached for a year and more.
    assert {url.rsplit("/static/", 1)[1].split(".")[0] for url in assets} >= {
        "desk",
        "django_htmx/htmx-2",
        "orders/field_errors",
        "orders/lookups",
        "orders/order_entry",
    }
    for url in sorted(assets):
        assert HASHED.search(url), f"{url} is not a hashed name"
        assert static_statuses.get(url) == 200, f"{url}: {static_statuses.get(url)}"
        response = httpx.get(url, timeout=10, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["content-encoding"] == "gzip", url
        cache = response.headers["cache-control"]
        assert "immutable" in cache, f"{url}: {cache}"
        max_age = re.search(r"max-age=(\d+)", cache)
        assert max_age, cache
        assert int(max_age[1]) >= 365 * 24 * 3600, cache
    assert all(status == 200 for status in static_statuses.values()), static_statuses
    # The pages name their icon, so the browser never asks for /favicon.ico (a 404 logged).
    assert any("/static/favicon." in url for url in assets)
    assert "/favicon.ico" not in served.log.read_text(errors="replace")
    # Under the strict content security policy, nothing was refused.
    assert violations == []
    assert [line for line in console if "Content Security Policy" in line] == []

    # What an operator's probes and Prometheus see (docs/deploy.md).
    probes = operator_view(served, order_id=int(page_order_id(order_url)))

    # SIGTERM, as a service manager stops it: every process it started goes, and its files.
    stop_seconds = served.stop()
    assert stop_seconds is not None, (
        f"make serve left processes behind:\n{served.left_behind}\n{served.output()}"
    )
    assert list(served.log.parent.glob("desk-sandbox-static.*")) == []
    assert list(served.log.parent.glob("desk-metrics.*")) == []

    request.config.stash.setdefault(FIGURES, []).extend(
        [
            f"make serve: servers started after {served.setup_seconds:.1f} s (migrations, "
            f"collectstatic, demo data), desk and sandbox answering after "
            f"{served.ready_seconds:.1f} s",
            "page loads (navigation to load event): "
            + ", ".join(f"{name} {ms:.0f} ms" for name, ms in timings.items())
            + f"; a line added (click to focus, as Playwright sees it) {add_line_ms:.0f} ms",
            f"{len(assets)} static files named by the pages, every one hashed, 200, gzip, "
            "immutable; 0 content security policy violations",
            probes,
            f"stopped by SIGTERM in {stop_seconds:.1f} s, nothing left behind",
        ]
    )


def page_order_id(url: str) -> str:
    found = re.search(r"/orders/(\d+)/$", url)
    assert found, url
    return found[1]


def operator_view(served: Served, *, order_id: int) -> str:
    """Check the probes, /metrics and the log lines of the stack; return what they cost."""
    assert httpx.get(f"{served.desk_url}/healthz", timeout=10).text == "ok\n"
    ready = httpx.get(f"{served.desk_url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json() == {"ready": True, "reasons": []}
    # make serve lets loopback read /metrics; a forwarded address changes nothing.
    scrapes = []
    for _ in range(3):
        started = time.monotonic()
        scrape = httpx.get(f"{served.desk_url}/metrics", timeout=10)
        scrapes.append((time.monotonic() - started) * 1000)
    assert scrape.status_code == 200
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(scrape.text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            found[key] = found.get(key, 0) + sample.value
    assert found["desk_orders", (("status", "sent"), ("tenant", "demo"))] >= 1
    assert found["desk_delivery_workers_seen", ()] >= 1
    # Counted in whichever gunicorn worker served the order, read through the shared directory.
    sent = ("endpoint", "goods_out_create"), ("outcome", "ok")
    assert found["desk_clarus_request_duration_seconds_count", sent] >= 1
    assert found["desk_clarus_token_refreshes_total", ()] >= 1
    assert found["desk_lookup_cache_misses_total", ()] >= 1
    # One JSON object per line from the desk, none with the caller's address.
    log = served.log.read_text(errors="replace")
    entries = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    keyed = [
        e
        for e in entries
        if e.get("event") == "request" and e.get("path") == "/orders/new/" and e["method"] == "POST"
    ]
    assert [e["order_id"] for e in keyed] == [order_id]
    assert {"request_id", "tenant", "user_id", "status", "duration_ms"} <= set(keyed[0])
    create = [e for e in entries if e.get("endpoint") == "goods_out_create"]
    assert [e["request_id"] for e in create] == [keyed[0]["request_id"]]
    for personal in ("Jo Bloggs", "1 High Street", "LS1 4AP", "Leeds"):
        assert personal not in log
    return (
        f"/healthz, /readyz 200; /metrics {len(scrape.content)} bytes in "
        + ", ".join(f"{ms:.0f}" for ms in scrapes)
        + f" ms; {len(entries)} JSON log lines"
    )
