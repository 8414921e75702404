"""What the browser tests share: signing an agent in to the entry page, the sandbox's rows."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db.models import Model

from orders.models import Membership, Role, Tenant

ACME = {"subdomain__slug": "acme"}


def acme_row[M: Model](model: type[M], **lookups: Any) -> M:
    """Return one row of the sandbox subdomain "acme"'s catalogue."""
    return model._default_manager.get(**ACME, **lookups)


def sign_in_agent(page: Any, live_server: Any, tenant: Tenant) -> None:
    """Make an agent of ``tenant``, sign in and wait until the entry page can take keys."""
    agent = User.objects.create_user("agent", password="agent-pass-123")
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    page.goto(f"{live_server.url}/orders/new/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "agent-pass-123")
    page.keyboard.press("Enter")
    page.wait_for_selector("#order-form")
    # The page's scripts (deferred) handle Enter and pasting: keys pressed before they run do
    # nothing.
    page.wait_for_load_state("load")


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
