"""The reference check in real Chromium: typed with no pause, the warning of an earlier order
with the reference comes beside the box, tied to it, and the keys go on landing where they were
typed: the focus never moves."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import Order
from tests.browser.desk import hold_first_request, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in_with_an_earlier_order(page, live_server, tenant) -> Order:
    """Sign an agent in on the entry page; return their earlier order, reference SO-1001."""
    sign_in_agent(page, live_server, tenant)
    return Order.objects.create(
        tenant=tenant,
        created_by=User.objects.get(username="agent"),
        reference="SO-1001",
        account_id=1,
    )


def _reference_typed(page, text: str, *, asked: list) -> None:
    """Type ``text`` into the reference box with no pause; wait until the check it raises is
    caught by the page's route (added to ``asked``)."""
    page.focus("#id_reference")
    page.keyboard.type(text, delay=0)
    for _ in range(100):
        if asked:
            return
        page.wait_for_timeout(20)
    raise AssertionError("the check was never asked")


def test_the_warning_comes_beside_the_box_as_keys_go_on(page, live_server, catalogue_tenant):
    earlier = _signed_in_with_an_earlier_order(page, live_server, catalogue_tenant)
    reference = page.locator("#id_reference")
    said = page.locator("#reference-check")
    dispatch = page.locator("#id_expected_date_of_dispatch")
    # Nothing to say yet: the box is described by its help alone.
    expect(reference).to_have_attribute("aria-describedby", "id_reference-help")

    # The reference, Enter, and the dispatch date, with no pause between the keys.
    page.focus("#id_reference")
    page.keyboard.type("SO-1001\ntomorrow 2pm", delay=0)

    expect(said).to_contain_text("SO-1001 was keyed on")
    expect(said).to_contain_text("This order will be refused when sent")
    link = said.get_by_role("link", name="open it in a new tab")
    expect(link).to_have_attribute("href", earlier.get_absolute_url())
    expect(link).to_have_attribute("target", "_blank")
    expect(reference).to_have_attribute("aria-describedby", "id_reference-help reference-check")
    # The warning took nothing: the keys after it are where they were typed.
    expect(dispatch).to_be_focused()
    expect(reference).to_have_value("SO-1001")
    expect(dispatch).to_have_value("tomorrow 2pm")

    # Back in the box, typed on: the warning follows the text as it changes, focus staying put.
    reference.click()
    page.keyboard.press("End")
    page.keyboard.type("2", delay=0)
    expect(said).to_have_text("")
    expect(reference).to_have_attribute("aria-describedby", "id_reference-help")
    page.keyboard.press("Backspace")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type("so-1001", delay=0)
    expect(said).to_contain_text("it looks like the same order. You can still send it.")
    expect(reference).to_be_focused()
    expect(reference).to_have_value("so-1001")


# Notes in the page whether the warning ever said ``text``, however briefly.
EVER_SAID = """(text) => {
  window.everSaid = false;
  const said = document.getElementById("reference-check");
  new MutationObserver(() => {
    if (said.textContent.includes(text)) { window.everSaid = true; }
  }).observe(said, {childList: true, subtree: true, characterData: true});
}"""


def test_an_answer_about_text_since_changed_is_dropped(page, live_server, catalogue_tenant):
    _signed_in_with_an_earlier_order(page, live_server, catalogue_tenant)
    held = hold_first_request(page, "**/orders/new/reference-check/**")
    page.evaluate(EVER_SAID, "refused")
    _reference_typed(page, "SO-1001", asked=held)

    # The agent types on; the answer about "SO-1001" comes before the next question goes.
    page.keyboard.type("2", delay=0)
    held[0].continue_()
    page.wait_for_timeout(1000)

    expect(page.locator("#reference-check")).to_have_text("")
    assert page.evaluate("window.everSaid") is False
    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#id_reference")).to_have_value("SO-10012")


def _questions(page) -> list[str]:
    """Return the list each reference check the page asks is added to (its reference)."""
    asked: list[str] = []

    def note(request) -> None:
        if "/orders/new/reference-check/" in request.url:
            asked.append(parse_qs(urlsplit(request.url).query).get("reference", [""])[0])

    page.on("request", note)
    return asked


def test_the_box_left_after_the_pause_asks_nothing_more(page, live_server, catalogue_tenant):
    _signed_in_with_an_earlier_order(page, live_server, catalogue_tenant)
    asked = _questions(page)
    said = page.locator("#reference-check")
    page.focus("#id_reference")
    page.keyboard.type("SO-1001", delay=0)
    expect(said).to_contain_text("This order will be refused when sent")

    # Left after the answer came: the same text is not asked about again.
    page.keyboard.press("Tab")
    page.locator("#id_reference").click()
    page.keyboard.press("End")
    page.keyboard.type("9", delay=0)
    expect(said).to_have_text("")

    assert asked == ["SO-1001", "SO-10019"]
    # Changed back by hand: a new question, as the text differs from the last one asked.
    page.keyboard.press("Backspace")
    expect(said).to_contain_text("This order will be refused when sent")
    assert asked == ["SO-1001", "SO-10019", "SO-1001"]


def test_a_question_that_got_no_answer_is_asked_again(page, live_server, catalogue_tenant):
    _signed_in_with_an_earlier_order(page, live_server, catalogue_tenant)
    asked = _questions(page)
    failed: list[str] = []

    def fail_the_first(route) -> None:
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    page.route("**/orders/new/reference-check/**", fail_the_first)
    said = page.locator("#reference-check")
    _reference_typed(page, "SO-1001", asked=failed)
    expect(said).to_have_text("")

    # Leaving the box asks the same question again, and this time it is answered.
    page.keyboard.press("Tab")
    expect(said).to_contain_text("This order will be refused when sent")
    assert asked == ["SO-1001", "SO-1001"]
    expect(page.locator("#id_expected_date_of_dispatch")).to_be_focused()
