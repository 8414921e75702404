"""A repeat caller, keyboard only, in real Chromium: the same order keyed twice, first by hand,
then from the caller box (Alt+C, the phone number, Enter to pick, Enter to reuse the address,
Alt+R to repeat the lines). Both reach the sandbox alike; the keys each took are counted, and
printed as the figures the caller box saves."""

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect

from orders.models import Order
from sandbox.models import SandboxGoodsOut
from tests.browser.desk import sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = {
    "#id_delivery_name": "Amelia Smith",
    "#id_delivery_address_1": "12 Park Road",
    "#id_delivery_address_2": "Headingley",
    "#id_delivery_town": "Leeds",
    "#id_delivery_county": "West Yorkshire",
    "#id_delivery_postcode": "LS6 2AB",
    "#id_delivery_email": "amelia.smith@example.com",
    "#id_delivery_phone": "0113 496 0123",
}
LINES = [("501", "2"), ("502", "1"), ("503", "12")]
DISPATCH = "2026-12-01T14:30"


@dataclass
class Keys:
    """The agent's keyboard, counting what they type (characters) and press (every key)."""

    page: Any
    characters: int = 0
    keys: int = 0
    address_characters: int = 0
    log: list[str] = field(default_factory=list)

    def type(self, text: str, *, address: bool = False) -> None:
        self.page.keyboard.type(text)
        self.characters += len(text)
        self.keys += len(text)
        if address:
            self.address_characters += len(text)

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1
        self.log.append(key)

    def go(self, selector: str) -> None:
        """Move to a field: one key (a Tab or an Enter), whichever the agent would use."""
        self.page.focus(selector)
        self.keys += 1

    def date(self, selector: str, value: str) -> None:
        """Key a date and time: its digits, as an agent types them into the date box."""
        self.go(selector)
        self.page.fill(selector, value)
        digits = sum(character.isdigit() for character in value)
        self.characters += digits
        self.keys += digits


def key_by_hand(page, keys: Keys, reference: str) -> None:
    keys.go("#id_account")
    keys.type("7")
    keys.go("#id_reference")
    keys.type(reference)
    keys.date("#id_expected_date_of_dispatch", DISPATCH)
    keys.go("#id_lines-0-product")
    for index, (product, quantity) in enumerate(LINES):
        expect(page.locator(f"#id_lines-{index}-product")).to_be_focused()
        keys.type(product)
        keys.press("Enter")
        keys.type(quantity)
        if index < len(LINES) - 1:
            keys.press("Enter")
    for selector, value in ADDRESS.items():
        keys.go(selector)
        keys.type(value, address=True)


def sent_goods_out(page, reference: str) -> SandboxGoodsOut:
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    return SandboxGoodsOut.objects.get(reference=reference)


def shape(goods_out: SandboxGoodsOut) -> tuple:
    attributes = goods_out.document["data"]["attributes"]
    lines = [
        (line["attributes"]["product_id"], line["attributes"]["order_quantity"])
        for line in attributes["lines_changes"]
    ]
    return attributes["account_id"], lines, goods_out.address


def test_a_repeat_caller_is_keyed_from_the_caller_box_in_far_fewer_keys(
    page, live_server, sandbox_tenant
):
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in_agent(page, live_server, sandbox_tenant)

    # First call: keyed by hand.
    by_hand = Keys(page)
    key_by_hand(page, by_hand, "PHONE-0001")
    by_hand.press("Control+Enter")
    first = sent_goods_out(page, "PHONE-0001")

    # Second call: the same caller, the same order.
    page.goto(f"{live_server.url}/orders/new/")
    page.wait_for_selector("#order-form")
    page.wait_for_load_state("load")
    panel = Keys(page)
    panel.press("Alt+c")
    expect(page.locator("#caller-search")).to_be_focused()
    # The number as the caller reads it out, in another form than it was keyed.
    panel.type("+44 113 496 0123")
    expect(page.locator("#caller-suggestions [role=option]")).to_contain_text(["Amelia Smith"])
    expect(page.locator("#caller-suggestions")).to_contain_text("LS6 2AB")
    panel.press("Enter")
    expect(page.locator("#caller-name")).to_have_text("Amelia Smith, LS6 2AB")
    expect(page.locator("#caller-orders")).to_contain_text("PHONE-0001")
    # The first address takes the focus: Enter uses it, and fills every address field.
    expect(page.locator("#caller-details .use-address").first).to_be_focused()
    panel.press("Enter")
    for selector, value in ADDRESS.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#id_reference")).to_be_focused()
    panel.type("PHONE-0002")
    # One key repeats the last order's lines into this form.
    panel.press("Alt+r")
    expect(page.locator("#id_lines-0-product_id")).to_have_value("501", timeout=10_000)
    expect(page.locator("#id_lines-2-quantity")).to_have_value("12")
    expect(page.locator("#paste-status")).to_contain_text("3 lines of PHONE-0001 added")
    # The repeated lines leave the agent on the blank line after them.
    expect(page.locator("#id_lines-3-product")).to_be_focused()
    panel.go("#id_account")
    panel.type("7")
    panel.date("#id_expected_date_of_dispatch", DISPATCH)
    panel.press("Control+Enter")
    second = sent_goods_out(page, "PHONE-0002")

    assert shape(second) == shape(first)
    assert Order.objects.count() == SandboxGoodsOut.objects.count() == 2
    saved_characters = by_hand.characters - panel.characters
    saved_keys = by_hand.keys - panel.keys
    print(
        f"\nRepeat caller, same order keyed twice: by hand {by_hand.characters} characters "
        f"({by_hand.address_characters} of them the address), {by_hand.keys} keys; from the "
        f"caller box {panel.characters} characters, {panel.keys} keys: {saved_characters} "
        f"characters and {saved_keys} keys saved "
        f"({saved_keys / by_hand.keys:.0%} of the keys)."
    )
    assert saved_keys > by_hand.keys / 2
    assert [text for text in console if "Content Security Policy" in text] == []


def test_the_end_customers_recent_address_is_offered_when_picked_by_id(
    page, live_server, sandbox_tenant
):
    from django.contrib.auth.models import User

    from tests.orders.callers import AMELIA, keyed_order

    sign_in_agent(page, live_server, sandbox_tenant)
    keyed_order(
        tenant=sandbox_tenant,
        user=User.objects.get(username="agent"),
        reference="SO-OLD",
        customer_id=42,
    )
    page.reload()
    page.wait_for_load_state("load")

    # The end customer typed as its Clarus id (the way round a Clarus that cannot be searched)
    # and Enter: its recent addresses appear, and Alt+A uses the newest.
    page.focus("#id_customer")
    page.keyboard.type("42")
    page.keyboard.press("Enter")
    expect(page.locator("#recent-addresses")).to_contain_text("12 Park Road")
    page.keyboard.press("Alt+a")

    expect(page.locator("#id_delivery_name")).to_have_value(AMELIA.name)
    expect(page.locator("#id_delivery_postcode")).to_have_value(AMELIA.postcode)
    expect(page.locator("#id_delivery_phone")).to_have_value(AMELIA.phone)


def test_a_late_repeat_lines_answer_leaves_the_focus_where_the_agent_went_on_typing(
    page, live_server, sandbox_tenant
):
    from django.contrib.auth.models import User

    from tests.orders.callers import keyed_order

    sign_in_agent(page, live_server, sandbox_tenant)
    keyed_order(
        tenant=sandbox_tenant,
        user=User.objects.get(username="agent"),
        reference="SO-OLD",
        lines=(("SKU-1", 501, "2"), ("SKU-2", 502, "1")),
    )
    page.reload()
    page.wait_for_load_state("load")

    # The earlier order's lines come back 300 ms late, as over a slow network.
    def slow(route: Any) -> None:
        response = route.fetch()
        page.wait_for_timeout(300)
        route.fulfill(response=response)

    page.route(re.compile(r"/orders/new/caller/orders/\d+/lines/"), slow)
    page.focus("#caller-search")
    page.keyboard.type("Amelia")
    expect(page.locator("#caller-suggestions [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#caller-details .repeat-lines").first).to_be_visible()
    page.focus("#id_reference")

    # Alt+R, then straight on to the account and the reference, typing with no pause.
    page.keyboard.press("Alt+r")
    page.focus("#id_account")
    page.keyboard.type("7")
    page.focus("#id_reference")
    page.keyboard.type("PHONE-0003")
    expect(page.locator("#paste-status")).to_contain_text("2 lines of SO-OLD added")
    # The answer is in; type on: the keys still land in the reference.
    page.wait_for_timeout(200)
    page.keyboard.type("-B")

    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#id_reference")).to_have_value("PHONE-0003-B")
    expect(page.locator("#id_account")).to_have_value("7")
    expect(page.locator("#id_lines-1-product_id")).to_have_value("502")
    expect(page.locator("#id_lines-2-product")).to_have_value("")
