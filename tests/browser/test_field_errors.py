"""Errors beside a box go when the box is fixed, in real Chromium (static/orders/field_errors.js):
after a refused send, a fix typed with no pause hides each box's error, unties it from the box
and drops the red marking; the value refused typed back brings all of it back as the desk sent
it; a lookup's error goes when a suggestion is picked from the keyboard."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.desk import acme_products, sign_in_agent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page says of a box: whether its error shows, how the box is marked and described,
# and the classes of its field and of its line (if it is on one).
BOX_STATE = """id => {
  const box = document.getElementById(id);
  const error = document.getElementById(id + "-error");
  const classes = element => element ? Array.from(element.classList).sort() : null;
  return {
    error_shown: !!error && !error.hidden && error.checkVisibility(),
    invalid: box.getAttribute("aria-invalid"),
    described: box.getAttribute("aria-describedby"),
    field: classes(box.closest(".field")),
    row: classes(box.closest(".line-row")),
  };
}"""


def box_state(page: Any, box_id: str) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(BOX_STATE, box_id)
    return state


def retype(page: Any, box_id: str, text: str) -> None:
    """Go to the box, select what it holds and type ``text`` over it, with no pause."""
    page.focus(f"#{box_id}")
    page.keyboard.press("Control+a")
    if text:
        page.keyboard.type(text, delay=0)
    else:
        page.keyboard.press("Backspace")


def send_refused(page: Any) -> None:
    """Send the order from the email box and wait for the form to come back with its problems."""
    page.focus("#id_delivery_email")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#order-problem")).to_be_visible()
    page.wait_for_load_state("networkidle")


def test_a_fixed_box_loses_its_error_and_the_refused_value_brings_it_back(
    page, live_server, catalogue_tenant
):
    product = acme_products()[0]
    sign_in_agent(page, live_server, catalogue_tenant)
    page.keyboard.type("acme")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")
    page.fill("#id_expected_date_of_dispatch", "tomorrow 2pm")
    page.focus("#id_lines-0-product")
    page.keyboard.type(product.code)
    expect(page.locator("#lines-0-results [role=option]").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#id_lines-0-quantity")).to_be_focused()
    page.keyboard.type("lots")
    page.fill("#id_delivery_name", "Halifax Tiles")
    page.fill("#id_delivery_email", "not an email")
    # The reference, required, left empty.
    send_refused(page)

    boxes = ("id_reference", "id_delivery_email", "id_lines-0-quantity")
    refused = {box: box_state(page, box) for box in boxes}
    for box, state in refused.items():
        assert state["error_shown"], box
        assert state["invalid"] == "true", box
        assert f"{box}-error" in state["described"].split(), box
        assert "has-error" in state["field"], box
    assert refused["id_reference"]["described"].split()[:2] == [
        "id_reference-error",
        "id_reference-help",
    ]
    assert "has-error" in refused["id_lines-0-quantity"]["row"]
    # Boxes the desk took say nothing, and neither does anything typed in them.
    expect(page.locator("#id_delivery_name-error")).to_have_count(0)

    # A fix in each, typed with no pause: each error goes as the box changes.
    retype(page, "id_reference", "PHONE-8001")
    retype(page, "id_delivery_email", "orders@halifaxtiles.example")
    retype(page, "id_lines-0-quantity", "2")

    expect(page.locator("#id_lines-0-quantity")).to_be_focused()
    assert [page.input_value(f"#{box}") for box in boxes] == [
        "PHONE-8001",
        "orders@halifaxtiles.example",
        "2",
    ]
    for box in boxes:
        expect(page.locator(f"#{box}-error")).to_be_hidden()
        state = box_state(page, box)
        assert state["invalid"] is None, box
        assert f"{box}-error" not in (state["described"] or "").split(), box
        assert "has-error" not in state["field"], box
    # The help still describes its box.
    assert "id_reference-help" in box_state(page, "id_reference")["described"].split()
    assert box_state(page, "id_delivery_email")["described"] is None
    assert "has-error" not in box_state(page, "id_lines-0-quantity")["row"]
    # Nothing else on the form shows an error.
    expect(page.locator("#order-form .error:visible")).to_have_count(0)

    # Another wrong value, one the desk has not seen: no error is made up for it.
    retype(page, "id_delivery_email", "still not an email")
    expect(page.locator("#id_delivery_email-error")).to_be_hidden()

    # The refused values typed back: each error back, exactly as the desk sent it.
    retype(page, "id_delivery_email", "not an email")
    retype(page, "id_lines-0-quantity", "lots")
    for box in ("id_delivery_email", "id_lines-0-quantity"):
        expect(page.locator(f"#{box}-error")).to_be_visible()
        assert box_state(page, box) == refused[box], box
    expect(page.locator("#id_lines-0-quantity-error")).to_contain_text("in figures")
    retype(page, "id_reference", "")
    expect(page.locator("#id_reference-error")).to_be_visible()
    back = box_state(page, "id_reference")
    assert back["invalid"] == "true"
    assert back["described"].split()[:2] == ["id_reference-error", "id_reference-help"]
    assert "has-error" in back["field"]
    expect(page.locator("#id_reference")).to_be_focused()


def test_a_lookups_error_goes_when_a_suggestion_is_picked_from_the_keyboard(
    page, live_server, catalogue_tenant
):
    sign_in_agent(page, live_server, catalogue_tenant)
    # Typed and left unpicked: the send is refused beside the account.
    page.fill("#id_account", "acm")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.fill("#id_reference", "PHONE-8002")
    send_refused(page)
    expect(page.locator("#id_account_id-error")).to_contain_text("is not picked")
    account = box_state(page, "id_account")
    assert account["invalid"] == "true"
    described = account["described"].split()
    assert "id_account_id-error" in described

    # No key typed into the box: ↓ asks Clarus for the text refused, ↓ and Enter pick.
    page.focus("#id_account")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#account-results [role=option]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_account")).to_have_value("ACME · Acme Homeware Ltd")

    expect(page.locator("#id_account_id-error")).to_be_hidden()
    picked = box_state(page, "id_account")
    assert picked["invalid"] is None
    assert picked["described"].split() == [
        each for each in described if each != "id_account_id-error"
    ]
    assert "has-error" not in picked["field"]
    # The pick moved the agent on, as ever; the error stayed hidden.
    expect(page.locator("#id_reference")).to_be_focused()
    expect(page.locator("#id_account_id-error")).to_be_hidden()
    expect(page.locator("#account-lookup")).not_to_have_class(re.compile("has-error"))
