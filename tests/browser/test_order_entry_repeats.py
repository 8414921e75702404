"""The same product on two lines, in real Chromium: said beside both lines the moment it is
picked or pasted, tied to the product box, without taking the focus or a key typed with no
pause; gone when the line is removed; its line numbers following a line removed before it;
still said when the desk refuses the send for another reason; and never stopping the order."""

import re

import pytest
from playwright.sync_api import expect

from sandbox.models import SandboxGoodsOut
from tests.browser.desk import PASTE, acme_products, sign_in_agent, values

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPEATED = "Already on line {line}: check the caller wants both (it can still be sent)."


def described_by(page, selector):
    return (page.get_attribute(selector, "aria-describedby") or "").split()


def in_first_product_box(page, live_server, tenant):
    """Sign the agent in, pick the ACME account and stand in the first line's product box."""
    sign_in_agent(page, live_server, tenant)
    page.focus("#id_account")
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    page.focus("#id_lines-0-product")


def test_a_repeated_product_typed_with_no_pause_is_said_beside_both_lines(
    page, live_server, catalogue_tenant
):
    first, second = acme_products()[:2]
    sign_in_agent(page, live_server, catalogue_tenant)
    expect(page.locator("#id_account")).to_be_focused()

    keys = (
        "acme\n"
        "PHONE-7002\n"
        "tomorrow 2pm\n"
        "DPD\n"
        "\n"
        f"{first.code}\n2\n"
        f"{second.code}\n1\n"
        # The caller says the first product again.
        f"{first.code} x3\n"
        "\n"
        "Harbour Cafe Ltd\n4 Kirkstall Road\nBurley\nLeeds\nWest Yorkshire\nls31ab\n"
        "orders@harbourcafe.example\n0113 496 0000"
    )
    page.keyboard.type(keys, delay=0)

    # Every answer in, the focus where the typing ended, and every key in its box.
    expect(page.locator("#lines-2-repeat")).to_have_text(REPEATED.format(line=1))
    expect(page.locator("#lines-0-repeat")).to_have_text(REPEATED.format(line=3))
    expect(page.locator("#lines-1-repeat")).to_have_count(0)
    expect(page.locator("#id_delivery_phone")).to_be_focused()
    assert values(
        page,
        *(f"id_lines-{index}-{name}" for index in range(3) for name in ("product", "quantity")),
    ) == [first.code, "2", second.code, "1", first.code, "3"]
    assert values(
        page,
        "id_reference",
        "id_delivery_name",
        "id_delivery_address_1",
        "id_delivery_town",
        "id_delivery_phone",
    ) == ["PHONE-7002", "Harbour Cafe Ltd", "4 Kirkstall Road", "Leeds", "0113 496 0000"]
    # Tied to the box, and a warning, not an error.
    assert "lines-2-repeat" in described_by(page, "#id_lines-2-product")
    assert "lines-0-repeat" in described_by(page, "#id_lines-0-product")
    expect(page.locator("#id_lines-2-product")).not_to_have_attribute("aria-invalid", "true")

    # Typed over, the product is no longer chosen: neither line says it any more.
    page.focus("#id_lines-2-product")
    page.keyboard.press("End")
    page.keyboard.type("X", delay=0)
    expect(page.locator(".line-repeat")).to_have_count(0)
    assert described_by(page, "#id_lines-0-product") == []
    expect(page.locator("#id_lines-2-product")).to_be_focused()
    expect(page.locator("#id_lines-2-product")).to_have_value(first.code + "X")

    # Chosen again, then the line removed: the warning goes with it.
    page.keyboard.press("Backspace")
    expect(page.locator("#lines-2-results [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#lines-0-repeat")).to_have_text(REPEATED.format(line=3))
    page.focus("#id_lines-2-quantity")
    page.keyboard.press("Control+Delete")
    expect(page.locator(".line-repeat")).to_have_count(0)
    expect(page.locator("#id_lines-1-product")).to_be_focused()

    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    lines = SandboxGoodsOut.objects.get().document["data"]["attributes"]["lines_changes"]
    assert [line["attributes"]["product_id"] for line in lines] == [first.pk, second.pk]


def test_the_line_numbers_said_follow_a_line_removed_before_the_repeats(
    page, live_server, catalogue_tenant
):
    first, second, third = acme_products()[:3]
    in_first_product_box(page, live_server, catalogue_tenant)
    page.keyboard.type(
        f"{third.code}\n1\n{first.code}\n2\n{second.code}\n1\n{first.code}\n3\n", delay=0
    )
    expect(page.locator("#lines-1-repeat")).to_have_text(REPEATED.format(line=4))
    expect(page.locator("#lines-3-repeat")).to_have_text(REPEATED.format(line=2))

    # The first line removed: the repeats are now lines 1 and 3, and say so.
    page.focus("#id_lines-0-quantity")
    page.keyboard.press("Control+Delete")
    expect(page.locator("#lines-1-repeat")).to_have_text(REPEATED.format(line=3))
    expect(page.locator("#lines-3-repeat")).to_have_text(REPEATED.format(line=1))
    expect(page.locator(".line-repeat")).to_have_count(2)
    assert "lines-1-repeat" in described_by(page, "#id_lines-1-product")
    assert "lines-3-repeat" in described_by(page, "#id_lines-3-product")
    assert described_by(page, "#id_lines-2-product") == []
    expect(page.locator("#id_lines-1-product")).to_be_focused()


def test_a_pasted_repeat_is_said_in_the_same_words_and_kept_when_a_send_is_refused(
    page, live_server, catalogue_tenant
):
    first, second, third = acme_products()[:3]
    in_first_product_box(page, live_server, catalogue_tenant)
    page.keyboard.type(f"{first.code}\n2\n", delay=0)
    expect(page.locator("#id_lines-1-product")).to_be_focused()

    text = f"{second.code}\t1\r\n{first.code}\t4\r\n{third.code}\t1\r\n{second.code}\t2\r\n"
    page.evaluate(PASTE, ["#id_lines-1-product", text])

    expect(page.locator("#paste-status")).to_have_text("4 lines pasted.")
    expect(page.locator("#lines-0-repeat")).to_have_text(REPEATED.format(line=3))
    expect(page.locator("#lines-1-repeat")).to_have_text(REPEATED.format(line=5))
    expect(page.locator("#lines-2-repeat")).to_have_text(REPEATED.format(line=1))
    expect(page.locator("#lines-3-repeat")).to_have_count(0)
    expect(page.locator("#lines-4-repeat")).to_have_text(REPEATED.format(line=2))
    assert "lines-4-repeat" in described_by(page, "#id_lines-4-product")

    # Sent without a reference: refused, and the page comes back saying the repeats still.
    page.keyboard.press("Control+Enter")
    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#order-problem")).to_be_visible()
    expect(page.locator("#lines-2-repeat")).to_have_text(REPEATED.format(line=1))
    expect(page.locator("#lines-4-repeat")).to_have_text(REPEATED.format(line=2))
    assert "lines-4-repeat" in described_by(page, "#id_lines-4-product")

    # The reference typed with no pause: the repeats never stop the order.
    page.keyboard.type("PASTE-0002\ntomorrow\n", delay=0)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d+/$"))
    lines = SandboxGoodsOut.objects.get().document["data"]["attributes"]["lines_changes"]
    assert [line["attributes"]["product_id"] for line in lines] == [
        first.pk,
        second.pk,
        first.pk,
        third.pk,
        second.pk,
    ]
