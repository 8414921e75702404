"""The lookup endpoints behind the entry page, as htmx fragments and as plain pages, and an order
keyed by names and codes, with what the agent saw kept beside the ids."""

import json
import re
import socket
import uuid
from html import unescape as html_unescape

import pytest
from django.urls import reverse

from orders.models import Membership, Order, Role
from orders.selectors import catalogue
from orders.selectors.catalogue import cache_key
from sandbox import catalogue as sandbox_catalogue
from sandbox.models import SandboxGoodsOut
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
ACME = {"subdomain__slug": "acme"}


def row(model, **lookups):
    return model._default_manager.get(**ACME, **lookups)


def found(pattern: str, html: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match is not None, pattern
    return match[match.lastindex or 0]


@pytest.fixture
def tenant(catalogue_tenant, agent):
    Membership.objects.create(user=agent, tenant=catalogue_tenant, role=Role.AGENT)
    return catalogue_tenant


@pytest.fixture
def down(make_tenant, agent):
    """The agent's tenant, with a Clarus nothing listens for."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tenant = make_tenant(
        api_base_url=f"http://127.0.0.1:{port}", token_url=f"http://127.0.0.1:{port}/oauth/token"
    )
    Membership.objects.create(user=agent, tenant=tenant, role=Role.AGENT)
    return tenant


SEARCHES = [
    ("orders:lookup_accounts", {"account": "acme"}, "ACME", "Acme Homeware Ltd"),
    ("orders:lookup_customers", {"customer": "harbour caf"}, "CUST-0001", "Harbour Cafe Ltd"),
    ("orders:lookup_carriers", {"carrier": "dpd"}, "DPD", "DPD UK"),
]


@pytest.mark.parametrize(("name", "params", "code", "words"), SEARCHES)
def test_search_fragment(agent_client, tenant, name, params, code, words):
    response = agent_client.get(reverse(name), params, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'role="listbox"' in html
    assert f'data-code="{code}"' in html
    assert words in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(("name", "params", "code", "words"), SEARCHES)
def test_search_as_a_full_page_shows_the_ids(agent_client, tenant, name, params, code, words):
    response = agent_client.get(reverse(name), {"q": next(iter(params.values()))})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert 'name="q"' in html
    assert words in html
    assert re.search(r"id \d+", html)
    assert "refresh=1" in html


def test_product_fragment_shows_code_description_and_stock(agent_client, tenant):
    product = row(sandbox_catalogue.Product, code="MUG-BLK-0010")
    balance = sandbox_catalogue.StockBalance.objects.filter(product=product).order_by("pk")[0]

    response = agent_client.get(
        reverse("orders:lookup_products"),
        {
            "lines-2-product": "mug-blk-0010",
            "account_id": balance.account_id,
            "warehouse_id": balance.warehouse_id,
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="lines-2-product-options"' in html
    assert 'id="lines-2-product-option-0"' in html
    assert 'data-code="MUG-BLK-0010"' in html
    assert 'data-exact="true"' in html
    assert "Black stoneware mug 250ml" in html
    available = f"{balance.available:g}"
    assert f'data-available="{balance.available}"' in html
    assert (f"{available} available" in html) or ("none available" in html)


def test_product_full_page(agent_client, tenant):
    response = agent_client.get(reverse("orders:lookup_products"), {"q": "black mug"})

    html = response.content.decode()
    assert "<html" in html
    assert "Black stoneware mug 250ml" in html
    assert "Black enamel mug 350ml" in html
    assert 'name="account_id"' in html
    assert "Stock in all warehouses" in html


def test_digits_that_name_no_product_are_offered_as_the_id(agent_client, tenant):
    response = agent_client.get(
        reverse("orders:lookup_products"), {"lines-0-product": "99999"}, **HTMX
    )

    html = response.content.decode()
    assert 'data-typed-id="99999"' in html
    assert "Enter sends 99999 as the product's Clarus id" in html


def test_warehouses_fragment_narrows_to_the_account(agent_client, tenant):
    acme = row(sandbox_catalogue.Account, code="ACME")
    theirs = sorted(
        link.warehouse.code
        for link in sandbox_catalogue.AccountWarehouse.objects.filter(account=acme)
    )
    chosen = row(sandbox_catalogue.Warehouse, code=theirs[0])

    response = agent_client.get(
        reverse("orders:lookup_warehouses"),
        {"account_id": acme.pk, "warehouse_id": chosen.pk},
        **HTMX,
    )

    html = response.content.decode()
    assert '<select name="warehouse_id" id="id_warehouse_id"' in html
    assert re.findall(r'data-code="(WH\d)"', html) == theirs
    assert f'<option value="{chosen.pk}" data-code="{chosen.code}"' in html
    assert " selected>" in html
    assert "Clarus chooses" in html
    label = json.loads(html_unescape(found(r'name="warehouse_label" [^>]*value="([^"]*)"', html)))
    assert label == {"code": chosen.code, "name": chosen.name}


def test_warehouses_full_page(agent_client, tenant):
    response = agent_client.get(reverse("orders:lookup_warehouses"))

    html = response.content.decode()
    assert "<html" in html
    assert "Manchester DC" in html
    assert "Daventry Hub" in html


def test_carrier_services_fragment_lists_active_services(agent_client, tenant):
    dpd = row(sandbox_catalogue.Carrier, code="DPD")

    response = agent_client.get(
        reverse("orders:lookup_carrier_services"), {"carrier_id": dpd.pk}, **HTMX
    )

    html = response.content.decode()
    assert re.findall(r'data-code="(\w+)"', html) == ["DPDNEXT", "DPD48"]
    assert "Saturday" not in html


def test_carrier_services_without_a_carrier_keep_the_id_box(agent_client, tenant):
    fragment = agent_client.get(reverse("orders:lookup_carrier_services"), **HTMX)
    page = agent_client.get(reverse("orders:lookup_carrier_services"))

    assert 'name="carrier_service_id"' in fragment.content.decode()
    assert "<select" not in fragment.content.decode()
    assert "Choose the carrier first" in fragment.content.decode()
    assert "Choose the carrier first" in page.content.decode()


def test_order_types_fragment_and_page(agent_client, tenant):
    fragment = agent_client.get(reverse("orders:lookup_order_types"), **HTMX).content.decode()
    page = agent_client.get(reverse("orders:lookup_order_types")).content.decode()

    assert "HO-1 · Home Order" in fragment
    assert "<html" not in fragment
    assert "<html" in page
    assert "Home Order" in page


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("orders:lookup_accounts", {"account": "acme"}),
        ("orders:lookup_products", {"lines-0-product": "MUG"}),
        ("orders:lookup_warehouses", {"warehouse_id": "12"}),
        ("orders:lookup_order_types", {}),
    ],
)
def test_clarus_down_is_said_next_to_the_field(agent_client, down, name, params):
    response = agent_client.get(reverse(name), params, **HTMX)

    html = response.content.decode()
    # 200, so htmx swaps it in beside the field.
    assert response.status_code == 200
    assert "Clarus is not answering." in html
    assert "Clarus id instead" in html


def test_clarus_down_keeps_the_id_box_with_what_was_typed(agent_client, down):
    response = agent_client.get(reverse("orders:lookup_warehouses"), {"warehouse_id": "12"}, **HTMX)

    html = response.content.decode()
    assert "<select" not in html
    assert 'name="warehouse_id" id="id_warehouse_id" value="12"' in html


def test_clarus_down_as_a_full_page(agent_client, down):
    response = agent_client.get(reverse("orders:lookup_accounts"), {"q": "acme"})

    assert response.status_code == 200
    assert "Clarus is not answering." in response.content.decode()


def test_lookups_for_a_tenant_the_user_does_not_key_for_are_refused(
    agent_client, tenant, make_tenant
):
    other = make_tenant(subdomain="other", name="Other")

    response = agent_client.get(
        reverse("orders:lookup_accounts"), {"account": "acme", "tenant": other.pk}, **HTMX
    )

    assert response.status_code == 403


def test_refresh_lists_fragment_and_page(agent_client, tenant):
    fragment = agent_client.post(reverse("orders:lookup_refresh"), **HTMX)
    page = agent_client.post(reverse("orders:lookup_refresh"))

    assert fragment.status_code == 200
    assert fragment["HX-Trigger"] == "lookups-refreshed"
    assert "Lists refreshed from Clarus" in fragment.content.decode()
    assert page.status_code == 302
    assert page["Location"] == reverse("orders:create")


def test_the_entry_page_asks_without_storming(agent_client, tenant):
    html = agent_client.get(reverse("orders:create")).content.decode()

    account = found(r'<input[^>]*name="account"[^>]*>', html)
    product = found(r'<input[^>]*name="lines-0-product"[^>]*>', html)
    for box in (account, product):
        assert 'hx-trigger="input changed delay:80ms, lookup-now"' in box
        assert 'hx-sync="this:replace"' in box
        assert 'role="combobox"' in box
    assert 'hx-include="#id_tenant, #id_account_id, #id_warehouse_id"' in product
    assert 'name="account_id"' in html
    assert "orders/lookups.js" in html
    assert 'id="refresh-lists"' in html
    # The lists Clarus fills arrive after the page, which never waits for Clarus.
    assert 'hx-trigger="load, lookups-refreshed from:body, change from:#id_account_id"' in html


def test_entry_page_refresh_param_asks_clarus_afresh(agent_client, tenant):
    catalogue.order_type_list(tenant=tenant)
    before = cache_key(tenant, "order-types", {})
    agent_client.get(reverse("orders:create"), {"refresh": "1"})
    tenant.refresh_from_db()

    assert cache_key(tenant, "order-types", {}) != before


def picked(choice_code, choice_name):
    return json.dumps({"code": choice_code, "name": choice_name})


@pytest.mark.postgres
def test_an_order_keyed_by_names_keeps_what_the_agent_saw(agent_client, tenant):
    acme = row(sandbox_catalogue.Account, code="ACME")
    dpd = row(sandbox_catalogue.Carrier, code="DPD")
    next_day = row(sandbox_catalogue.CarrierService, code="DPDNEXT")
    mug = row(sandbox_catalogue.Product, code="MUG-BLK-0010")
    typed = sandbox_catalogue.Product.objects.exclude(pk=mug.pk).first()
    assert typed is not None
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), line_values=[(str(mug.pk), "2"), (str(typed.pk), "1")]
    )
    data.update(
        {
            "account": "ACME · Acme Homeware Ltd",
            "account_id": str(acme.pk),
            "account_label": picked("ACME", "Acme Homeware Ltd"),
            "carrier": "DPD · DPD UK",
            "carrier_id": str(dpd.pk),
            "carrier_label": picked("DPD", "DPD UK"),
            "carrier_service_id": str(next_day.pk),
            "carrier_service_label": picked("DPDNEXT", "Next day"),
            "lines-0-product": "MUG-BLK-0010",
            "lines-0-description": "Black stoneware mug 250ml",
            "lines-0-available": "12",
            # The second line: a Clarus id typed by hand.
            "lines-1-product": str(typed.pk),
            "lines-1-product_id": "",
        }
    )

    response = agent_client.post(reverse("orders:create"), data)

    assert response.status_code == 302, response.content.decode()
    order = Order.objects.get()
    sent = SandboxGoodsOut.objects.get().document["data"]["attributes"]
    assert (sent["account_id"], sent["carrier_id"], sent["carrier_service_id"]) == (
        acme.pk,
        dpd.pk,
        next_day.pk,
    )
    assert [line["attributes"]["product_id"] for line in sent["lines_changes"]] == [
        mug.pk,
        typed.pk,
    ]
    assert order.labels == {
        "account_id": {"code": "ACME", "name": "Acme Homeware Ltd"},
        "carrier_id": {"code": "DPD", "name": "DPD UK"},
        "carrier_service_id": {"code": "DPDNEXT", "name": "Next day"},
    }
    assert [(line.product_code, line.description) for line in order.lines.all()] == [
        ("MUG-BLK-0010", "Black stoneware mug 250ml"),
        ("", ""),
    ]
    page = agent_client.get(order.get_absolute_url()).content.decode()
    assert f"{acme.pk} (ACME · Acme Homeware Ltd)" in page
    assert f"{next_day.pk} (DPDNEXT · Next day)" in page
    assert "MUG-BLK-0010" in page
    assert "Black stoneware mug 250ml" in page


def test_digits_typed_for_the_account_are_its_id(agent_client, tenant):
    mug = row(sandbox_catalogue.Product, code="MUG-BLK-0010")
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), [(str(mug.pk), "1")], account_id="", account="7"
    )

    response = agent_client.post(reverse("orders:create"), data)

    assert response.status_code == 302
    assert Order.objects.get().account_id == 7
    assert Order.objects.get().labels == {}


def test_a_name_typed_but_not_picked_is_refused_with_its_words(agent_client, tenant):
    data = order_post_data(
        tenant.pk,
        str(uuid.uuid4()),
        account_id="",
        account="Acme",
        line_values=[("", "2")],
    )
    data["lines-0-product"] = "blue mug"

    html = agent_client.post(reverse("orders:create"), data).content.decode()

    assert "“Acme” is not picked: choose the account from the suggestions" in html
    assert "“blue mug” is not picked: choose the product from the suggestions" in html
    assert 'value="Acme"' in html
    assert 'value="blue mug"' in html
    assert Order.objects.count() == 0


def test_a_quantity_over_the_stock_seen_warns_but_does_not_block(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), reference="", line_values=[("101", "50")])
    data.update({"lines-0-product": "MUG-BLK-0010", "lines-0-available": "12"})

    html = agent_client.post(reverse("orders:create"), data).content.decode()

    assert "12 available" in html
    assert "More than is available: it can still be sent." in html


@pytest.mark.parametrize("typed", ["mug-blk-0010 x4", "4 x MUG-BLK-0010", "MUG-BLK-0010 4"])
def test_a_product_box_that_says_its_quantity_is_looked_up_by_its_code(agent_client, tenant, typed):
    response = agent_client.get(
        reverse("orders:lookup_products"), {"lines-0-product": typed}, **HTMX
    )

    html = response.content.decode()
    assert 'data-code="MUG-BLK-0010"' in html
    assert 'data-exact="true"' in html
    assert f'data-for="{typed}"' in html
    assert 'data-quantity="4"' in html
