"""Suggestions come as soon as typing stops, and an answer to what the box no longer holds is
never shown, in real Chromium."""

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.desk import sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every list of suggestions swapped into the account box's results, by what it answers.
WATCH = """() => {
  window.answered = [];
  const results = document.getElementById("account-results");
  new MutationObserver(() => {
    for (const list of results.querySelectorAll("[data-for]")) {
      window.answered.push(list.dataset.for);
    }
  }).observe(results, {childList: true, subtree: true});
}"""


def test_an_answer_to_earlier_typing_is_never_shown(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)
    page.evaluate(WATCH)
    held: list[Any] = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/lookups/accounts/**", hold_the_first)
    page.focus("#id_account")
    page.keyboard.type("ac")
    page.wait_for_timeout(300)
    assert len(held) == 1
    # The answer to "ac" reaches the page just after the agent typed on, before the debounce
    # asks again.
    answer = held[0].fetch()
    page.keyboard.type("m")
    held[0].fulfill(response=answer)
    page.wait_for_timeout(300)
    page.keyboard.type("e")

    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.wait_for_timeout(300)
    answered = page.evaluate("() => window.answered")
    assert "ac" not in answered
    assert answered[-1] == "acme"
