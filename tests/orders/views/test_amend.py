"""The amend page over the sandbox: filled as Clarus holds the order, previewed line by line,
sent, refused in the form's words with the agent's edits kept."""

import re
import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from orders.models import AmendmentStatus, Membership, Order, OrderAmendment, OrderStatus, Role
from sandbox.amend import goods_out_status_set
from sandbox.models import SandboxGoodsOut
from tests.orders.factories import order_post_data
from tests.page_forms import hidden_and_visible

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent_order(client, sandbox_tenant):
    agent = User.objects.create_user("agent")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    client.force_login(agent)
    data = order_post_data(sandbox_tenant.pk, str(uuid.uuid4()), [("101", "4"), ("102", "1")])
    client.post(reverse("orders:create"), data)
    order = Order.objects.get()
    assert order.status == OrderStatus.SENT
    return order


def reviewed_digest(page):
    match = re.search(r'name="reviewed" value="([^"]+)"', page)
    assert match is not None, "no preview on the page"
    return match.group(1)


def amend_form(client, order):
    page = client.get(reverse("orders:amend", args=[order.pk]))
    assert page.status_code == 200
    return hidden_and_visible(page.content.decode())


def test_the_page_is_filled_as_clarus_holds_the_order(client, sent_order):
    SandboxGoodsOut.objects.get(pk=sent_order.clarus_id).lines.filter(product_id=102).update(
        order_quantity=3
    )

    data = amend_form(client, sent_order)

    assert data["lines-1-quantity"] == "3"
    assert data["lines-0-line_id"]
    assert data["delivery_postcode"] == "LS1 4AP"


def test_review_shows_the_change_then_send_applies_it(client, sent_order):
    data = amend_form(client, sent_order)
    data.update({"lines-0-quantity": "6", "lines-1-DELETE": "on", "order_notes": "Ring first"})
    url = reverse("orders:amend", args=[sent_order.pk])

    review = client.post(url, {**data, "review": "1"})

    page = review.content.decode()
    assert 'id="amend-preview"' in page
    assert "quantity 4 → 6" in page
    assert "− product 102" in page
    assert "Order notes: (empty) → “Ring first”" in page
    assert len(SandboxGoodsOut.objects.get(pk=sent_order.clarus_id).amendments) == 0
    reviewed = reviewed_digest(page)

    sent = client.post(url, {**data, "reviewed": reviewed, "send": "1"})

    assert sent.status_code == 302
    goods_out = SandboxGoodsOut.objects.get(pk=sent_order.clarus_id)
    assert [(line.product_id, line.order_quantity) for line in goods_out.lines.all()] == [
        (101, 6.0)
    ]
    detail = client.get(sent.url).content.decode()
    assert 'id="version-2"' in detail
    assert "quantity 4 → 6" in detail


def test_sending_a_change_other_than_the_one_reviewed_shows_it_again(client, sent_order):
    data = amend_form(client, sent_order)
    url = reverse("orders:amend", args=[sent_order.pk])
    data["lines-0-quantity"] = "6"
    page = client.post(url, {**data, "review": "1"}).content.decode()
    reviewed = reviewed_digest(page)
    data["lines-0-quantity"] = "7"

    again = client.post(url, {**data, "reviewed": reviewed, "send": "1"})

    assert again.status_code == 200
    assert "quantity 4 → 7" in again.content.decode()
    assert SandboxGoodsOut.objects.get(pk=sent_order.clarus_id).amendments == []


def test_a_refusal_is_shown_and_the_edits_stay(client, sent_order):
    data = amend_form(client, sent_order)
    url = reverse("orders:amend", args=[sent_order.pk])
    data["lines-0-quantity"] = "6"
    page = client.post(url, {**data, "review": "1"}).content.decode()
    reviewed = reviewed_digest(page)
    goods_out_status_set(goods_out_id=sent_order.clarus_id, code="PICK")

    refused = client.post(url, {**data, "reviewed": reviewed, "send": "1"})

    page = refused.content.decode()
    assert refused.status_code == 200
    assert 'id="amend-problem"' in page
    assert "can no longer be changed" in page
    assert 'value="6"' in page
    sent_order.refresh_from_db()
    assert [line.quantity for line in sent_order.lines.all()] == [4, 1]


def test_a_tampered_page_is_refused(client, sent_order):
    data = amend_form(client, sent_order)
    data["base"] = data["base"][:-3] + "xyz"

    response = client.post(reverse("orders:amend", args=[sent_order.pk]), {**data, "review": "1"})

    assert "out of date or damaged" in response.content.decode()


def test_a_line_id_not_of_the_order_is_refused(client, sent_order):
    data = amend_form(client, sent_order)
    data["lines-0-line_id"] = "999999"

    response = client.post(reverse("orders:amend", args=[sent_order.pk]), {**data, "review": "1"})

    assert "out of date or damaged" in response.content.decode()
    assert 'id="amend-preview"' not in response.content.decode()


def test_an_agent_cannot_amend_someone_else_s_order(client, sent_order):
    other = User.objects.create_user("other-agent")
    Membership.objects.create(user=other, tenant=sent_order.tenant, role=Role.AGENT)
    client.force_login(other)

    assert client.get(reverse("orders:amend", args=[sent_order.pk])).status_code == 404


def test_the_order_page_offers_amend_to_whoever_keyed_it(client, sent_order):
    page = client.get(sent_order.get_absolute_url()).content.decode()

    assert 'id="amend-order"' in page


def test_an_amendment_waiting_for_clarus_is_decided_before_another_is_keyed(client, sent_order):
    OrderAmendment.objects.create(
        order=sent_order,
        token=uuid.uuid4(),
        created_by=sent_order.created_by,
        status=AmendmentStatus.UNKNOWN,
        base_version="v",
        before={},
        after={},
        document={},
        note="Clarus did not answer within 2 s.",
    )

    page = client.get(reverse("orders:amend", args=[sent_order.pk])).content.decode()

    assert 'id="amend-form"' not in page
    assert 'id="check-amendment"' in page
    assert "Clarus did not answer within 2 s." in page


def autofocused(page: str) -> list[str]:
    """Return the ids of the page's boxes and buttons marked autofocus."""
    tags = re.findall(r"<(?:input|select|textarea|button)\b[^>]*>", page)
    ids = [re.search(r'\sid="([^"]+)"', tag) for tag in tags if " autofocus" in tag]
    return [found.group(1) if found else "(no id)" for found in ids]


@pytest.mark.parametrize(
    ("changed", "focused"),
    [
        ({"lines-1-quantity": "lots"}, "id_lines-1-quantity"),
        ({"lines-0-quantity": "0", "delivery_postcode": "not a postcode"}, "id_lines-0-quantity"),
        ({"delivery_postcode": "not a postcode"}, "id_delivery_postcode"),
        (
            {"expected_date_of_dispatch": "the 45th", "lines-0-quantity": "x"},
            "id_expected_date_of_dispatch",
        ),
    ],
)
def test_a_refused_review_opens_on_its_first_problem(client, sent_order, changed, focused):
    data = amend_form(client, sent_order)
    data.update(changed)

    refused = client.post(reverse("orders:amend", args=[sent_order.pk]), {**data, "review": "1"})

    page = refused.content.decode()
    assert 'id="amend-problem"' in page
    assert autofocused(page) == [focused]


def test_a_new_line_opens_on_itself_and_a_preview_on_its_send_button(client, sent_order):
    data = amend_form(client, sent_order)
    url = reverse("orders:amend", args=[sent_order.pk])

    longer = client.post(url, {**data, "add_line": "1"}).content.decode()
    data["lines-0-quantity"] = "6"
    preview = client.post(url, {**data, "review": "1"}).content.decode()

    assert autofocused(longer) == ["id_lines-2-product"]
    assert autofocused(preview) == ["send-amendment"]
