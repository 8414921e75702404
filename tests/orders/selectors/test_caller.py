"""Who is calling: the caller box finds repeat callers by phone, email, postcode or name, in the
tenant and among the orders the user may see, and their panel shows their orders and addresses."""

import pytest

from orders.domain import DeliveryAddress
from orders.models import Membership, Role
from orders.selectors import caller
from orders.selectors.caller import caller_panel, caller_search, recent_addresses
from tests.orders.callers import AMELIA, AMELIA_WORK, keyed_order
from tests.orders.factories import staff_of_two_tenants

pytestmark = pytest.mark.postgres


@pytest.fixture
def desk(make_tenant):
    """Return a tenant with an agent, a colleague and a supervisor, and another tenant."""
    return staff_of_two_tenants(make_tenant, agent="agent", stranger_role=Role.SUPERVISOR)


def search(user, tenant, text):
    memberships = list(Membership.objects.filter(user=user).select_related("tenant"))
    return caller_search(user=user, memberships=memberships, tenant=tenant, text=text)


@pytest.mark.parametrize(
    "text",
    [
        # A phone number in each way a UK caller reads it out, however it was stored.
        "0113 496 0123",
        "01134960123",
        "+44 113 496 0123",
        "+44 (0)113 496 0123",
        "0044 113 4960123",
        # An email, as typed, capitals and all.
        "AMELIA.SMITH@example.com",
        # A postcode, with or without its space.
        "ls62ab",
        "LS6 2AB",
        # The start of the name.
        "ame",
        "Amelia Sm",
    ],
)
def test_a_repeat_caller_is_found_by_each_kind_of_key(desk, text):
    tenant, _other, people = desk
    older = keyed_order(tenant=tenant, user=people["agent"], reference="SO-1", days_ago=30)
    newest = keyed_order(tenant=tenant, user=people["agent"], reference="SO-2", days_ago=2)

    matches = search(people["agent"], tenant, text)

    assert [(m.name, m.postcode) for m in matches] == [("Amelia Smith", "LS6 2AB")]
    # The newest order names the caller, and gives the last order date.
    assert matches[0].order_id == newest.pk != older.pk
    assert matches[0].last_order_at == newest.created_at


def test_callers_come_one_each_most_recent_first(desk):
    tenant, _other, people = desk
    keyed_order(tenant=tenant, user=people["agent"], reference="SO-1", days_ago=5)
    keyed_order(
        tenant=tenant, user=people["agent"], reference="SO-2", address=AMELIA_WORK, days_ago=1
    )
    keyed_order(
        tenant=tenant,
        user=people["agent"],
        reference="SO-3",
        address=DeliveryAddress(name="Amelia Jones", postcode="M1 1AA", country="GB"),
        days_ago=3,
    )

    matches = search(people["agent"], tenant, "amelia")

    assert [(m.name, m.postcode) for m in matches] == [
        ("Amelia Smith", "LS5 3RT"),
        ("Amelia Jones", "M1 1AA"),
        ("Amelia Smith", "LS6 2AB"),
    ]


def test_another_tenants_callers_never_appear(desk):
    tenant, other, people = desk
    keyed_order(tenant=other, user=people["stranger"], reference="THEIRS-1")

    for text in ("0113 496 0123", "amelia.smith@example.com", "LS6 2AB", "Amelia"):
        assert search(people["agent"], tenant, text) == []
        assert search(people["boss"], tenant, text) == []
    # Not even when the stranger's own tenant is named by someone who is not on its staff.
    assert search(people["boss"], other, "Amelia") == []
    assert [m.name for m in search(people["stranger"], other, "Amelia")] == ["Amelia Smith"]


def test_an_agent_finds_only_callers_of_orders_the_history_shows_them(desk):
    tenant, _other, people = desk
    keyed_order(tenant=tenant, user=people["colleague"], reference="THEIRS-1")

    assert search(people["agent"], tenant, "Amelia") == []
    assert [m.name for m in search(people["colleague"], tenant, "Amelia")] == ["Amelia Smith"]
    # A supervisor sees the whole tenant, as in the history.
    assert [m.name for m in search(people["boss"], tenant, "Amelia")] == ["Amelia Smith"]


@pytest.mark.parametrize("text", ["", "a", "  ", "%", "_", "@", "0", "\x00\x00"])
def test_too_little_to_go_on_suggests_nobody(desk, text):
    tenant, _other, people = desk
    keyed_order(tenant=tenant, user=people["agent"], reference="SO-1")

    assert search(people["agent"], tenant, text) == []


def test_the_panel_shows_the_last_five_orders_and_distinct_addresses_newest_first(desk):
    tenant, _other, people = desk
    agent = people["agent"]
    for n in range(6):
        keyed_order(
            tenant=tenant,
            user=agent,
            reference=f"SO-{n}",
            days_ago=20 - n,
            lines=(("SKU-1", 501, "2"), ("SKU-2", 502, str(n + 1))),
        )
    # The same home address keyed again in other capitals is the same address.
    keyed_order(
        tenant=tenant,
        user=agent,
        reference="SO-HOME",
        address=DeliveryAddress(**{**AMELIA.__dict__, "address_1": "12 PARK ROAD"}),
        days_ago=3,
    )
    work = keyed_order(
        tenant=tenant, user=agent, reference="SO-WORK", address=AMELIA_WORK, days_ago=1
    )
    memberships = list(Membership.objects.filter(user=agent))

    panel = caller_panel(user=agent, memberships=memberships, tenant=tenant, order_id=work.pk)

    assert panel is not None
    assert [each.order.reference for each in panel.orders] == [
        "SO-WORK",
        "SO-HOME",
        "SO-5",
        "SO-4",
        "SO-3",
    ]
    assert [(line.product, line.quantity) for line in panel.orders[2].lines] == [
        ("SKU-1", "2"),
        ("SKU-2", "6"),
    ]
    assert [address.address_1 for address in panel.addresses] == [
        "Unit 4, Mill Lane",
        "12 PARK ROAD",
    ]
    assert panel.addresses[0] == AMELIA_WORK


def test_the_panel_of_an_order_the_user_may_not_see_is_nobody(desk):
    tenant, other, people = desk
    theirs = keyed_order(tenant=other, user=people["stranger"], reference="THEIRS-1")
    colleagues = keyed_order(tenant=tenant, user=people["colleague"], reference="COL-1")
    agent = people["agent"]
    memberships = list(Membership.objects.filter(user=agent))

    for order in (theirs, colleagues):
        assert (
            caller_panel(user=agent, memberships=memberships, tenant=tenant, order_id=order.pk)
            is None
        )
    boss_memberships = list(Membership.objects.filter(user=people["boss"]))
    assert (
        caller_panel(
            user=people["boss"], memberships=boss_memberships, tenant=tenant, order_id=theirs.pk
        )
        is None
    )


def test_recent_addresses_of_an_end_customer_and_of_an_account(desk):
    tenant, other, people = desk
    agent = people["agent"]
    keyed_order(tenant=tenant, user=agent, reference="SO-1", customer_id=42, days_ago=5)
    keyed_order(
        tenant=tenant, user=agent, reference="SO-2", customer_id=42, address=AMELIA_WORK, days_ago=2
    )
    keyed_order(
        tenant=tenant,
        user=agent,
        reference="SO-3",
        account_id=8,
        address=DeliveryAddress(name="Acme Stores", postcode="M1 1AA", country="GB"),
    )
    keyed_order(
        tenant=other, user=people["stranger"], reference="X-1", customer_id=42, account_id=8
    )
    memberships = list(Membership.objects.filter(user=agent))

    by_customer = recent_addresses(
        user=agent, memberships=memberships, tenant=tenant, customer_id=42
    )
    by_account = recent_addresses(user=agent, memberships=memberships, tenant=tenant, account_id=8)

    assert [a.postcode for a in by_customer] == ["LS5 3RT", "LS6 2AB"]
    assert [a.name for a in by_account] == ["Acme Stores"]
    assert recent_addresses(user=agent, memberships=memberships, tenant=tenant) == []


def test_caller_text_is_bounded_and_clean():
    assert caller.caller_text("  Jo \x00 Bloggs  ") == "Jo Bloggs"
    assert len(caller.caller_text("x" * 10_000)) == caller.MAX_TEXT
