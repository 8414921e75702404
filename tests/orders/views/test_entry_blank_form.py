"""The blank entry form written once per process and set of tenants (orders/views/entry.py)."""

import re

import pytest
from django.urls import reverse

from orders.forms.entry import opened_at
from orders.models import Membership, Order, Role
from orders.views import entry
from tests.orders.factories import order_post_data

CREATE = reverse("orders:create")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
OPENED = re.compile(r'name="opened" value="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_CSRF = re.compile(r'"x-csrftoken": "([^"]+)"')
# The page's scripts' nonce is the page's own (base.html); the form has none to keep.
NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def forget_blank_forms():
    entry._BLANK_FORMS.clear()
    yield
    entry._BLANK_FORMS.clear()


def _found(pattern: re.Pattern[str], html: str) -> str:
    match = pattern.search(html)
    assert match is not None, pattern.pattern
    return match[1]


def _form_of(html: str) -> str:
    return html[
        html.index('<form id="order-form"') : html.index("</form>", html.index("order-form"))
    ]


def _tokens_out(html: str) -> str:
    for pattern in (TOKEN, OPENED, CSRF, HEADER_CSRF, NONCE):
        html = pattern.sub(lambda m: m.group(0).replace(m.group(1), "TOKEN"), html)
    return html


def test_a_kept_blank_form_is_the_form_the_templates_write(agent_client, tenant):
    first = agent_client.get(CREATE).content.decode()
    second = agent_client.get(CREATE).content.decode()
    assert len(entry._BLANK_FORMS) == 1
    # Under htmx the form is written by the templates every time.
    written = agent_client.get(CREATE, HTTP_HX_REQUEST="true").content.decode()

    assert _tokens_out(first) == _tokens_out(second)
    assert _tokens_out(_form_of(second)) == _tokens_out(_form_of(written))
    assert "mark-" not in second
    assert "nonce" not in _form_of(second)


def test_not_kept_in_debug_mode(agent_client, tenant, settings):
    settings.DEBUG = True

    agent_client.get(CREATE)

    assert entry._BLANK_FORMS == {}


def test_every_page_has_its_own_tokens(agent_client, tenant):
    pages = [agent_client.get(CREATE).content.decode() for _ in range(3)]

    tokens = [_found(TOKEN, page) for page in pages]
    assert len(set(tokens)) == 3
    for page in pages:
        assert opened_at(_found(OPENED, page)) is not None
        assert _found(CSRF, _form_of(page)) != "TOKEN"


def test_an_order_keyed_on_a_kept_form_is_accepted(agent_client, tenant):
    """The form token and the CSRF token of the second page (from the kept form) work."""
    agent_client.get(CREATE)
    page = agent_client.get(CREATE).content.decode()
    agent_client.handler.enforce_csrf_checks = True
    data = order_post_data(tenant_id=tenant.pk, form_token=_found(TOKEN, page))
    data["opened"] = _found(OPENED, page)
    data["csrfmiddlewaretoken"] = _found(CSRF, _form_of(page))

    response = agent_client.post(CREATE, data)

    order = Order.objects.get()
    assert response.status_code == 302
    assert str(order.form_token) == data["form_token"]
    assert order.keying_started_at is not None


def test_a_renamed_tenant_or_a_new_membership_changes_the_form(
    agent_client, tenant, agent, make_tenant
):
    before = _form_of(agent_client.get(CREATE).content.decode())
    assert 'id="id_tenant"' in before
    assert "<select" not in before.split('id="id_tenant"')[0][-80:]

    other = make_tenant(name="Borealis Freight", subdomain="borealis")
    Membership.objects.create(user=agent, tenant=other, role=Role.AGENT)
    two = _form_of(agent_client.get(CREATE).content.decode())
    other.name = "Boreal Freight"
    other.save()
    renamed = _form_of(agent_client.get(CREATE).content.decode())

    assert "Borealis Freight" not in before
    assert '<select name="tenant"' in two
    assert "Borealis Freight" in two
    assert "Boreal Freight" in renamed
    assert "Borealis Freight" not in renamed
    other.name = ""
    other.save()
    unnamed = _form_of(agent_client.get(CREATE).content.decode())
    assert "Boreal Freight" not in unnamed
    assert ">borealis</option>" in unnamed


def test_a_removed_membership_loses_the_page_at_once(agent_client, tenant):
    assert agent_client.get(CREATE).status_code == 200

    Membership.objects.filter(tenant=tenant).delete()

    assert agent_client.get(CREATE).status_code == 403


LINE_ROW = reverse("orders:line_row")


def test_a_kept_line_row_is_the_row_the_templates_write(agent_client, tenant, settings):
    first = agent_client.get(f"{LINE_ROW}?lines-TOTAL_FORMS=3", HTTP_HX_REQUEST="true")
    kept = agent_client.get(f"{LINE_ROW}?lines-TOTAL_FORMS=3", HTTP_HX_REQUEST="true")
    other = agent_client.get(f"{LINE_ROW}?lines-TOTAL_FORMS=4", HTTP_HX_REQUEST="true")
    assert set(entry._LINE_ROWS) == {3, 4}
    settings.DEBUG = True  # written by the templates every time
    written = agent_client.get(f"{LINE_ROW}?lines-TOTAL_FORMS=3", HTTP_HX_REQUEST="true")

    assert kept.content == first.content == written.content
    assert kept["Content-Type"] == written["Content-Type"]
    assert 'id="id_lines-3-product"' in kept.content.decode()
    assert 'value="4" hx-swap-oob="true"' in kept.content.decode()
    assert 'id="id_lines-4-product"' in other.content.decode()


def test_the_line_row_still_asks_who_is_signed_in(agent_client, tenant):
    url = f"{LINE_ROW}?lines-TOTAL_FORMS=2"
    assert agent_client.get(url, HTTP_HX_REQUEST="true").status_code == 200

    Membership.objects.filter(tenant=tenant).delete()

    assert agent_client.get(url, HTTP_HX_REQUEST="true").status_code == 403
