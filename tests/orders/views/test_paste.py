"""Pasting many order lines into the entry page: every code asked of the sandbox at once, over
real HTTP, and rows back for the page, numbered after its own."""

import re
import socket
from typing import Any

import pytest
from django.urls import reverse

from orders import clarus
from orders.clarus import catalogue as clarus_catalogue
from orders.forms.entry import MAX_LINES
from orders.models import Membership, Role
from sandbox import catalogue as sandbox_catalogue

HTMX = {"HTTP_HX_REQUEST": "true"}
ACME = {"subdomain__slug": "acme"}
URL = reverse("orders:paste_lines")


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


@pytest.fixture
def queries(monkeypatch):
    """Record every GraphQL query the catalogue sends to Clarus."""
    sent: list[str] = []
    real_query = clarus.query

    def spy(tenant, text, variables=None, **kwargs):
        sent.append(text)
        return real_query(tenant, text, variables, **kwargs)

    monkeypatch.setattr(clarus_catalogue, "query", spy)
    return sent


def acme_products() -> list[Any]:
    acme = sandbox_catalogue.Account._default_manager.get(**ACME, code="ACME")
    links = sandbox_catalogue.AccountProduct.objects.filter(account=acme).select_related("product")
    return sorted((link.product for link in links), key=lambda product: product.pk)


def paste(client, text, *, total=1, into="0", **extra):
    data = {"text": text, "lines-TOTAL_FORMS": str(total), "into": into, **extra}
    return client.post(URL, data, **HTMX)


def rows(html: str) -> dict[str, str]:
    """Return each row's HTML by its prefix ("lines-3")."""
    found = {}
    for part in re.split(r'(?=<div class="line-row)', html):
        prefix = re.match(r'<div class="line-row[^>]*id="(lines-\d+)-row"', part)
        if prefix is not None:
            found[prefix[1]] = part
    return found


def value(row_html: str, name: str) -> str:
    match = re.search(rf'name="lines-\d+-{name}"[^>]*value="([^"]*)"', row_html) or re.search(
        rf'value="([^"]*)"[^>]*name="lines-\d+-{name}"', row_html
    )
    return match[1] if match else ""


def test_pasted_lines_become_rows_with_products_stock_and_quantities(agent_client, tenant):
    sku, by_barcode = acme_products()[:2]

    response = paste(
        agent_client,
        f"SKU\tQty\n{sku.code}\t3\n{by_barcode.barcode}\t1\nNO-SUCH-SKU\t2\n",
        total=1,
        into="0",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    found = rows(html)
    # The first pasted line takes the blank row pasted into; the rest follow the page's rows,
    # then a blank line for the next product.
    assert list(found) == ["lines-0", "lines-1", "lines-2", "lines-3"]
    assert 'hx-swap-oob="true"' in found["lines-0"]
    assert 'hx-swap-oob="true"' not in found["lines-1"]
    assert value(found["lines-0"], "product") == sku.code
    assert value(found["lines-0"], "product_id") == str(sku.pk)
    assert value(found["lines-0"], "quantity") == "3"
    assert sku.description in found["lines-0"]
    assert "available" in found["lines-0"]
    # A barcode names its product; the box keeps what was pasted.
    assert value(found["lines-1"], "product") == by_barcode.barcode
    assert value(found["lines-1"], "product_id") == str(by_barcode.pk)
    assert by_barcode.description in found["lines-1"]
    # Not found: the code stays, no id, a message on the row, and the focus is there.
    assert value(found["lines-2"], "product") == "NO-SUCH-SKU"
    assert value(found["lines-2"], "product_id") == ""
    assert "Not found in Clarus: choose the product." in found["lines-2"]
    assert re.search(r'name="lines-2-product"[^>]*autofocus', found["lines-2"])
    assert value(found["lines-3"], "product") == ""
    assert "autofocus" not in found["lines-3"]
    assert 'id="id_lines-TOTAL_FORMS" value="4" hx-swap-oob="true"' in html
    assert "3 lines pasted; 1 needs a product." in html


def test_rows_are_numbered_after_the_pages_and_a_keyed_row_is_kept(agent_client, tenant):
    sku = acme_products()[0]

    html = paste(agent_client, f"{sku.code}\t1\n{sku.code.lower()}\t2", total=5, into="").content
    found = rows(html.decode())

    assert list(found) == ["lines-5", "lines-6", "lines-7"]
    assert "hx-swap-oob" not in found["lines-5"]
    # A SKU pasted in lower case names its product all the same.
    assert value(found["lines-6"], "product_id") == str(sku.pk)
    # Nothing needs the agent: the focus goes to the blank line for the next product.
    assert re.search(r'name="lines-7-product"[^>]*autofocus', found["lines-7"])
    assert "2 lines pasted." in html.decode()


def test_a_missing_quantity_takes_the_focus(agent_client, tenant):
    first, second = acme_products()[:2]

    html = paste(agent_client, f"{first.code}\t1\n{second.code}\n").content.decode()
    found = rows(html)

    assert value(found["lines-1"], "quantity") == ""
    assert re.search(r'name="lines-1-quantity"[^>]*autofocus', found["lines-1"])
    assert "2 lines pasted; 1 needs a quantity." in html


def test_stock_in_the_chosen_warehouse_and_the_over_stock_warning(agent_client, tenant):
    balance = (
        sandbox_catalogue.StockBalance.objects.filter(**ACME, available__gt=0)
        .select_related("product")
        .order_by("pk")[0]
    )
    too_many = int(balance.available) + 1

    html = paste(
        agent_client,
        f"{balance.product.code}\t{too_many}\n",
        account_id=str(balance.account_id),
        warehouse_id=str(balance.warehouse_id),
    ).content.decode()

    assert f"{balance.available:g} available" in html
    assert "More than is available: it can still be sent." in html


def test_only_the_accounts_products_are_found(agent_client, tenant):
    acme = sandbox_catalogue.Account._default_manager.get(**ACME, code="ACME")
    owned = {product.pk for product in acme_products()}
    other = sandbox_catalogue.Product._default_manager.filter(**ACME).exclude(pk__in=owned)[0]

    html = paste(agent_client, f"{other.code}\t1", account_id=str(acme.pk)).content.decode()

    assert "Not found in Clarus: choose the product." in html


def test_a_long_unknown_barcode_is_no_clarus_id(agent_client, tenant):
    html = paste(agent_client, "5099999999999\t1\n12345\t1").content.decode()
    found = rows(html)

    assert "Not found in Clarus: choose the product." in found["lines-0"]
    assert "it is sent as Clarus id 12345" in found["lines-1"]


def test_many_lines_cost_one_product_query_and_one_stock_query(agent_client, tenant, queries):
    products = acme_products()[:40]
    balance = sandbox_catalogue.StockBalance.objects.filter(product=products[0])[0]
    text = "\n".join(f"{product.code}\t{n + 1}" for n, product in enumerate(products))

    response = paste(
        agent_client,
        text + "\nUNKNOWN-1\t1",
        account_id=str(balance.account_id),
        warehouse_id=str(balance.warehouse_id),
    )

    assert response.status_code == 200
    assert len(queries) == 2
    assert "products" in queries[0]
    assert "stock_balances" in queries[1]
    assert "41 lines pasted; 1 needs a product." in response.content.decode()


def test_no_more_than_max_lines(agent_client, tenant):
    sku = acme_products()[0]
    text = "\n".join(f"{sku.code}\t1" for _ in range(10))

    html = paste(agent_client, text, total=MAX_LINES - 3, into="").content.decode()
    found = rows(html)

    assert list(found) == [f"lines-{MAX_LINES - 3 + n}" for n in range(3)]
    assert f'id="id_lines-TOTAL_FORMS" value="{MAX_LINES}"' in html
    assert f"3 lines pasted. 7 lines were left out: an order has at most {MAX_LINES} lines." in html


def test_a_full_order_takes_nothing(agent_client, tenant):
    response = paste(agent_client, "A\t1\nB\t2", total=MAX_LINES, into="")

    html = response.content.decode()
    assert rows(html) == {}
    assert "Nothing pasted" in html or "left out" in html


def test_a_forged_line_count_is_refused(agent_client, tenant):
    assert paste(agent_client, "A\t1\nB\t2", total=MAX_LINES + 1).status_code == 400
    assert paste(agent_client, "A\t1\nB\t2", total="x").status_code == 400


def test_clarus_down_keeps_every_pasted_code(agent_client, down):
    response = paste(agent_client, "MUG-BLK-0010\t2\nTEA-0001\t1")

    html = response.content.decode()
    # 200, so htmx swaps the rows in.
    assert response.status_code == 200
    found = rows(html)
    assert value(found["lines-0"], "product") == "MUG-BLK-0010"
    assert value(found["lines-1"], "product") == "TEA-0001"
    assert value(found["lines-1"], "quantity") == "1"
    assert "Clarus could not be asked" in found["lines-0"]
    assert "2 lines pasted, but Clarus could not be asked (Clarus is not answering.)" in html


def test_as_a_full_page_it_goes_back_to_the_entry_page(agent_client, tenant):
    response = agent_client.post(URL, {"text": "A\t1", "lines-TOTAL_FORMS": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:create")


def test_only_keying_roles_may_paste(client, catalogue_tenant, django_user_model):
    admin = django_user_model.objects.create_user("admin", password="x")
    Membership.objects.create(user=admin, tenant=catalogue_tenant, role=Role.TENANT_ADMIN)
    client.force_login(admin)

    assert client.post(URL, {"text": "A\t1", "lines-TOTAL_FORMS": "1"}, **HTMX).status_code == 403


def test_get_is_not_allowed(agent_client, tenant):
    assert agent_client.get(URL, **HTMX).status_code == 405


def test_the_entry_page_says_how_to_paste(agent_client, tenant):
    html = agent_client.get(reverse("orders:create")).content.decode()

    assert 'id="paste-lines"' in html
    assert f'hx-post="{URL}"' in html
    assert 'id="paste-status" role="status"' in html
    assert "paste them into a product box" in html
