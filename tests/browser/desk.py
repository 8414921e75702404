"""What the browser tests share: signing in, orders keyed through the service, a pasted
text, the sandbox's rows."""

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db.models import Model

from orders.domain import DeliveryAddress, KeyedOrder, LineInput, OrderHeader
from orders.models import Membership, Order, Role, Tenant
from orders.services import submission
from sandbox import catalogue as sandbox_catalogue

ACME = {"subdomain__slug": "acme"}


def acme_row[M: Model](model: type[M], **lookups: Any) -> M:
    """Return one row of the sandbox subdomain "acme"'s catalogue."""
    return model._default_manager.get(**ACME, **lookups)


def acme_products() -> list[Any]:
    """Return the products of the sandbox account "ACME", in the order of their Clarus ids."""
    acme = acme_row(sandbox_catalogue.Account, code="ACME")
    owned = sandbox_catalogue.AccountProduct.objects.filter(account=acme).select_related("product")
    return sorted((link.product for link in owned), key=lambda product: product.pk)


def values(page: Any, *ids: str) -> list[str]:
    """Return what the boxes with these ids hold, in that order."""
    return [page.input_value(f"#{each}") for each in ids]


def hold_first_request(page: Any, pattern: str) -> list[Any]:
    """Hold back the first request to ``pattern`` (a late answer), letting the others through;
    return the list it is put in, for the test to let it go (``route.continue_()``)."""
    held: list[Any] = []

    def hold_the_first(route: Any) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(pattern, hold_the_first)
    return held


def sign_in(page: Any, url: str, username: str, password: str, *, ready: str) -> None:
    """Open ``url``, sign in on the login page it leads to, and wait for ``ready`` (a selector)
    and for the page's scripts (deferred: keys typed before they run raise no request)."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.keyboard.press("Enter")
    page.wait_for_selector(ready)
    page.wait_for_load_state("load")


def wider_than_screen(page: Any) -> list[int] | None:
    """Return the page's width and the window's (scrollWidth, innerWidth) if the page scrolls
    sideways, else None."""
    sizes: list[int] = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    return sizes if sizes[0] > sizes[1] else None


# Where the orders keyed through the service go, unless a test says otherwise.
HALIFAX = DeliveryAddress(name="Halifax Tiles", postcode="HX1 1AA", country="GB")


def order_sent(
    tenant: Tenant,
    agent: User,
    account: Any,
    reference: str,
    lines: Sequence[LineInput],
    *,
    address: DeliveryAddress = HALIFAX,
) -> Order:
    """Key an order as the entry page would, through the submission service, and send it to the
    sandbox; return it as it stands after Clarus's answer."""
    return submission.order_submit(
        form_token=uuid.uuid4(),
        keyed=KeyedOrder(
            tenant=tenant,
            header=OrderHeader(
                goods_out_type="sales_order",
                account_id=account.pk,
                reference=reference,
                expected_date_of_dispatch=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
            ),
            lines=list(lines),
            address=address,
        ),
        user=agent,
    ).order


def sign_in_agent(page: Any, live_server: Any, tenant: Tenant) -> None:
    """Make an agent of ``tenant``, sign in and wait until the entry page can take keys."""
    agent = User.objects.create_user("agent", password="agent-pass-123")
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    # The page's scripts handle Enter and pasting: keys pressed before they run do nothing.
    sign_in(page, f"{live_server.url}/orders/new/", "agent", "agent-pass-123", ready="#order-form")


# A paste of ``text`` into the box at ``selector`` (page.evaluate(PASTE, [selector, text])), made
# up in the page: headless Chromium's clipboard permissions are unreliable.
PASTE = """([selector, text]) => {
  const box = document.querySelector(selector);
  box.focus();
  const data = new DataTransfer();
  data.setData("text/plain", text);
  const init = {clipboardData: data, bubbles: true, cancelable: true};
  box.dispatchEvent(new ClipboardEvent("paste", init));
}"""


# The entry page's own scripts (static/orders/), as order_form.html writes their tags.
ENTRY_SCRIPT_TAG = re.compile(r'<script src="[^"]*/static/orders/\w+\.js" defer></script>')


def entry_scripts(page: Any) -> list[str]:
    """Return the file names of the entry page's own scripts, in the page's order."""
    return page.eval_on_selector_all(
        'script[src*="/static/orders/"]', "tags => tags.map(tag => tag.src.split('/').pop())"
    )


def reverse_entry_scripts(page: Any, live_server: Any) -> None:
    """Load the entry page again with its own scripts' tags in the opposite order.

    The scripts must not depend on which of them runs first: they speak through named events.
    """

    def reversed_tags(route: Any) -> None:
        if route.request.method != "GET":
            route.fallback()
            return
        response = route.fetch()
        html = response.text()
        tags = ENTRY_SCRIPT_TAG.findall(html)
        first, last = html.index(tags[0]), html.rindex(tags[-1]) + len(tags[-1])
        html = html[:first] + "\n".join(reversed(tags)) + html[last:]
        route.fulfill(response=response, body=html)

    page.route(lambda url: urlsplit(url).path == "/orders/new/", reversed_tags)
    page.goto(f"{live_server.url}/orders/new/")
    page.wait_for_selector("#order-form")
    page.wait_for_load_state("load")
