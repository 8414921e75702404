"""The entry page's scripts speak through named events, in real Chromium. lookups.js says
lookup:settled when Enter leaves a box holding its value, lookup:pending when it asked Clarus ahead
of the debounce (then lookup:settled, late, once that answer settles the box), and nothing while
the agent must still choose; paste_lines.js says lines:pasted. order_entry.js moves on from what it
hears, and asks before leaving an order that only a paste changed."""

from contextlib import suppress
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.desk import PASTE, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a listener of the page's own events would hear (added after the page's scripts ran).
LISTEN = """() => {
  window.heard = [];
  for (const name of ["lookup:settled", "lookup:pending", "lines:pasted"]) {
    document.addEventListener(name, (event) => {
      const detail = event.detail || {};
      window.heard.push({
        name: name,
        on: event.target.id,
        bubbles: event.bubbles,
        input: detail.input ? detail.input.id : null,
        late: detail.late === undefined ? null : detail.late,
        count: detail.count === undefined ? null : detail.count,
      });
    });
  }
}"""
HEARD = "() => window.heard.splice(0)"


def said(name, box, *, late=None, count=None):
    """Return an event as LISTEN records it, dispatched on the element with id ``box``."""
    return {
        "name": name,
        "on": box,
        "bubbles": True,
        "input": box if name.startswith("lookup:") else None,
        "late": late,
        "count": count,
    }


def test_lookups_say_settled_pending_or_nothing_and_the_page_moves_on(
    page, live_server, catalogue_tenant
):
    sign_in_agent(page, live_server, catalogue_tenant)
    page.evaluate(LISTEN)

    # Answered and one match: Enter picks it, says so, and the focus moves on.
    page.focus("#id_account")
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
    assert page.evaluate(HEARD) == [said("lookup:settled", "id_account", late=False)]
    expect(page.locator("#id_reference")).to_be_focused()

    # Enter before Clarus answered (held here): pending, and the focus moves on at once; the
    # answer, once let through, settles the box late and leaves the focus where the agent is.
    def carriers(url):
        return urlsplit(url).path == "/orders/new/lookups/carriers/"

    held = []

    def hold(route):
        held.append(route)

    page.route(carriers, hold)
    page.focus("#id_carrier")
    page.keyboard.type("DPD")
    page.keyboard.press("Enter")
    assert page.evaluate(HEARD) == [said("lookup:pending", "id_carrier")]
    expect(page.locator("#id_carrier")).not_to_be_focused()
    moved_to = page.evaluate("() => document.activeElement.id")
    page.unroute(carriers)
    assert held
    for route in held:
        # htmx replaced the earlier request of the box by the one Enter sent: it is gone.
        with suppress(PlaywrightError):
            route.continue_()
    expect(page.locator("#id_carrier")).to_have_value("DPD · DPD UK")
    assert page.evaluate(HEARD) == [said("lookup:settled", "id_carrier", late=True)]
    assert page.evaluate("() => document.activeElement.id") == moved_to

    # Several match and none exactly: Enter says nothing and stays for the agent to choose; the
    # next Enter picks the first, and the product moves on to its quantity.
    page.focus("#id_lines-0-product")
    page.keyboard.type("mug")
    expect(page.locator("#lines-0-results [data-for]")).to_have_attribute("data-for", "mug")
    expect(page.locator("#lines-0-lookup.htmx-request")).to_have_count(0)
    assert page.locator("#lines-0-results [role=option]").count() > 1
    assert page.locator("#lines-0-results [data-exact]").count() == 0
    page.keyboard.press("Enter")
    assert page.evaluate(HEARD) == []
    expect(page.locator("#id_lines-0-product")).to_be_focused()
    expect(page.locator("#lines-0-results [role=option]").first).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Enter")
    assert page.evaluate(HEARD) == [said("lookup:settled", "id_lines-0-product", late=False)]
    expect(page.locator("#id_lines-0-quantity")).to_be_focused()

    # Already picked: Enter settles at once.
    page.focus("#id_account")
    page.keyboard.press("Enter")
    assert page.evaluate(HEARD) == [said("lookup:settled", "id_account", late=False)]
    expect(page.locator("#id_reference")).to_be_focused()


def test_a_paste_says_lines_pasted_and_the_page_asks_before_leaving(
    page, live_server, catalogue_tenant
):
    sign_in_agent(page, live_server, catalogue_tenant)
    page.evaluate(LISTEN)
    # A click that types nothing: Chromium asks before leaving only a page the agent touched.
    page.click("h1")

    page.evaluate(PASTE, ["#id_lines-0-product", "MUG\t1\r\nTEE\t2\r\n"])

    assert page.evaluate(HEARD) == [said("lines:pasted", "order-lines", count=2)]
    expect(page.locator("#paste-status")).to_contain_text("2 lines pasted")
    dialogs = []

    def leave(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.goto(f"{live_server.url}/orders/")
    assert dialogs == ["beforeunload"]
