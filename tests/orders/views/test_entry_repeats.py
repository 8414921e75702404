"""The entry page says beside a line when its product is on another line too, tied to the
product box, and still says it when the page comes back refused for another reason."""

import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.forms.entry import OrderForm
from orders.models import Membership, Order, OrderStatus, Role
from sandbox.models import SandboxGoodsOut
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
CREATE = reverse("orders:create")
REPEATED = "Already on line {line}: check the caller wants both (it can still be sent)."


def product_box(html: str, index: int) -> str:
    match = re.search(rf'<input[^>]*id="id_lines-{index}-product"[^>]*>', html, re.S)
    assert match, index
    return match[0]


def described_by(box: str) -> list[str]:
    match = re.search(r'aria-describedby="([^"]*)"', box)
    return match[1].split() if match else []


def warning(html: str, index: int) -> str:
    match = re.search(rf'<p class="line-repeat" id="lines-{index}-repeat"[^>]*>([^<]*)</p>', html)
    return match[1] if match else ""


def test_a_refused_send_still_says_the_product_is_on_another_line(agent_client, tenant):
    data = order_post_data(
        tenant.pk, str(uuid.uuid4()), [("101", "2"), ("102", "1"), ("101", "1")], reference=""
    )

    response = agent_client.post(CREATE, data, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reference-error"' in html
    assert warning(html, 0) == REPEATED.format(line=3)
    assert warning(html, 1) == ""
    assert warning(html, 2) == REPEATED.format(line=1)
    # Tied to its box, as a help or an error is, and never an error itself.
    assert described_by(product_box(html, 0)) == ["lines-0-repeat"]
    assert described_by(product_box(html, 1)) == []
    assert described_by(product_box(html, 2)) == ["lines-2-repeat"]
    assert 'aria-invalid="true"' not in product_box(html, 2)
    assert Order.objects.count() == 0


def test_the_warning_stands_beside_a_lines_own_error(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("101", "2"), ("101", "0")])

    html = agent_client.post(CREATE, data).content.decode()

    assert 'id="id_lines-1-quantity-error"' in html
    assert warning(html, 1) == REPEATED.format(line=1)
    assert described_by(product_box(html, 1)) == ["lines-1-repeat"]


def test_a_product_box_in_error_is_tied_to_its_error_and_its_warning(agent_client, tenant):
    data = order_post_data(
        tenant.pk,
        str(uuid.uuid4()),
        [("101", "2"), ("101", "1")],
        reference="",
        **{"lines-1-product": "x" * 101},
    )

    html = agent_client.post(CREATE, data).content.decode()

    box = product_box(html, 1)
    assert 'aria-invalid="true"' in box
    assert described_by(box) == ["id_lines-1-product-error", "lines-1-repeat"]
    assert warning(html, 1) == REPEATED.format(line=1)


def test_the_page_as_opened_warns_of_nothing(agent_client, tenant):
    html = agent_client.get(CREATE).content.decode()

    assert "line-repeat" not in html
    # The script says it in the desk's words, read from the page.
    assert f'data-repeated="{REPEATED}"' in html


def test_a_refused_send_with_repeats_costs_no_more_queries(agent_client, tenant):
    once = order_post_data(tenant.pk, str(uuid.uuid4()), [("101", "2"), ("102", "1")], reference="")
    twice = order_post_data(
        tenant.pk, str(uuid.uuid4()), [("101", "2"), ("101", "1")], reference=""
    )
    agent_client.post(CREATE, once, **HTMX)
    with CaptureQueriesContext(connection) as without:
        agent_client.post(CREATE, once, **HTMX)
    with CaptureQueriesContext(connection) as repeated:
        html = agent_client.post(CREATE, twice, **HTMX).content.decode()

    assert warning(html, 1) == REPEATED.format(line=1)
    assert len(repeated) == len(without)


@pytest.fixture
def live_tenant(sandbox_tenant, agent):
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    return sandbox_tenant


@pytest.mark.django_db(transaction=True)
def test_an_order_with_a_product_on_two_lines_is_sent_as_keyed_and_copied_with_the_warning(
    agent_client, live_tenant
):
    data = order_post_data(live_tenant.pk, str(uuid.uuid4()), [("101", "2"), ("101", "3")])

    response = agent_client.post(CREATE, data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert order.status == OrderStatus.SENT
    sent = SandboxGoodsOut.objects.get(reference=order.reference).document
    assert len(sent["data"]["attributes"]["lines_changes"]) == 2
    copied = agent_client.get(reverse("orders:copy", args=[order.pk])).content.decode()
    assert warning(copied, 0) == REPEATED.format(line=2)
    assert warning(copied, 1) == REPEATED.format(line=1)


@pytest.mark.django_db(transaction=True)
def test_clarus_refusing_the_order_still_shows_the_warning(agent_client, live_tenant, monkeypatch):
    monkeypatch.setattr(OrderForm.base_fields["priority"], "validators", [])
    data = order_post_data(
        live_tenant.pk, str(uuid.uuid4()), [("101", "2"), ("101", "3")], priority="0"
    )

    html = agent_client.post(CREATE, data, **HTMX).content.decode()

    assert "Clarus rejected the order" in html
    assert warning(html, 0) == REPEATED.format(line=2)
    assert warning(html, 1) == REPEATED.format(line=1)
