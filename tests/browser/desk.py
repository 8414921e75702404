"""What the browser tests share: signing an agent in to the entry page, the sandbox's rows."""

from typing import Any

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
