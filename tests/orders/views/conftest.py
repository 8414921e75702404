"""Fixtures the view tests share."""

from typing import Any

import pytest

from orders.models import Membership, Role, Tenant


@pytest.fixture
def tenant(make_tenant: Any, agent: Any) -> Tenant:
    """A tenant with the signed-in agent (``agent_client``) on its staff as an agent.

    A test file that needs another tenant (a catalogue in the sandbox, say) defines its own.
    """
    tenant: Tenant = make_tenant()
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    return tenant
