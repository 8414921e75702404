"""Real Chromium driven by Playwright. Under CI=true a missing browser fails instead of skipping."""

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium's own background traffic is refused on this closed network; keep it quiet and quick.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the tests make
    # around it are synchronous and safe. Only for as long as the browser runs.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def warm_desk(live_server: Any) -> None:
    """Make the live server's first request before any page waits on it.

    The first request imports the views and compiles the templates: 7 to 10 seconds on a busy
    2-core machine, as long as a page's whole timeout. The session's first test failed on it.
    """
    # No proxy, whatever the environment says: the live server is on loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{live_server.url}/login/", timeout=60) as response:
        assert response.status == 200


@pytest.fixture
def page(browser: Any, warm_desk: None, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A loaded 2-core CI machine can take seconds over a lookup: wait as long for expectations.
    expect.set_options(timeout=10_000)
    yield page
    # Let the page's last requests (lookups, the order's Clarus status) finish before the test
    # database is emptied under them: the in-memory SQLite test database cannot do both at once.
    page.wait_for_load_state("networkidle")
    if request.node.stash.get(FAILED, False):
        # What the browser showed when the test failed, for whoever reads the CI log.
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"Screenshot of the failure: {path}")
    context.close()
