"""Suggestions come as soon as typing stops, and an answer to what the box no longer holds is
never shown, in real Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.desk import hold_first_request, sign_in_agent

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
    held = hold_first_request(page, "**/lookups/accounts/**")
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
