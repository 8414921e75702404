"""The entry page's lookup boxes ask for suggestions as soon as typing stops."""

import re

from django.urls import reverse

from orders.models import Membership, Role

# Suggestions must show within 200 ms of the last key on loopback: the pause before asking is
# the largest part of that (bench/lookups --browser times the whole).
MOST_PAUSE_MS = 100


def test_every_lookup_box_asks_within_a_tenth_of_a_second_of_the_last_key(
    agent_client, agent, make_tenant
):
    Membership.objects.create(user=agent, tenant=make_tenant(), role=Role.AGENT)

    page = agent_client.get(reverse("orders:create")).content.decode()
    line = agent_client.get(
        reverse("orders:line_row"), {"lines-TOTAL_FORMS": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    for html in (page, line):
        boxes = re.findall(r'<input[^>]*class="[^"]*lookup-input[^"]*"[^>]*>', html)
        assert boxes
        for box in boxes:
            pauses = [int(ms) for ms in re.findall(r"input changed delay:(\d+)ms", box)]
            assert pauses, box
            assert max(pauses) <= MOST_PAUSE_MS
    assert page.count("lookup-input") >= 4
