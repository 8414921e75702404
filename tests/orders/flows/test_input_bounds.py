"""Odd input at each of the desk's doors: a "²" (``str.isdigit()`` holds, ``int()`` refuses it),
more digits than a column holds, NUL (PostgreSQL cannot store it), NaN and Infinity in JSON, a
crafted history cursor, and bodies larger than the desk takes. Each is refused with a clear
answer, or cleaned, and never a 500 or half an order.

The property tests in test_input_properties.py throw arbitrary input at the same doors.
"""

import base64
import json
import socket
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from orders.clarus.errors import source_target
from orders.forms.entry import MAX_LINES
from orders.models import (
    Membership,
    Order,
    OrderStatus,
    OrderTransition,
    Role,
    SubmissionAttempt,
    WebhookDelivery,
)
from orders.selectors import catalogue
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}
CREATE = reverse("orders:create")
BIG = str(2**63)
WEBHOOK_HEADERS = {"X-ClarusWMS-Subdomain": "acme", "X-ClarusWMS-Automation-ID": "7"}


@pytest.fixture
def tenant(make_tenant, agent):
    """The agent's tenant, with a Clarus nothing listens for: a valid order is kept, unsent."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    tenant = make_tenant(
        api_base_url=f"http://127.0.0.1:{port}", token_url=f"http://127.0.0.1:{port}/oauth/token"
    )
    Membership.objects.create(user=agent, tenant=tenant, role=Role.SUPERVISOR)
    return tenant


@pytest.fixture
def answering(agent_client):
    """The agent's client, answering a view's exception as a browser would see it (a 500)."""
    agent_client.raise_request_exception = False
    return agent_client


def rows() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        SubmissionAttempt.objects.count(),
        OrderTransition.objects.count(),
        WebhookDelivery.objects.count(),
    )


def entry(tenant, **fields):
    """Return the entry form's POST data: a valid order, typed by name, with ``fields`` changed."""
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("", "2")])
    data.pop("account_id")
    data.update({"account": "7", "lines-0-product": "101"})
    data.update(fields)
    return data


# --- The entry form -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("field", "value", "error_near", "message"),
    [
        ("account", "²", "account-lookup", "is not picked: choose the account"),
        ("account", "1" * 25, "account-lookup", "is not picked: choose the account"),
        ("account_id", BIG, "account-lookup", "No Clarus id is that large"),
        ("carrier_id", BIG, "carrier-lookup", "No Clarus id is that large"),
        ("warehouse_id", BIG, "id_warehouse_id-error", "No Clarus id is that large"),
        ("lines-0-product", "²", "lines-0-lookup", "is not picked: choose the product"),
        ("lines-0-product", "9" * 25, "lines-0-lookup", "is not picked: choose the product"),
        ("lines-0-product_id", BIG, "lines-0-lookup", "No Clarus id is that large"),
    ],
)
def test_ids_that_are_not_ascii_digits_or_too_large_are_refused_beside_the_field(
    answering, tenant, field, value, error_near, message
):
    before = rows()

    response = answering.post(CREATE, entry(tenant, **{field: value}))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    # The message sits beside the field, and what was typed is still there.
    assert html.index(error_near) < html.index(message)
    assert f'value="{value}"' in html
    assert rows() == before


@pytest.mark.postgres
def test_a_nul_in_a_picked_label_is_dropped_and_the_order_kept(answering, tenant):
    label = json.dumps({"code": "AC\u0000ME", "name": "Acme\u0000 Ltd"})

    response = answering.post(CREATE, entry(tenant, account_id="7", account_label=label))

    assert response.status_code == 302
    assert Order.objects.get().labels == {"account_id": {"code": "ACME", "name": "Acme Ltd"}}


@pytest.mark.parametrize(
    "label",
    ['{"code": NaN}', "[" * 50_000 + "]" * 50_000, '{"code": {"code": {"code": 1}}}'],
)
def test_a_label_that_is_not_plain_json_is_left_out(answering, tenant, label):
    response = answering.post(CREATE, entry(tenant, account_id="7", account_label=label))

    assert response.status_code == 302
    assert Order.objects.get().labels == {}


@pytest.mark.parametrize("available", ["NaN", "sNaN", "-Infinity", "1e999999999"])
def test_stock_seen_that_is_no_number_is_no_stock(answering, tenant, available):
    data = entry(tenant, **{"lines-0-available": available, "reference": ""})

    response = answering.post(CREATE, data)

    assert response.status_code == 200
    assert "More than is available" not in response.content.decode()


def test_a_damaged_form_token_is_said_in_words(answering, tenant):
    response = answering.post(CREATE, entry(tenant, form_token="not-a-token"))

    assert response.status_code == 200
    assert "This page is damaged or out of date" in response.content.decode()
    assert not Order.objects.exists()


def test_a_long_note_keeps_the_typing_and_says_how_long_it_may_be(answering, tenant):
    note = "Ring the bell twice. " * 60

    response = answering.post(CREATE, entry(tenant, delivery_notes=note))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index('id="id_delivery_notes"') < html.index("Up to 1000 characters: this has")
    assert note.strip() in html
    assert not Order.objects.exists()


# --- Query parameters: lookups, a line row, pasted lines ----------------------------------


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("orders:lookup_products", {"q": "mug", "account_id": "²"}),
        ("orders:lookup_products", {"q": "²"}),
        ("orders:lookup_products", {"lines-0-product": "1" * 25, "warehouse_id": BIG}),
        ("orders:lookup_warehouses", {"account_id": "²"}),
        ("orders:lookup_carrier_services", {"carrier_id": "²"}),
        ("orders:lookup_order_types", {"order_type_id": BIG}),
        ("orders:lookup_accounts", {"q": "a\u0000b"}),
    ],
)
def test_lookups_take_ascii_ids_only(answering, tenant, name, params):
    for headers in ({}, HTMX):
        response = answering.get(reverse(name), params, **headers)

        assert response.status_code == 200


@pytest.mark.parametrize("count", ["²", "1" * 25, "-1", BIG, ""])
def test_a_line_row_needs_an_ascii_line_count(answering, tenant, count):
    response = answering.get(reverse("orders:line_row"), {"lines-TOTAL_FORMS": count}, **HTMX)

    assert response.status_code == 400
    assert f"at most {MAX_LINES} lines" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"lines-TOTAL_FORMS": "²"}, 400),
        ({"lines-TOTAL_FORMS": "1", "into": "²"}, 200),
        ({"lines-TOTAL_FORMS": "1", "account_id": "²", "warehouse_id": BIG}, 200),
        ({"lines-TOTAL_FORMS": "1", "text": "MUG\u0000-1\t²"}, 200),
    ],
)
def test_pasted_lines_take_ascii_numbers_only(answering, tenant, params, status):
    data = {"text": "MUG-BLK-0010\t2", **params}

    response = answering.post(reverse("orders:paste_lines"), data, **HTMX)

    assert response.status_code == status


# --- What Clarus answers ---------------------------------------------------------------------


def test_a_product_search_for_a_unicode_digit_asks_clarus_for_no_id(catalogue_tenant):
    found = catalogue.product_search(tenant=catalogue_tenant, text="²")

    assert found.typed_id is None


@pytest.mark.parametrize(
    "source", ["lines_changes[²].product_id", f"lines_changes[{BIG}].product_id"]
)
def test_a_clarus_error_naming_no_line_index_is_placed_nowhere(source):
    assert source_target(source) is None


# --- The order page ---------------------------------------------------------------------------


@pytest.mark.postgres
def test_a_nul_in_a_cancel_reason_is_dropped(agent, agent_client, sandbox_tenant):
    agent_client.raise_request_exception = False
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.SUPERVISOR)
    agent_client.post(CREATE, order_post_data(sandbox_tenant.pk, str(uuid.uuid4())))
    order = Order.objects.get(status=OrderStatus.SENT)

    response = agent_client.post(
        reverse("orders:cancel", args=[order.pk]), {"reason": "Caller\u0000 changed their mind"}
    )

    order.refresh_from_db()
    cancelled = order.transitions.last()
    assert response.status_code == 302
    assert order.status == OrderStatus.CANCELLED
    assert cancelled is not None
    assert cancelled.reason.endswith("Caller changed their mind")


# --- The history ----------------------------------------------------------------------------


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def keyed(answering, tenant):
    """One order of the agent's, kept unsent."""
    assert answering.post(CREATE, entry(tenant)).status_code == 302
    return Order.objects.get()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "after",
    [
        cursor("9999-12-31T23:59:59-05:00|1"),
        cursor("0001-01-01T00:00:00+05:00|1"),
        cursor("2020-01-01T00:00:00|1"),
        cursor(f"2020-01-01T00:00:00+00:00|{'9' * 30}"),
        cursor("2020-01-01T00:00:00+00:00|²"),
        "not-a-cursor",
        "x" * 10_000,
    ],
)
def test_a_crafted_history_cursor_shows_the_first_page_and_says_so(answering, keyed, after):
    response = answering.get(reverse("orders:list"), {"after": after})

    html = response.content.decode()
    assert response.status_code == 200
    assert keyed.reference in html
    assert "That link to older orders is damaged or out of date" in html


def test_a_cursor_the_desk_made_still_pages(answering, keyed):
    made = cursor(f"{keyed.created_at.isoformat()}|{keyed.pk + 1}")

    html = answering.get(reverse("orders:list"), {"after": made}).content.decode()

    assert keyed.reference in html
    assert "damaged or out of date" not in html


# --- Webhooks -------------------------------------------------------------------------------


def webhook(client: Client, tenant, body: str | bytes):
    client.raise_request_exception = False
    url = reverse("clarus_webhook", kwargs={"subdomain": "acme", "secret": tenant.webhook_secret})
    return client.post(url, body, content_type="application/json", headers=WEBHOOK_HEADERS)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"data": {"id": NaN}}', "NaN is not a JSON number"),
        ('{"data": {"id": Infinity}}', "Infinity is not a JSON number"),
        ('{"data": {"id": 41, "x": -Infinity}}', "-Infinity is not a JSON number"),
        ('{"data": {"id": 1e400}}', "too large"),
        (f'{{"data": {{"id": {2**63}}}}}', "id is not an id"),
        ('{"data": {"id": "²"}}', "id is not an id"),
        ('{"data": {"id": 41.5}}', "id is not an id"),
        ('{"data": {"id": 41, "goods_out_status_id": Infinity}}', "not a JSON number"),
        ('{"data": {"id": 41, "goods_out_status_id": 1e300}}', "goods_out_status_id is not"),
        (
            '{"data": {"id": 41, "updated_at": "9999-12-31T23:59:59-14:00"}}',
            "updated_at is outside the calendar",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"a":' * 40 + "1" + "}" * 40, "nested too deeply"),
        (b'{"data": {"reference": "\xff"}}', "not JSON"),
    ],
)
def test_a_bad_webhook_body_is_refused_with_a_reason_and_nothing_kept(client, tenant, body, reason):
    response = webhook(client, tenant, body)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not WebhookDelivery.objects.exists()


@pytest.mark.postgres
def test_nul_in_a_webhook_body_is_dropped_and_the_delivery_kept(client, tenant):
    body = {"event": "upd\u0000ated", "data": {"id": 41, "reference": "SO\u0000-1", "n\u0000": 1}}

    response = webhook(client, tenant, json.dumps(body))

    delivery = WebhookDelivery.objects.get()
    assert response.status_code == 200
    assert delivery.event == "updated"
    assert delivery.body == {"event": "updated", "data": {"id": 41, "reference": "SO-1", "n": 1}}


@pytest.mark.postgres
def test_a_large_id_in_a_field_the_desk_does_not_read_is_kept(client, tenant):
    body = {"data": {"id": 41, "integer1": 10**30, "string1": "\ud800"}}

    response = webhook(client, tenant, json.dumps(body))

    assert response.status_code == 200
    assert WebhookDelivery.objects.get().body["data"]["integer1"] == 10**30


def test_a_webhook_body_over_a_megabyte_is_refused_unread(client, tenant):
    body = json.dumps({"data": {"id": 41, "notes": "x" * (1024 * 1024)}})

    response = webhook(client, tenant, body)

    assert response.status_code == 413
    assert "longer than 1048576 bytes" in response.json()["error"]
    assert not WebhookDelivery.objects.exists()


# --- Request bodies -------------------------------------------------------------------------


def full_entry(tenant, *, character: str) -> dict[str, str]:
    """Return the largest entry form an agent can send: 200 lines, every box full."""
    data = entry(tenant, **{"lines-TOTAL_FORMS": str(MAX_LINES), "reference": ""})
    for name, size in (
        ("delivery_notes", 1000),
        ("order_notes", 1000),
        ("pick_notes", 1000),
        ("packing_notes", 255),
        ("load_reference", 100),
        ("pick_reference", 100),
        ("external_system_reference1", 100),
        ("external_system_reference2", 100),
        ("external_system_reference3", 100),
        ("delivery_name", 80),
        ("delivery_address_1", 80),
        ("delivery_address_2", 80),
        ("delivery_town", 80),
        ("delivery_county", 80),
        ("delivery_address_5", 80),
        ("account", 200),
        ("customer", 200),
        ("carrier", 200),
    ):
        data[name] = character * size
    for label in ("account", "customer", "carrier", "warehouse", "carrier_service", "order_type"):
        data[f"{label}_label"] = json.dumps({"code": character * 200, "name": character * 200})
    for index in range(MAX_LINES):
        data.update(
            {
                f"lines-{index}-product": character * 100,
                f"lines-{index}-product_id": str(2**63 - 1),
                f"lines-{index}-description": character * 255,
                f"lines-{index}-available": "123456789.123",
                f"lines-{index}-quantity": "123456789.123",
                f"lines-{index}-DELETE": "",
            }
        )
    return data


@pytest.mark.parametrize("character", ["x", "😀"])
def test_the_largest_order_an_agent_can_key_is_taken(answering, tenant, character):
    data = full_entry(tenant, character=character)

    response = answering.post(CREATE, data)

    # The view read it all: the form comes back with its 200 lines and the missing reference.
    html = response.content.decode()
    assert response.status_code == 200
    assert f'name="lines-{MAX_LINES - 1}-product"' in html
    assert "Type the order reference" in html


def test_a_body_larger_than_the_desk_takes_is_refused_in_words(answering, tenant):
    before = rows()
    data = entry(tenant, order_notes="n" * 2_600_000)

    page = answering.post(CREATE, data)
    fragment = answering.post(CREATE, data, **HTMX)

    assert page.status_code == 413
    assert "more than the desk takes at once (over 1 MB)" in page.content.decode()
    assert "<html" in page.content.decode()
    assert fragment.status_code == 413
    assert fragment["Content-Type"].startswith("text/plain")
    assert fragment.content.decode().startswith("This is more than the desk takes at once")
    assert rows() == before


def test_more_fields_than_any_order_has_are_refused_in_words(answering, tenant):
    data = entry(tenant, **{f"extra-{n}": "1" for n in range(2500)})

    response = answering.post(CREATE, data)

    assert response.status_code == 400
    assert "more boxes than any order can" in response.content.decode()
    assert not Order.objects.exists()
