"""Keying at any speed, in real Chromium: a whole order typed with no pause between keys (Enter
adding lines, "SKU x4", Enter on an empty line going on to the address) lands every key in its
field; a late suggestion never takes the focus; a refused order comes back focused on its first
problem, tied to its message; the dispatch date is said back as it is typed; "?" lists the keys."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from sandbox.models import SandboxGoodsOut
from tests.browser.desk import acme_products, sign_in_agent, values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONDON = ZoneInfo("Europe/London")


def test_an_order_typed_with_no_pause_puts_every_key_in_its_field(
    page, live_server, catalogue_tenant
):
    first, second, third, fourth = acme_products()[:4]
    sign_in_agent(page, live_server, catalogue_tenant)
    # The page opens in the first field to fill: no key to get there.
    expect(page.locator("#id_account")).to_be_focused()

    keys = (
        "acme\n"
        "PHONE-7001\n"
        "tomorrow 2pm\n"
        "DPD\n"
        # The carrier's service: its list comes when the carrier is settled; Enter goes on.
        "\n"
        f"{first.code}\n2\n"
        f"{second.code}\n12\n"
        # The quantity said in the product box: Enter goes on to the next line.
        f"{third.code} x4\n"
        f"5 x {fourth.code}\n"
        # Enter on the empty new line: on to the address.
        "\n"
        "Harbour Cafe Ltd\n4 Kirkstall Road\nBurley\nLeeds\nWest Yorkshire\nls31ab\n"
        "orders@harbourcafe.example\n0113 496 0000"
    )
    page.keyboard.type(keys, delay=0)

    # Every answer in: the lookups settled by themselves, without moving the focus.
    expect(page.locator("#id_delivery_phone")).to_be_focused()
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
    expect(page.locator("#id_carrier")).to_have_value("DPD · DPD UK")
    expect(page.locator("#id_lines-3-product")).to_have_value(fourth.code)
    assert values(page, "id_reference", "id_expected_date_of_dispatch") == [
        "PHONE-7001",
        "tomorrow 2pm",
    ]
    assert values(
        page,
        *(f"id_lines-{index}-{name}" for index in range(4) for name in ("product", "quantity")),
    ) == [first.code, "2", second.code, "12", third.code, "4", fourth.code, "5"]
    # Four lines and the blank one Enter went on from: no key made a line of its own.
    assert values(page, "id_lines-4-product", "id_lines-4-quantity") == ["", ""]
    expect(page.locator(".line-row:not([hidden])")).to_have_count(5)
    assert values(
        page,
        "id_delivery_name",
        "id_delivery_address_1",
        "id_delivery_address_2",
        "id_delivery_town",
        "id_delivery_county",
        "id_delivery_postcode",
        "id_delivery_email",
        "id_delivery_phone",
    ) == [
        "Harbour Cafe Ltd",
        "4 Kirkstall Road",
        "Burley",
        "Leeds",
        "West Yorkshire",
        "ls31ab",
        "orders@harbourcafe.example",
        "0113 496 0000",
    ]
    page.keyboard.press("Control+Enter")

    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    attributes = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    address = SandboxGoodsOut.objects.get().document["data"]["relationships"]["address"]["data"][
        "attributes"
    ]
    tomorrow = datetime.now(LONDON).date() + timedelta(days=1)
    dispatch = datetime.combine(tomorrow, time(14, 0), tzinfo=LONDON)
    assert datetime.fromisoformat(attributes["expected_date_of_dispatch"]) == dispatch
    assert attributes["reference"] == "PHONE-7001"
    assert [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ] == [(first.pk, 2), (second.pk, 12), (third.pk, 4), (fourth.pk, 5)]
    assert address["postcode"] == "LS3 1AB"
    assert address["address_3"] == "Leeds"


def test_a_late_suggestion_never_takes_the_focus(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)
    page.focus("#id_lines-0-product")

    # Enter before the suggestions came, and several match: the agent is in the quantity by then.
    page.keyboard.type("mug\n3", delay=0)

    expect(page.locator("#lines-0-lookup .lookup-problem")).to_contain_text("go back to this box")
    expect(page.locator("#id_lines-0-quantity")).to_be_focused()
    expect(page.locator("#id_lines-0-quantity")).to_have_value("3")
    expect(page.locator("#id_lines-0-product")).to_have_value("mug")


# The suggestions for "mug" as htmx asks for them, fetched in the page.
MUG_SUGGESTIONS = """() => fetch("/orders/new/lookups/products/?" + new URLSearchParams({
  "lines-0-product": "mug", tenant: document.getElementById("id_tenant").value,
  account_id: "", warehouse_id: "",
}), {headers: {"HX-Request": "true"}}).then((answer) => answer.text())"""


def test_a_second_answer_keeps_the_choice_left_to_make(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)
    suggestions = page.evaluate(MUG_SUGGESTIONS)
    assert 'role="option"' in suggestions
    # Clarus answers at once: the answer to Enter comes before the one typing asked for.
    answered = []

    def at_once(route):
        answered.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=suggestions)

    page.route("**/orders/new/lookups/products/**", at_once)
    page.evaluate("""() => { window.answersSwapped = 0;
      document.addEventListener("htmx:afterRequest", () => { window.answersSwapped += 1; }); }""")
    page.focus("#id_lines-0-product")
    page.keyboard.type("mug\n3", delay=0)

    page.wait_for_function("() => window.answersSwapped >= 2")
    assert len(answered) >= 2
    expect(page.locator("#lines-0-lookup .lookup-problem")).to_contain_text("go back to this box")
    expect(page.locator("#id_lines-0-quantity")).to_be_focused()


def test_a_refused_order_opens_on_its_first_problem(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)

    # Ctrl+Enter from the last line: the account is missing.
    page.focus("#id_lines-0-quantity")
    page.keyboard.press("Control+Enter")
    account = page.locator("#id_account")
    expect(account).to_be_focused()
    expect(account).to_have_attribute("aria-invalid", "true")
    described = account.get_attribute("aria-describedby").split()
    assert "id_account_id-error" in described
    expect(page.locator("#id_account_id-error")).to_contain_text("Choose the account")

    # The Send button, with the account chosen: the reference is next.
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    page.click("#send-order")
    reference = page.locator("#id_reference")
    expect(reference).to_be_focused()
    expect(reference).to_have_attribute("aria-invalid", "true")
    for each in reference.get_attribute("aria-describedby").split():
        expect(page.locator(f"#{each}")).to_have_count(1)
    expect(page.locator("#id_reference-error")).to_contain_text("Type the order reference")


def test_the_dispatch_date_is_said_back_and_a_past_one_warned_about(
    page, live_server, catalogue_tenant
):
    sign_in_agent(page, live_server, catalogue_tenant)
    said = page.locator("#dispatch-understood")
    page.focus("#id_expected_date_of_dispatch")

    day = date(datetime.now(LONDON).year + 1, 11, 28)
    page.keyboard.type(f"28/11/{day:%y} 14:00")
    expect(said).to_have_text(f"{day:%A} 28 November {day.year}, 14:00")

    page.fill("#id_expected_date_of_dispatch", "")
    page.keyboard.type("1/1/2020 9am")
    expect(said).to_contain_text("Wednesday 1 January 2020, 09:00")
    expect(said).to_contain_text("in the past: check it (it can still be sent)")

    page.fill("#id_expected_date_of_dispatch", "")
    page.keyboard.type("281120261400")
    expect(said).to_contain_text("is not a date")


def test_question_mark_lists_the_keys_and_escape_closes_them(page, live_server, catalogue_tenant):
    sign_in_agent(page, live_server, catalogue_tenant)
    keys = page.locator("#keys-help")

    # Typed in a box, "?" is a character like any other.
    page.keyboard.type("?")
    expect(page.locator("#id_account")).to_have_value("?")
    expect(keys).to_be_hidden()

    page.click("h1")
    page.keyboard.press("?")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("Ctrl+Enter")
    expect(keys).to_contain_text("tomorrow")
    page.keyboard.press("Escape")
    expect(keys).to_be_hidden()
