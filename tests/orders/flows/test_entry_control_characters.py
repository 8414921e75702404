"""No control character typed or pasted into the entry form reaches the stored order or Clarus.

Arbitrary text (with C0 and C1 controls, DEL, bidi overrides and zero-width joiners mixed in)
goes into every text box of the entry form, which is posted to the real view and sent to the
Clarus sandbox over HTTP. What the sandbox received and what the desk kept hold no control
character (a box of notes keeps its line breaks and tabs) and no character that turns text
around, and every other character typed is kept, in its place: a control that parted words (a
tab pasted from a spreadsheet) is a space. Marked ``postgres``: PostgreSQL refuses NUL outright.
"""

import json
import unicodedata
import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from orders.models import Membership, Order, Role
from sandbox.models import SandboxGoodsOut
from tests.json_strings import json_strings
from tests.orders.factories import order_post_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TURNING = {chr(code) for code in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
LINE_SEPARATORS = ("\u2028", "\u2029")
NOTES_CONTROLS = {"\t", "\n", "\r"}

# Each one-line box, and where Clarus's document has it (address fields under "address").
ONE_LINE = {
    "delivery_name": ("address", "name"),
    "delivery_address_1": ("address", "address_1"),
    "delivery_address_2": ("address", "address_2"),
    "delivery_town": ("address", "address_3"),
    "delivery_county": ("address", "address_4"),
    "delivery_address_5": ("address", "address_5"),
    "delivery_phone": ("address", "phone_number"),
    "load_reference": ("header", "load_reference"),
    "pick_reference": ("header", "pick_reference"),
    "external_system_reference1": ("header", "external_system_reference1"),
    "external_system_reference2": ("header", "external_system_reference2"),
    "external_system_reference3": ("header", "external_system_reference3"),
}
NOTES = {
    "delivery_notes": ("header", "delivery_notes"),
    "order_notes": ("header", "order_notes"),
    "pick_notes": ("header", "pick_notes"),
    "packing_notes": ("header", "packing_notes"),
}

# Any character a browser can send, with controls, turning and joining characters made common.
CHARACTERS = st.one_of(
    st.characters(codec="utf-8"),
    st.characters(categories=["Cc"]),
    st.sampled_from([*sorted(TURNING), *LINE_SEPARATORS, "\u200d", "\u200b", "\ufeff", "\xa0"]),
)
TYPED = st.text(alphabet=CHARACTERS, max_size=40)


def is_unseen(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in TURNING or char in LINE_SEPARATORS


def as_kept(typed: str, *, keep: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """Return ``typed`` as the desk keeps it: controls out (those parting words a space, a line
    separator a line break where line breaks are kept)."""
    kept = "".join(
        char
        if char in keep or not is_unseen(char)
        else "\n"
        if char in LINE_SEPARATORS and "\n" in keep
        else " "
        if char.isspace()
        else ""
        for char in typed
    )
    return kept.strip()


def unseen_in(texts: list[str], *, allowed: set[str] = frozenset()) -> set[str]:  # type: ignore[assignment]
    return {char for text in texts for char in text if is_unseen(char) and char not in allowed}


@pytest.fixture
def keying(client, sandbox_tenant):
    agent = User.objects.create_user("keyer")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    client.force_login(agent)
    return client


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    one_line=st.fixed_dictionaries(dict.fromkeys(ONE_LINE, TYPED)),
    notes=st.fixed_dictionaries(dict.fromkeys(NOTES, TYPED)),
    product=TYPED,
    seen=st.fixed_dictionaries({"code": TYPED, "name": TYPED, "description": TYPED}),
)
@example(
    one_line={
        **dict.fromkeys(ONE_LINE, ""),
        "delivery_name": "\u202eLtd Cafe\u202c Harbour\x07",
        "delivery_address_1": "4\tKirkstall\x00 Road\x1b[0m",
        "delivery_town": "\x85Leeds\x9f",
        "delivery_county": "West\x0bYorkshire",
        "delivery_phone": "0113\x7f 496 0000",
    },
    notes={
        **dict.fromkeys(NOTES, ""),
        "delivery_notes": "Ring the bell\x07\r\nLeave\twith reception\x00",
    },
    product="MUG\x1d-BLK",
    seen={"code": "MUG\x00", "name": "Mug\x1b", "description": "Black\x9b mug"},
)
@example(
    # Joining characters are part of a name: an emoji family, a Hindi conjunct.
    one_line={
        **dict.fromkeys(ONE_LINE, ""),
        "delivery_name": "Priya \u0915\u094d\u200d\u0937 "
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    },
    notes=dict.fromkeys(NOTES, ""),
    product="",
    seen={"code": "", "name": "", "description": ""},
)
def test_no_control_character_reaches_the_stored_order_or_clarus(
    keying, sandbox_tenant, one_line, notes, product, seen
):
    reference = uuid.uuid4().hex[:12]
    data = order_post_data(
        sandbox_tenant.pk, str(uuid.uuid4()), [("101", "2")], reference=reference
    )
    data.update({**one_line, **notes})
    data.update(
        {
            "lines-0-product": product,
            "lines-0-description": seen["description"],
            "account_label": json.dumps({"code": seen["code"] or "ACME", "name": seen["name"]}),
        }
    )

    response = keying.post(reverse("orders:create"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get(reference=reference)
    received = SandboxGoodsOut.objects.get(reference=reference).document
    attributes = received["data"]["attributes"]
    address = received["data"]["relationships"]["address"]["data"]["attributes"]
    sent = {"header": attributes, "address": address}
    stored = {"header": order.header, "address": order.address}

    # Every character typed but the controls and the turning ones, in its place.
    for name, (part, key) in ONE_LINE.items():
        assert sent[part].get(key, "") == as_kept(one_line[name]), name
        assert stored[part].get(key, "") == as_kept(one_line[name]), name
    for name, (part, key) in NOTES.items():
        expected = as_kept(notes[name], keep=NOTES_CONTROLS)
        assert sent[part].get(key, "") == expected, name
        assert stored[part].get(key, "") == expected, name

    # Nothing unseen anywhere: what Clarus was sent, and every text the desk kept of the order.
    notes_sent = [attributes.get(key, "") for _part, key in NOTES.values()]
    assert not unseen_in(notes_sent, allowed=NOTES_CONTROLS)
    assert not unseen_in([text for text in json_strings(received) if text not in notes_sent])
    line = order.lines.get()
    kept = [
        order.contact_name,
        order.contact_email,
        order.contact_phone,
        order.postcode,
        line.product_code,
        line.description,
        *json_strings(order.labels),
        *[text for text in json_strings(order.header) if text not in notes_sent],
        *json_strings(order.address),
    ]
    assert not unseen_in(kept)
    for attempt in order.attempts.all():
        body = json.loads(attempt.request_body)
        assert not unseen_in([text for text in json_strings(body) if text not in notes_sent])
