"""Suggestion lists in real Chromium: each opens straight under its box, over the lines the
field has below the box (its help, a warning), so the choices are next to what was typed."""

import pytest
from playwright.sync_api import expect

from tests.browser.desk import acme_products, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# How far below its box's lower edge a suggestion list opens, in CSS pixels.
LIST_BELOW_BOX = """([box, list]) => {
  const input = document.querySelector(box).getBoundingClientRect();
  return document.querySelector(list).getBoundingClientRect().top - input.bottom;
}"""


def test_suggestions_open_straight_under_the_box_over_the_lines_below_it(
    page, live_server, catalogue_tenant
):
    first, second = acme_products()[:2]
    sign_in_agent(page, live_server, catalogue_tenant)

    # The account box has its help line below it: the list covers it, right under the box.
    page.keyboard.type("ac", delay=0)
    expect(page.locator("#account-results [role=option]").first).to_be_visible()
    expect(page.locator("#account-help")).to_be_visible()
    assert abs(page.evaluate(LIST_BELOW_BOX, ["#id_account", "#account-results"])) <= 1
    page.keyboard.type("me\nPHONE-7002\ntomorrow 2pm\nDPD\n\n", delay=0)

    page.keyboard.type(f"{first.code}\n2\n{second.code}\n1\n{first.code}\n1\n", delay=0)
    expect(page.locator("#lines-0-repeat")).to_contain_text("Already on line 3")
    # Back on the first line, ↓ asks for its suggestions: the warning stays, under the list.
    page.locator("#id_lines-0-product").focus()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#lines-0-results [role=option]").first).to_be_visible()
    expect(page.locator("#lines-0-repeat")).to_be_visible()
    assert abs(page.evaluate(LIST_BELOW_BOX, ["#id_lines-0-product", "#lines-0-results"])) <= 1
