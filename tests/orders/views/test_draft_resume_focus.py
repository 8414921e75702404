"""A resumed draft opens with the focus in a box, so the agent carries on typing (and Ctrl+Enter,
which the page takes only from inside the form, sends it)."""

import re
import uuid

from django.urls import reverse

from orders.models import Draft
from tests.orders.factories import order_post_data

HTMX = {"HTTP_HX_REQUEST": "true"}


def focused_ids(html: str) -> list[str]:
    """Return the ids of the boxes the page marks autofocus."""
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    return [re.findall(r'id="([^"]+)"', tag)[0] for tag in tags if re.search(r"\sautofocus\b", tag)]


def opened(agent_client, data) -> str:
    agent_client.post(reverse("orders:draft_save"), data, **HTMX)
    return agent_client.get(Draft.objects.get().get_absolute_url()).content.decode()


def test_a_draft_with_its_header_keyed_opens_on_the_blank_line_after_its_lines(
    agent_client, tenant
):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("501", "4"), ("", "")])

    assert focused_ids(opened(agent_client, data)) == ["id_lines-1-product"]


def test_a_draft_keyed_to_its_last_line_opens_on_that_line(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("501", "4"), ("502", "1")])

    assert focused_ids(opened(agent_client, data)) == ["id_lines-1-product"]


def test_a_draft_still_missing_its_reference_opens_there(agent_client, tenant):
    data = order_post_data(tenant.pk, str(uuid.uuid4()), [("501", "4"), ("", "")], reference="")

    assert focused_ids(opened(agent_client, data)) == ["id_reference"]
