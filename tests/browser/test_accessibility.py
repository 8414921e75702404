"""Accessibility of the desk's pages, in real Chromium: axe-core finds no WCAG 2.x A/AA
violation; errors are tied to their fields; a refused send takes the focus to its first problem;
the stored request and Clarus's answer scroll from the keyboard; borders and the focus ring stand
out 3:1; and nothing scrolls sideways on a 390 px wide phone."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import expect

from orders.domain import DeliveryAddress, LineInput
from orders.models import ApprovalRuleKind, Draft, Membership, OrderStatus, Role, Tenant
from orders.services.approvals import RuleTerms, approval_rule_save
from orders.services.staff import staff_invite
from sandbox import catalogue as sandbox_catalogue
from tests.browser.axe import axe_violations
from tests.browser.desk import order_sent, wider_than_screen
from tests.orders.people import ANN, footprint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The address the order page shows in full.
HALIFAX_IN_FULL = DeliveryAddress(
    name="Halifax Tiles",
    address_1="1 Mill Street",
    town="Halifax",
    postcode="HX1 1AA",
    country="GB",
)


class Desk:
    """A supervisor signed in, a sent and a refused order, a draft: every page has something.
    And for the supervisor's and the tenant admin's pages: an order held by an approval rule,
    an invitation, a caller with an old order and one still waiting for Clarus."""

    def __init__(self, page: Any, live_server: Any, tenant: Tenant) -> None:
        self.page = page
        self.url = live_server.url
        acme = sandbox_catalogue.Account.objects.get(subdomain__slug="acme", code="ACME")
        owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).order_by("product_id")
        mug = owned.select_related("product")[0].product
        self.supervisor = User.objects.create_user("supervisor", password="super-pass-123")
        Membership.objects.create(user=self.supervisor, tenant=tenant, role=Role.SUPERVISOR)
        self.sent = order_sent(
            tenant,
            self.supervisor,
            acme,
            "PHONE-1001",
            [LineInput(mug.pk, Decimal(2))],
            address=HALIFAX_IN_FULL,
        )
        assert self.sent.status == OrderStatus.SENT
        self.refused = order_sent(
            tenant,
            self.supervisor,
            acme,
            "PHONE-1002",
            [
                LineInput(mug.pk, Decimal(2), product_code=mug.code),
                LineInput(mug.pk + 100_000, Decimal(3)),
            ],
            address=HALIFAX_IN_FULL,
        )
        assert self.refused.status == OrderStatus.REJECTED
        Draft.objects.create(
            tenant=tenant,
            created_by=self.supervisor,
            form_token=uuid.uuid4(),
            form_data={"reference": ["PHONE-1003"]},
            reference="PHONE-1003",
            summary="Half keyed",
            updated_at=timezone.now(),
        )
        agent = User.objects.create_user("agent")
        self.agent = Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
        admin = User.objects.create_user("admin", password="admin-pass-123")
        Membership.objects.create(user=admin, tenant=tenant, role=Role.TENANT_ADMIN)
        self.rule = approval_rule_save(
            tenant=tenant,
            user=admin,
            terms=RuleTerms(kind=ApprovalRuleKind.QUANTITY_OVER, number=10),
        )
        self.held = order_sent(tenant, agent, acme, "PHONE-1004", [LineInput(mug.pk, Decimal(12))])
        assert self.held.status == OrderStatus.HELD
        staff_invite(tenant=tenant, username="someone.new", role=Role.AGENT, invited_by=admin)
        # A caller with an order old enough for a year's retention, and one Clarus has not
        # answered yet: erasing them is refused.
        footprint(
            tenant, agent, ANN, reference="ANN-1", created_at=timezone.now() - timedelta(days=800)
        )
        footprint(
            tenant, agent, ANN, reference="ANN-2", status=OrderStatus.UNKNOWN, with_draft=False
        )

    def sign_in(self, username: str = "supervisor", password: str = "super-pass-123") -> None:
        self.page.context.clear_cookies()
        self.page.goto(f"{self.url}/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.page.keyboard.press("Enter")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def wrong_password(self) -> None:
        """The sign-in page after a wrong password."""
        self.page.goto(f"{self.url}/login/")
        self.page.fill("#id_username", "supervisor")
        self.page.fill("#id_password", "not-the-password")
        self.page.keyboard.press("Enter")
        expect(self.page.locator(".problem[role=alert]")).to_be_visible()
        self.page.wait_for_load_state("load")

    def open(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")
        self.page.wait_for_load_state("load")
        self.page.wait_for_load_state("networkidle")

    def refused_send(self) -> None:
        """Open the entry page and send it empty: the form comes back with its problems."""
        self.open("/orders/new/")
        self.page.focus("#id_reference")
        self.page.keyboard.press("Control+Enter")
        expect(self.page.locator("#order-problem")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def refused_then_one_field_fixed(self) -> None:
        """A send refused with problems, then a line's quantity typed again: its error goes."""
        send_with_problems(self)
        quantity_fixed(self.page)

    def suggestions_open(self) -> None:
        """The entry page with an account's suggestions and a caller's panel showing."""
        self.open("/orders/new/")
        self.page.focus("#id_account")
        self.page.keyboard.type("ac")
        expect(self.page.locator("#account-results [role=option]").first).to_be_visible()

    def keys_help_open(self) -> None:
        self.open("/orders/new/")
        self.page.click("#keys-help-open")
        expect(self.page.locator("#keys-help")).to_be_visible()

    def queue(self) -> None:
        self.open("/orders/approvals/")
        expect(self.page.locator("tr.queue-row")).to_contain_text("PHONE-1004")

    def queue_filtered_to_nothing(self) -> None:
        self.queue()
        self.page.fill("#id_search", "NO-SUCH-ORDER")
        expect(self.page.locator("#queue-empty")).to_contain_text("No order waiting")
        self.page.wait_for_load_state("networkidle")

    def refused_without_a_reason(self) -> None:
        """The decision page's reason box, Enter pressed in it empty: refused, told why."""
        self.open(f"/orders/{self.held.pk}/decide/?refuse=1")
        self.page.focus("#refuse-reason")
        self.page.keyboard.press("Enter")
        expect(self.page.locator("#refuse-reason-error")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def person_found(self) -> None:
        self.open(f"/orders/personal-data/?phone={ANN.phone.replace(' ', '+')}")
        expect(self.page.locator("#person-results")).to_contain_text("2 orders")

    def erasure_refused(self) -> None:
        """Erasing a caller while one of their orders waits for Clarus: refused, told why."""
        self.person_found()
        self.page.fill("#id_reason", "Asked on the phone")
        self.page.click("#person-erase-button")
        expect(self.page.locator("#person-erase [role=alert]")).to_contain_text("Not erased")
        self.page.wait_for_load_state("networkidle")

    def rule_change_refused(self) -> None:
        self.open(f"/tenant/approvals/{self.rule.pk}/")
        self.page.fill("#id_number", "lots")
        self.page.click("#save-rule")
        expect(self.page.locator("#id_number-error")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def retention_shortened(self) -> None:
        """A retention period that removes data from an order at once: the admin is asked."""
        self.open("/tenant/")
        self.page.fill("#id_retention_months", "12")
        self.page.click("#retention button[type=submit]")
        expect(self.page.locator("#retention-confirm")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def removing_a_member(self) -> None:
        self.open("/tenant/staff/")
        self.page.click(f"#role-{self.agent.pk} ~ button[name=remove]")
        expect(self.page.locator("#remove-member")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def password_refused(self) -> None:
        """ "Your password" sent back: the password now is wrong, the new ones differ."""
        self.open("/password/")
        self.page.fill("#id_old_password", "not-the-password")
        self.page.fill("#id_new_password1", "a-new-pass-phrase-1")
        self.page.fill("#id_new_password2", "a-new-pass-phrase-2")
        self.page.click("#password-form button[type=submit]")
        expect(self.page.locator("#id_old_password-error")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def accounts_refused(self) -> None:
        """A member's accounts, with a code Clarus does not know."""
        self.open(f"/tenant/staff/{self.agent.pk}/accounts/")
        self.page.fill("#id_codes", "ACME NOPE")
        self.page.click("#member-accounts-save")
        expect(self.page.locator("#id_codes-error")).to_be_visible()
        self.page.wait_for_load_state("networkidle")

    def pages(self) -> dict[str, Any]:
        """Each page to check, by name: how to get there."""
        return {
            "entry": lambda: self.open("/orders/new/"),
            "entry, refused send": self.refused_send,
            "entry, refused with line and address errors": lambda: send_with_problems(self),
            "entry, refused, then one field fixed": self.refused_then_one_field_fixed,
            "entry, suggestions open": self.suggestions_open,
            "entry, keys help open": self.keys_help_open,
            "sent order": lambda: self.open(f"/orders/{self.sent.pk}/"),
            "refused order": lambda: self.open(f"/orders/{self.refused.pk}/"),
            "correcting the refused order": lambda: self.open(
                f"/orders/{self.refused.pk}/correct/"
            ),
            "history": lambda: self.open("/orders/"),
            "dashboard": lambda: self.open("/orders/dashboard/"),
            "amend": lambda: self.open(f"/orders/{self.sent.pk}/amend/"),
            "drafts": lambda: self.open("/orders/drafts/"),
            "approvals queue": self.queue,
            "approvals queue, filtered to nothing": self.queue_filtered_to_nothing,
            "decision page, refusing": lambda: self.open(
                f"/orders/{self.held.pk}/decide/?refuse=1"
            ),
            "decision page, refused without a reason": self.refused_without_a_reason,
            "personal data, a person found": self.person_found,
            "personal data, erasure refused": self.erasure_refused,
        }

    def admin_pages(self) -> dict[str, Any]:
        """Each of the tenant admin's pages to check, by name: how to get there."""
        return {
            "approval rules": lambda: self.open("/tenant/approvals/"),
            "approval rule": lambda: self.open(f"/tenant/approvals/{self.rule.pk}/"),
            "approval rule, change refused": self.rule_change_refused,
            "tenant settings": lambda: self.open("/tenant/"),
            "retention shortened, asked first": self.retention_shortened,
            "staff": lambda: self.open("/tenant/staff/"),
            "removing a member, asked first": self.removing_a_member,
            "a member's accounts, one found": lambda: self.open(
                f"/tenant/staff/{self.agent.pk}/accounts/?find=acme"
            ),
            "a member's accounts, a code refused": self.accounts_refused,
            "your password": lambda: self.open("/password/"),
            "your password, refused": self.password_refused,
        }


@pytest.fixture
def desk(page: Any, live_server: Any, catalogue_tenant: Tenant) -> Desk:
    return Desk(page, live_server, catalogue_tenant)


def every_page(desk: Desk) -> Iterator[str]:
    """Open the sign-in page, sign in, then open each page in turn, saying which it is; then the
    tenant admin's."""
    desk.page.goto(f"{desk.url}/login/")
    desk.page.wait_for_load_state("load")
    yield "sign-in"
    desk.wrong_password()
    yield "sign-in, wrong password"
    desk.sign_in()
    for name, go in desk.pages().items():
        go()
        yield name
    desk.sign_in("admin", "admin-pass-123")
    for name, go in desk.admin_pages().items():
        go()
        yield name


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_wcag_violation_on_any_page(desk: Desk, page: Any, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844})
    found = []
    for name in every_page(desk):
        violations = axe_violations(page)
        if violations:
            listed = "\n".join(str(violation) for violation in violations)
            found.append(f"{name} ({page.url}):\n{listed}")
    assert not found, "axe found violations:\n" + "\n".join(found)


# Every id an element names in aria-describedby: missing ones, and those that say nothing.
DESCRIBED_BY = """() => {
  const problems = [];
  for (const element of document.querySelectorAll("[aria-describedby]")) {
    for (const id of element.getAttribute("aria-describedby").split(/\\s+/).filter(Boolean)) {
      const target = document.getElementById(id);
      if (!target) {
        problems.push(`${element.id || element.name}: no element #${id}`);
      } else if (!target.textContent.trim()) {
        problems.push(`${element.id || element.name}: #${id} is empty`);
      }
    }
  }
  return problems;
}"""

# On a form sent back: every error message is named by an invalid field, every field marked
# with an error has an invalid control, and every invalid control names a message.
ERRORS_TIED = """formId => {
  const problems = [];
  const form = document.getElementById(formId);
  const invalid = Array.from(form.querySelectorAll("[aria-invalid=true]"));
  const named = new Set(invalid.flatMap(
    element => (element.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean)
  ));
  for (const message of form.querySelectorAll(".error")) {
    const said = message.textContent.trim();
    if (said && !message.closest("[hidden]") && !(message.id && named.has(message.id))) {
      problems.push(`#${message.id} ("${said}") is no invalid field's`);
    }
  }
  for (const field of form.querySelectorAll(".has-error")) {
    if (field.closest("[hidden]")) continue;
    if (!field.querySelector("[aria-invalid=true]")) {
      problems.push(`${field.id || field.className}: marked in error, no control aria-invalid`);
    }
  }
  for (const element of invalid) {
    const ids = (element.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
    const said = ids.map(id => document.getElementById(id)).filter(
      target => target && target.classList.contains("error") && target.textContent.trim()
    );
    if (!said.length) {
      problems.push(`${element.id}: aria-invalid but describedby no error message`);
    }
  }
  return {problems, invalid: invalid.map(element => element.id)};
}"""


def test_every_aria_describedby_names_ids_that_exist_and_say_something(
    desk: Desk, page: Any
) -> None:
    problems = {}
    for name in every_page(desk):
        found = page.evaluate(DESCRIBED_BY)
        if found:
            problems[name] = found
    assert problems == {}


# Boxes that scroll a table or a block sideways: each one a named stop for the keyboard, or a
# phone user with no mouse cannot reach the columns off screen.
SCROLL_BOXES_UNREACHED = """() => Array.from(document.querySelectorAll('.table-scroll'))
  .filter(box => box.getAttribute('tabindex') !== '0' || box.getAttribute('role') !== 'region'
    || !(box.getAttribute('aria-label') || '').trim())
  .map(box => (box.querySelector('table') || box).id || box.outerHTML.slice(0, 80))"""


def test_every_scrolling_table_is_a_named_stop_for_the_keyboard(desk: Desk, page: Any) -> None:
    problems = {}
    for name in every_page(desk):
        found = page.evaluate(SCROLL_BOXES_UNREACHED)
        if found:
            problems[name] = found
    assert problems == {}


def send_with_problems(desk: Desk) -> None:
    """Key an order with a problem in the header, a line and the address, and send it."""
    page = desk.page
    desk.open("/orders/new/")
    page.fill("#id_reference", "PHONE-2001")
    page.fill("#id_lines-0-product", "no such product")
    page.fill("#id_lines-0-quantity", "lots")
    page.fill("#id_delivery_name", "Halifax Tiles")
    page.fill("#id_delivery_postcode", "not a postcode")
    page.fill("#id_delivery_email", "not an email")
    page.focus("#id_delivery_email")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#order-problem")).to_be_visible()
    # The page has taken the agent to the first problem (order_entry.js, once htmx settles).
    expect(page.locator("#order-form [autofocus]").first).to_be_focused()


def quantity_fixed(page: Any) -> None:
    """Type a quantity in figures over the one refused (static/orders/field_errors.js)."""
    box = page.locator("#id_lines-0-quantity")
    box.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("2", delay=0)
    expect(box).to_have_value("2")
    expect(page.locator("#id_lines-0-quantity-error")).to_be_hidden()


def test_a_refused_send_ties_every_error_to_its_field(desk: Desk, page: Any) -> None:
    desk.sign_in()
    send_with_problems(desk)
    tied = page.evaluate(ERRORS_TIED, "order-form")
    assert tied["problems"] == []
    # The header, a line and the address each have theirs.
    for field in ("id_account", "id_lines-0-quantity", "id_delivery_postcode"):
        assert field in tied["invalid"]
    assert page.evaluate(DESCRIBED_BY) == []

    # One of them fixed: its error goes with its marks, the others stay tied (the line's
    # product still marks the line).
    quantity_fixed(page)
    tied = page.evaluate(ERRORS_TIED, "order-form")
    assert tied["problems"] == []
    assert "id_lines-0-quantity" not in tied["invalid"]
    for field in ("id_account", "id_lines-0-product", "id_delivery_postcode"):
        assert field in tied["invalid"]
    assert page.evaluate(DESCRIBED_BY) == []

    # Sent empty: the lines' own error (no line at all) too.
    desk.refused_send()
    tied = page.evaluate(ERRORS_TIED, "order-form")
    assert tied["problems"] == []
    assert page.evaluate(DESCRIBED_BY) == []

    # Clarus's own refusal, by field: the refused order opened for correcting.
    desk.open(f"/orders/{desk.refused.pk}/correct/")
    expect(page.locator("#order-problem")).to_be_visible()
    tied = page.evaluate(ERRORS_TIED, "order-form")
    assert tied["problems"] == []
    assert "id_lines-1-product" in tied["invalid"]
    assert page.evaluate(DESCRIBED_BY) == []

    # The amend page's lines, refused by the desk before anything reaches Clarus.
    desk.open(f"/orders/{desk.sent.pk}/amend/")
    page.fill("#id_lines-0-quantity", "lots")
    page.click("#review-amendment")
    expect(page.locator("#amend-problem")).to_be_visible()
    tied = page.evaluate(ERRORS_TIED, "amend-form")
    assert tied["problems"] == []
    assert "id_lines-0-quantity" in tied["invalid"]
    assert page.evaluate(DESCRIBED_BY) == []


def test_the_supervisor_and_admin_forms_tie_every_error_to_its_field(desk: Desk, page: Any) -> None:
    desk.sign_in()
    # Refusing a held order without a reason.
    desk.refused_without_a_reason()
    tied = page.evaluate(ERRORS_TIED, "refuse-form")
    assert tied == {"problems": [], "invalid": ["refuse-reason"]}
    # Erasing a person without saying why.
    desk.person_found()
    page.click("#person-erase-button")
    expect(page.locator("#id_reason-error")).to_be_visible()
    tied = page.evaluate(ERRORS_TIED, "person-erase")
    assert tied == {"problems": [], "invalid": ["id_reason"]}

    desk.sign_in("admin", "admin-pass-123")
    # A rule changed to a number that is not one.
    desk.rule_change_refused()
    tied = page.evaluate(ERRORS_TIED, "edit-rule")
    assert tied == {"problems": [], "invalid": ["id_number"]}
    # A retention period of no months.
    desk.open("/tenant/")
    page.fill("#id_retention_months", "0")
    page.click("#retention button[type=submit]")
    expect(page.locator("#id_retention_months-error")).to_be_visible()
    tied = page.evaluate(ERRORS_TIED, "retention")
    assert tied == {"problems": [], "invalid": ["id_retention_months"]}
    assert page.evaluate(DESCRIBED_BY) == []
    # "Your password" with the password now wrong and the new ones differing: the first is
    # focused.
    desk.password_refused()
    tied = page.evaluate(ERRORS_TIED, "password-form")
    assert tied == {"problems": [], "invalid": ["id_old_password", "id_new_password2"]}
    expect(page.locator("#id_old_password")).to_be_focused()
    assert page.evaluate(DESCRIBED_BY) == []


FIRST_INVALID = """() => {
  const first = document.querySelector("#order-form [aria-invalid=true]");
  return {first: first && first.id, focused: document.activeElement && document.activeElement.id};
}"""


@pytest.mark.parametrize("how", ["Ctrl+Enter", "the Send button"])
def test_a_refused_send_takes_the_focus_to_its_first_problem(
    desk: Desk, page: Any, how: str
) -> None:
    desk.sign_in()
    desk.open("/orders/new/")
    page.fill("#id_reference", "PHONE-2002")
    # Far down the page, away from the first problem (the account).
    page.fill("#id_delivery_email", "not an email")
    if how == "Ctrl+Enter":
        page.focus("#id_delivery_email")
        page.keyboard.press("Control+Enter")
    else:
        page.click("#send-order")
    expect(page.locator("#order-problem")).to_be_visible()
    expect(page.locator("#id_account")).to_be_focused()
    focus = page.evaluate(FIRST_INVALID)
    assert focus["focused"] == focus["first"] == "id_account"
    assert page.locator("#id_account").is_visible()
    assert page.evaluate(
        "() => { const box = document.activeElement.getBoundingClientRect();"
        " return box.top >= 0 && box.bottom <= window.innerHeight; }"
    )


def test_the_request_and_the_answer_scroll_from_the_keyboard(desk: Desk, page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    desk.sign_in()
    for order in (desk.sent, desk.refused):
        desk.open(f"/orders/{order.pk}/")
        blocks = page.locator("details[open] pre")
        assert blocks.count() == 2
        for index in range(blocks.count()):
            block = blocks.nth(index)
            assert block.get_attribute("tabindex") == "0"
            assert block.get_attribute("role") == "region"
            assert (block.get_attribute("aria-label") or "").strip()
            # Reached with Tab, with a visible focus ring, and the arrows scroll it.
            block.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            expect(block).to_be_focused()
            ring = block.evaluate(
                "pre => { const style = getComputedStyle(pre);"
                " return [style.outlineStyle, parseFloat(style.outlineWidth)]; }"
            )
            assert ring[0] != "none"
            assert ring[1] >= 2
            assert block.evaluate("pre => pre.scrollWidth > pre.clientWidth")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.keyboard.press("ArrowRight")
            page.wait_for_function("pre => pre.scrollLeft > 0", arg=block.element_handle())


# WCAG relative luminance and contrast ratio, of colours as getComputedStyle gives them.
CONTRAST = """() => {
  function rgb(text) {
    const parts = text.match(/[\\d.]+/g).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  }
  function luminance(colour) {
    const [r, g, b] = [colour.r, colour.g, colour.b].map(value => {
      const c = value / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function ratio(one, two) {
    const [light, dark] = [luminance(one), luminance(two)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  }
  // The colour behind an element: the nearest ancestor's opaque background.
  function backdrop(element) {
    for (let at = element.parentElement; at; at = at.parentElement) {
      const colour = rgb(getComputedStyle(at).backgroundColor);
      if (colour.a === 1) return colour;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  const page = rgb(getComputedStyle(document.body).backgroundColor);
  const found = {};
  for (const selector of ["input#id_reference", "select", "textarea"]) {
    const element = document.querySelector("#order-form " + selector);
    const border = rgb(getComputedStyle(element).borderTopColor);
    found[selector + " border"] = Math.min(ratio(border, page), ratio(border, backdrop(element)));
  }
  const focused = document.activeElement;
  const style = getComputedStyle(focused);
  const ring = rgb(style.outlineColor);
  const name = "focus ring (" + focused.id + ", " + style.outlineStyle + ")";
  found[name] = style.outlineStyle === "none"
    ? 0 : Math.min(ratio(ring, page), ratio(ring, backdrop(focused)));
  return found;
}"""


def test_input_borders_and_the_focus_ring_stand_out_three_to_one(desk: Desk, page: Any) -> None:
    desk.sign_in()
    desk.open("/orders/new/")
    expect(page.locator("#order-form select").first).to_be_attached()
    # Focused from the keyboard, as :focus-visible shows it.
    page.focus("#id_reference")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.locator("#id_reference")).to_be_focused()
    ratios = page.evaluate(CONTRAST)
    assert len(ratios) == 4
    low = {name: round(ratio, 2) for name, ratio in ratios.items() if ratio < 3}
    assert low == {}, f"below 3:1 (WCAG 1.4.11): {low}"


def test_no_page_scrolls_sideways_on_a_390_px_phone(desk: Desk, page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    wide = {}
    for name in every_page(desk):
        if sizes := wider_than_screen(page):
            wide[name] = sizes
    assert wide == {}, f"wider than the screen (scrollWidth, innerWidth): {wide}"
