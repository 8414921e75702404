"""The caller box's fragments: suggestions, the caller's panel, their lines into the form, and
an account's or end customer's recent addresses; each as htmx asks for it and as a full page."""

import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.orders.callers import AMELIA, AMELIA_WORK, keyed_order

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_entry_page_has_the_caller_box_its_keys_and_the_drafts(agent_client, tenant):
    html = agent_client.get(reverse("orders:create")).content.decode()

    assert 'id="caller-search"' in html
    assert "<kbd>Alt</kbd>+<kbd>C</kbd>" in html
    assert 'id="caller-panel"' in html
    assert 'name="save_address"' in html
    assert 'id="draft-autosave"' in html
    assert "orders/caller.js" in html
    assert "orders/drafts.js" in html


def test_suggestions_name_the_caller_postcode_and_last_order(agent_client, agent, tenant):
    order = keyed_order(tenant=tenant, user=agent, reference="SO-1")

    response = agent_client.get(reverse("orders:caller_search"), {"caller": "01134960123"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-order="{order.pk}"' in html
    assert "Amelia Smith" in html
    assert "LS6 2AB" in html
    assert f"last order {order.created_at:%-d %b %Y}" in html


def test_no_match_says_so(agent_client, tenant):
    response = agent_client.get(reverse("orders:caller_search"), {"caller": "zz9 9zz"}, **HTMX)

    assert "No earlier caller matches this." in response.content.decode()


@pytest.mark.parametrize(
    "name", ["orders:caller_search", "orders:caller_panel", "orders:caller_addresses"]
)
def test_fragments_asked_for_as_pages_go_to_the_entry_page(agent_client, tenant, name):
    response = agent_client.get(reverse(name), {"caller": "Amelia"})

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:create")


def test_the_panel_offers_each_address_and_each_orders_lines(agent_client, agent, tenant):
    keyed_order(tenant=tenant, user=agent, reference="SO-1", days_ago=4)
    work = keyed_order(
        tenant=tenant,
        user=agent,
        reference="SO-2",
        address=AMELIA_WORK,
        lines=(("SKU-9", 509, "3"),),
    )

    response = agent_client.get(
        reverse("orders:caller_panel"), {"caller_order": str(work.pk)}, **HTMX
    )

    html = response.content.decode()
    assert "SO-2" in html
    assert "SO-1" in html
    assert "SKU-9 × 3" in html
    assert reverse("orders:caller_lines", args=[work.pk]) in html
    addresses = [
        json.loads(value.replace("&quot;", '"'))
        for value in html.split('data-address="')[1:]
        for value in [value.split('"', 1)[0]]
    ]
    # Every address field, the empty ones too: "Use" leaves nothing of the address before.
    assert addresses[0]["delivery_address_2"] == "Kirkstall"
    assert addresses[1]["delivery_address_2"] == ""
    assert addresses[1]["delivery_phone"] == AMELIA.phone
    assert "(Alt+A)" in html
    assert "(Alt+R)" in html


def test_another_tenants_order_shows_no_panel(agent_client, tenant, make_tenant):
    other = make_tenant(subdomain="other")
    stranger = User.objects.create_user("stranger")
    theirs = keyed_order(tenant=other, user=stranger, reference="X-1")

    response = agent_client.get(
        reverse("orders:caller_panel"), {"caller_order": str(theirs.pk)}, **HTMX
    )

    assert response.status_code == 200
    assert "Amelia" not in response.content.decode()


def test_repeating_lines_fills_the_blank_row_and_numbers_the_rest_after_the_page(
    agent_client, agent, tenant
):
    order = keyed_order(
        tenant=tenant,
        user=agent,
        reference="SO-1",
        lines=(("SKU-1", 501, "2"), ("SKU-2", 502, "1.5")),
    )

    response = agent_client.get(
        reverse("orders:caller_lines", args=[order.pk]),
        {"lines-TOTAL_FORMS": "3", "into": "2"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    # The first takes the blank row's place, the second comes after, then a new blank row.
    assert 'id="lines-2-row"' in html
    assert 'hx-swap-oob="true"' in html
    assert 'name="lines-2-product_id" value="501"' in html
    assert 'name="lines-3-product_id" value="502"' in html
    assert 'value="1.5"' in html
    assert 'id="lines-4-row"' in html
    assert 'name="lines-TOTAL_FORMS" id="id_lines-TOTAL_FORMS" value="5"' in html
    assert "2 lines of SO-1 added" in html


def test_repeating_lines_refuses_a_count_beyond_an_order(agent_client, agent, tenant):
    order = keyed_order(tenant=tenant, user=agent, reference="SO-1")

    response = agent_client.get(
        reverse("orders:caller_lines", args=[order.pk]), {"lines-TOTAL_FORMS": "999"}, **HTMX
    )

    assert response.status_code == 400


def test_recent_addresses_come_with_the_end_customer_picked(agent_client, agent, tenant):
    keyed_order(tenant=tenant, user=agent, reference="SO-1", customer_id=42)

    response = agent_client.get(
        reverse("orders:caller_addresses"), {"customer_id": "42", "account_id": "7"}, **HTMX
    )
    nothing = agent_client.get(reverse("orders:caller_addresses"), {"customer_id": "43"}, **HTMX)

    assert "Recent addresses of this end customer" in response.content.decode()
    assert "12 Park Road" in response.content.decode()
    assert "No earlier order of this end customer" in nothing.content.decode()
