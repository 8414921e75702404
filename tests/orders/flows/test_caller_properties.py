"""Any text in the caller box: never a crash, never another tenant's caller, never a caller of an
order the user may not see (``orders.selectors.caller``), through the selector and the view.

Marked ``postgres``: NUL, LIKE wildcards and odd Unicode behave differently there.
"""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orders.domain import DeliveryAddress
from orders.models import Membership, Role
from orders.selectors.caller import caller_search
from tests.orders.callers import AMELIA, keyed_order

pytestmark = pytest.mark.postgres

# Text as callers' details come (phones, emails, postcodes, names) and anything else at all.
KEYS = st.sampled_from(
    [
        "0113 496 0123",
        "+44 (0)113 496 0123",
        "amelia.smith@example.com",
        "LS6 2AB",
        "ls62ab",
        "Amelia",
        "A",
        "%",
        "_%_",
        "\\",
        "'; DROP TABLE orders_order; --",
        "\x00",
        "\u202eAmelia",
        "Ａｍｅｌｉａ",
        "٠١١٣٤٩٦٠١٢٣",
        "9" * 5000,
    ]
)
TEXT = st.one_of(
    KEYS, st.text(max_size=300), st.builds(lambda a, b: a + b, KEYS, st.text(max_size=20))
)


@pytest.fixture
def desk(make_tenant):
    mine = make_tenant()
    other = make_tenant(subdomain="other", name="Other")
    agent, colleague, stranger = (User.objects.create_user(n) for n in ("a", "b", "c"))
    Membership.objects.create(user=agent, tenant=mine, role=Role.AGENT)
    Membership.objects.create(user=colleague, tenant=mine, role=Role.AGENT)
    Membership.objects.create(user=stranger, tenant=other, role=Role.SUPERVISOR)
    own = keyed_order(tenant=mine, user=agent, reference="MINE-1")
    # The same caller, and others, in places the agent must not see into.
    theirs = [
        keyed_order(tenant=other, user=stranger, reference="X-1"),
        keyed_order(
            tenant=other,
            user=stranger,
            reference="X-2",
            address=DeliveryAddress(name="%_\\ Odd", postcode="ZZ1 1ZZ", phone="+44 113 496 0999"),
        ),
        keyed_order(tenant=mine, user=colleague, reference="COL-1", address=AMELIA),
    ]
    return mine, agent, own, theirs


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT)
@example(text="Amelia")
@example(text="%")
@example(text="\x00")
def test_any_text_suggests_only_callers_of_the_agents_own_orders(desk, text):
    mine, agent, own, theirs = desk
    memberships = list(Membership.objects.filter(user=agent))

    matches = caller_search(user=agent, memberships=memberships, tenant=mine, text=text)

    assert {match.order_id for match in matches} <= {own.pk}
    assert not {match.order_id for match in matches} & {order.pk for order in theirs}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=TEXT)
@example(text="0113 496 0123")
def test_any_text_in_the_box_is_answered_without_a_500(desk, text):
    _mine, agent, _own, theirs = desk
    client = Client(raise_request_exception=False)
    client.force_login(agent)

    response = client.get(reverse("orders:caller_search"), {"caller": text}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert all(f'data-order="{order.pk}"' not in html for order in theirs)
