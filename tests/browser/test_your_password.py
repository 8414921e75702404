"""A login a tenant admin made, at its first sign-in, in real Chromium: the desk opens on "Your
password" with the first box focused, the new password goes in from the keyboard alone, and the
desk then opens where the login was going."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from orders.models import GivenPassword, Membership, Role, Tenant
from orders.services.staff import staff_login_create
from tests.browser.desk import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GIVEN = "given-by-the-admin-7"
OWN = "chosen-by-jo-herself-3"


def keyed(page: Any, *boxes: str) -> None:
    """Type each box's text, Tab between boxes, Enter after the last."""
    for number, text in enumerate(boxes):
        if number:
            page.keyboard.press("Tab")
        page.keyboard.type(text, delay=0)
    page.keyboard.press("Enter")


def test_a_made_login_chooses_its_own_password_from_the_keyboard(
    page: Any, live_server: Any, catalogue_tenant: Tenant
) -> None:
    admin = User.objects.create_user("boss", password="boss-pass-phrase-1")
    Membership.objects.create(user=admin, tenant=catalogue_tenant, role=Role.TENANT_ADMIN)
    staff_login_create(
        tenant=catalogue_tenant, name="jo", role=Role.AGENT, password=GIVEN, created_by=admin
    )

    sign_in(page, f"{live_server.url}/orders/new/", "jo@acme", GIVEN, ready="#password-form")

    expect(page.locator("#password-given")).to_contain_text("Choose your own")
    expect(page.locator("#id_old_password")).to_be_focused()
    # A slip first: the two new ones differ. The page says so beside that box, and comes back
    # in the first one: passwords are never sent back in a page.
    keyed(page, GIVEN, OWN, OWN + "x")
    expect(page.locator("#id_new_password2-error")).to_contain_text("differ")
    expect(page.locator("#id_old_password")).to_be_focused()

    keyed(page, GIVEN, OWN, OWN)

    expect(page.locator("#order-form")).to_be_visible()
    assert page.url == f"{live_server.url}/orders/new/"
    expect(page.locator(".messages")).to_contain_text("Your password is changed")
    assert not GivenPassword.objects.filter(user__username="jo@acme").exists()


# A key pressed in the box with Caps Lock on or off. Playwright cannot lock Caps Lock
# (microsoft/playwright#16214), so the key's event says it as Chromium's own would
# (getModifierState("CapsLock")).
KEY_WITH_CAPS_LOCK = """([selector, on]) => {
  const box = document.querySelector(selector);
  for (const type of ["keydown", "keyup"]) {
    const key = {key: on ? "A" : "a", bubbles: true, modifierCapsLock: on};
    box.dispatchEvent(new KeyboardEvent(type, key));
  }
}"""


def test_caps_lock_is_said_beside_a_password_box_while_it_is_on(
    page: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.wait_for_load_state("load")
    password = page.locator("#id_password")
    password.focus()

    page.evaluate(KEY_WITH_CAPS_LOCK, ["#id_password", True])
    note = page.locator("#id_password-caps-lock")
    expect(note).to_be_visible()
    expect(note).to_have_text("Caps Lock is on.")
    expect(password).to_have_attribute("aria-describedby", "id_password-caps-lock")

    page.evaluate(KEY_WITH_CAPS_LOCK, ["#id_password", False])
    expect(note).to_be_hidden()
    assert password.get_attribute("aria-describedby") is None

    # Said again, then the box is left: the note goes with it.
    page.evaluate(KEY_WITH_CAPS_LOCK, ["#id_password", True])
    expect(note).to_be_visible()
    page.keyboard.press("Shift+Tab")
    expect(note).to_be_hidden()
