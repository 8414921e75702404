"""Suggestions come as soon as typing stops, and an answer to what the box no longer holds is
never shown, in real Chromium."""

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

    # The agent types on while the first question is on its way: its answer (to "ac") comes
    # while the box holds more.
    page.focus("#id_account")
    with page.expect_request("**/lookups/accounts/**"):
        page.keyboard.type("ac")
    page.keyboard.type("me")

    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.wait_for_timeout(800)
    assert page.evaluate("() => window.answered") == ["acme"]
