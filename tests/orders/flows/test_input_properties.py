"""Arbitrary input at every door of the desk, never a 500 and never half a write.

Hypothesis throws text (with "²", NUL, right-to-left marks, 5,000 digits), numbers (huge,
negative, floats, NaN) and JSON (NaN, Infinity, deep nesting, huge ints) at:

- every field of the entry form (header, lines and their management form, address), posted to
  the real view, which sends what it takes to the Clarus sandbox over HTTP;
- every query parameter and posted field of every desk URL (orders/urls.py and
  orders/tenant_urls.py), as an agent, a supervisor and a tenant admin;
- the Clarus webhook address.

Each answer is below 500, and a refusal writes no Order, SubmissionAttempt, OrderTransition or
WebhookDelivery row. Marked ``postgres``: NUL and 64-bit ids behave differently there, so
`make test` runs them on PostgreSQL too.
"""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from clarus_admin import urls as project_urls
from orders import invitation_urls, tenant_urls
from orders import urls as order_urls
from orders.forms.entry import MAX_LINES, OrderForm, OrderLineForm
from orders.models import (
    AttemptOutcome,
    Draft,
    Membership,
    Order,
    OrderStatus,
    OrderTransition,
    Role,
    StaffInvitation,
    SubmissionAttempt,
    WebhookDelivery,
)
from orders.services.approvals import RuleTerms, approval_rule_save
from sandbox import catalogue as sandbox_catalogue
from tests.json_strings import json_strings
from tests.orders.factories import order_post_data

pytestmark = pytest.mark.postgres

# Function-scoped fixtures (the database, signed-in clients) are shared by a test's examples on
# purpose: rows accumulate, as on a desk in use, and each example counts before and after.
PROPERTIES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# --- What is thrown -------------------------------------------------------------------------

# What broke ids and numbers: not ASCII digits, more digits than a column holds, NUL.
ODD_IDS = [
    "²",
    "٣",
    "1_000",
    "+7",
    "-1",
    "0",
    "9" * 20,
    "9" * 25,
    "9" * 5000,
    str(2**63),
    str(2**64),
    "\x00",
    "7\x00",
    "NaN",
]
ODD_TEXT = [
    "",
    " ",
    "007",
    "a\x00b",
    "\x00" * 3,
    "1" * 20,
    str(2**63 - 1),
    str(-(2**63) - 1),
    "1e400",
    "1E+999999999999999999",
    "sNaN",
    "Infinity",
    "-Infinity",
    "0.0001",
    "123456789012.123",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2026-02-30T25:61",
    "x" * 5000,
    "{}",
    "[]",
    '{"code": "\\u0000", "name": NaN}',
    '{"code": "' + "c" * 3000 + '"}',
    "[" * 5000 + "]" * 5000,
    "\ufeff",
    "\u202eevil",
    "\r\n",
    "%",
    "'; DROP TABLE orders_order; --",
    "<script>alert(1)</script>",
    "all",
    "true",
]
# Any text a browser can send: every character UTF-8 can encode (no lone surrogates).
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
NUMBERS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=19, max_value=5000).map(lambda size: "9" * size),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | TEXT,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(TEXT.map(lambda t: t[:10]), children)
    ),
    max_leaves=12,
)
# json.dumps writes NaN and Infinity for such floats, as a careless sender would.
JSON_TEXT = JSON_VALUES.map(json.dumps)
VALUES = st.one_of(st.sampled_from(ODD_IDS), st.sampled_from(ODD_TEXT), TEXT, NUMBERS, JSON_TEXT)
# History cursors as the desk writes them (base64 of "time|id"), crafted: past the calendar's end
# in UTC, before its start, without a zone, an id no column holds.
CURSORS = [
    base64.urlsafe_b64encode(text.encode()).decode()
    for text in (
        "9999-12-31T23:59:59-05:00|1",
        "0001-01-01T00:00:00+05:00|1",
        "2020-01-01T00:00:00|1",
        "2020-01-01T00:00:00+00:00|" + "9" * 30,
    )
]
ODD_TEXT += CURSORS
# The same odd value in every parameter a view might read: explicit examples that always run.
POISONS = ("²", "9" * 25, "7\x00", CURSORS[0])


def rows() -> tuple[int, int, int, int]:
    return (
        Order.objects.count(),
        SubmissionAttempt.objects.count(),
        OrderTransition.objects.count(),
        WebhookDelivery.objects.count(),
    )


def send(client: Client, method: str, path: str, data: dict[str, str], *, htmx: bool, form: str):
    """Send ``data`` as a query (GET) or as a body encoded as browsers do (``form``)."""
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "get":
        return client.get(path, data, headers=headers)
    if form == "multipart":
        return client.post(path, data, headers=headers)
    body = urlencode(data)
    return client.post(
        path, body, content_type="application/x-www-form-urlencoded", headers=headers
    )


@pytest.fixture
def answering(client: Client) -> Client:
    """A client that answers a view's exception with the 500 page, as a browser would see it."""
    client.raise_request_exception = False
    return client


# --- The entry form -------------------------------------------------------------------------

LINE_INDEXES = (0, 1, 7, MAX_LINES - 1, MAX_LINES)
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
ENTRY_FIELDS = sorted(
    [
        *OrderForm.base_fields,
        *(f"lines-{index}-{name}" for index in LINE_INDEXES for name in OrderLineForm.base_fields),
        *(f"lines-{index}-DELETE" for index in LINE_INDEXES),
        *(f"lines-{name}" for name in MANAGEMENT),
        "add_line",
        "csrfmiddlewaretoken",
    ]
)


@pytest.fixture
def keying(answering, sandbox_tenant) -> Client:
    agent = User.objects.create_user("keyer")
    Membership.objects.create(user=agent, tenant=sandbox_tenant, role=Role.AGENT)
    answering.force_login(agent)
    return answering


# What crashed the entry form before: always tried, besides what Hypothesis makes up.
ENTRY_EXAMPLES = [
    {"account": "²"},
    {"account": "1" * 25},
    {"account_id": str(2**63)},
    {"customer_id": str(2**63), "customer": "x"},
    {"lines-0-product": "²"},
    {"lines-0-product": "9" * 25},
    {"lines-0-product_id": str(2**63)},
    {"lines-0-available": "NaN"},
    {"account_id": "7", "account_label": '{"code": "AC\\u0000ME", "name": "\\ud800"}'},
    {"account_id": "7", "account_label": "[" * 5000 + "]" * 5000},
    {"opened": "\x00"},
    {"delivery_notes": "x" * 5000},
]


def entry_examples(test: Any) -> Any:
    for changes in ENTRY_EXAMPLES:
        test = example(changes=changes, htmx=False, form="urlencoded")(test)
    return test


@PROPERTIES
@given(
    changes=st.dictionaries(st.sampled_from(ENTRY_FIELDS), VALUES, min_size=1, max_size=6),
    htmx=st.booleans(),
    form=st.sampled_from(["urlencoded", "multipart"]),
)
@entry_examples
def test_the_entry_form_takes_any_input_without_a_500_or_half_an_order(
    keying, sandbox_tenant, changes, htmx, form
):
    # A valid order, typed by name and code as an agent does, with some fields changed.
    data = order_post_data(
        sandbox_tenant.pk, str(uuid.uuid4()), [("", "2")], reference=uuid.uuid4().hex[:12]
    )
    data.pop("account_id")
    data.update({"account": "7", "lines-0-product": "101"})
    data.update(changes)
    before = rows()

    response = send(keying, "post", reverse("orders:create"), data, htmx=htmx, form=form)

    assert response.status_code < 500
    orders, attempts, transitions, deliveries = (
        now - then for now, then in zip(rows(), before, strict=True)
    )
    event(f"HTTP {response.status_code}, {'an order kept' if orders else 'nothing kept'}")
    assert orders in (0, 1)
    assert deliveries == 0
    if orders == 0:
        # Refused (by the form, or before it): nothing of it is kept.
        assert (attempts, transitions) == (0, 0)
    else:
        # Taken: a whole order, sent or refused by Clarus, never a half-written one.
        order = Order.objects.order_by("-pk")[0]
        assert order.lines.exists()
        assert order.transitions.exists()
        assert order.status in (OrderStatus.SENT, OrderStatus.REJECTED)
        # What the desk sends never breaks Clarus (here its stand-in).
        assert not order.attempts.filter(outcome=AttemptOutcome.SERVER_ERROR).exists()


# --- Every desk URL -------------------------------------------------------------------------


# The desk's pages among the project's own URLs (clarus_admin/urls.py).
PROJECT_DESK_PAGES = {"password_change"}


def desk_urls() -> list[tuple[str, URLPattern]]:
    namespaced = [
        (f"{module.app_name}:{pattern.name}", pattern)
        for module in (order_urls, tenant_urls, invitation_urls)
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    ]
    project = [
        (str(pattern.name), pattern)
        for pattern in project_urls.urlpatterns
        if isinstance(pattern, URLPattern) and pattern.name in PROJECT_DESK_PAGES
    ]
    assert len(project) == len(PROJECT_DESK_PAGES)
    return namespaced + project


# Every parameter a desk view reads, and a few it does not.
PARAMETERS = [
    "q",
    "account",
    "customer",
    "carrier",
    "lines-0-product",
    "lines-199-product",
    "lines-TOTAL_FORMS",
    "account_id",
    "warehouse_id",
    "carrier_id",
    "carrier_service_id",
    "order_type_id",
    "tenant",
    "refresh",
    "into",
    "text",
    "after",
    "search",
    "status",
    "agent",
    "date_from",
    "date_to",
    "days",
    "reason",
    "next",
    "old_password",
    "new_password1",
    "new_password2",
    "codes",
    "find",
    "state",
    "error",
    "code",
    "remove",
    "role",
    "username",
    "email",
    "password",
    "name",
    "invite-username",
    "invite-role",
    "login-name",
    "login-role",
    "login-email",
    "login-password",
    "api_base_url",
    "api_path_prefix",
    "auth_flow",
    "token_url",
    "authorize_url",
    "client_id",
    "client_secret",
    "form_token",
    "reference",
    "page",
    "caller",
    "caller_order",
    "customer_id",
    "save_address",
]
ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TENANT_ADMIN)
# Each role's member of staff, and a login on no tenant's staff with an invitation to answer.
INVITEE = "invitee"
USERS = (*ROLES, INVITEE)


@pytest.fixture
def desk(answering, catalogue_tenant, make_tenant) -> dict[str, Any]:
    """Staff of each role, an order Clarus took and one it refused, and a second tenant."""
    users: dict[str, User] = {role: User.objects.create_user(f"staff-{role}") for role in ROLES}
    for role, user in users.items():
        Membership.objects.create(user=user, tenant=catalogue_tenant, role=role)
    other = make_tenant(subdomain="other", name="Other 3PL", api_base_url="http://127.0.0.1:9")
    Membership.objects.create(user=users[Role.AGENT], tenant=other, role=Role.AGENT)
    answering.force_login(users[Role.AGENT])
    mug = sandbox_catalogue.Product.objects.get(subdomain__slug="acme", code="MUG-BLK-0010")
    for reference, product_id in (("SO-SENT", mug.pk), ("SO-REFUSED", 999_999)):
        data = order_post_data(
            catalogue_tenant.pk, str(uuid.uuid4()), [(str(product_id), "1")], reference=reference
        )
        answering.post(reverse("orders:create"), data)
    invitee = User.objects.create_user(INVITEE)
    invitation = StaffInvitation.objects.create(
        tenant=catalogue_tenant,
        username=INVITEE,
        invitee=invitee,
        role=Role.AGENT,
        invited_by=users[Role.TENANT_ADMIN],
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    users[INVITEE] = invitee
    sent, refused = (
        Order.objects.get(reference="SO-SENT"),
        Order.objects.get(reference="SO-REFUSED"),
    )
    assert (sent.status, refused.status) == (OrderStatus.SENT, OrderStatus.REJECTED)
    clients = {}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    return {
        "clients": clients,
        "order_ids": [sent.pk, refused.pk],
        "membership_ids": list(Membership.objects.values_list("pk", flat=True)),
        "invitation_ids": [invitation.pk],
        # An approval rule of the tenant, and one of the other tenant's.
        "rule_ids": [
            approval_rule_save(
                tenant=tenant, user=users[Role.TENANT_ADMIN], terms=RuleTerms(kind="lines_over")
            ).pk
            for tenant in (catalogue_tenant, other)
        ],
        "tenant_ids": [str(catalogue_tenant.pk), str(other.pk)],
        "draft_ids": [
            Draft.objects.create(
                tenant=catalogue_tenant,
                created_by=users[Role.AGENT],
                form_token=uuid.uuid4(),
                form_data={"reference": ["DRAFT-1"]},
                updated_at=datetime.now(UTC),
            ).pk
        ],
    }


# Placeholders for the desk's own rows, resolved when the test runs: ids in the path (-1, -2)
# and tenant ids in the parameters.
OWN = (-1, -2)
OWN_TENANTS = ("@tenant-1", "@tenant-2")


def path_for(name: str, pattern: URLPattern, desk: dict[str, Any], target: int) -> str:
    """Return the URL, naming the desk's own order or membership (``OWN``), or ``target``."""
    known = {
        "order_id": desk["order_ids"],
        "membership_id": desk["membership_ids"],
        "invitation_id": desk["invitation_ids"],
        "draft_id": desk["draft_ids"],
        "rule_id": desk["rule_ids"],
    }
    kwargs = {
        key: known[key][min(-target - 1, len(known[key]) - 1)] if target in OWN else target
        for key in pattern.pattern.converters
    }
    return reverse(name, kwargs=kwargs)


def flood_examples(test: Any) -> Any:
    """Also always try every parameter holding one poison, in each role, read and posted."""
    for poison in POISONS:
        for role in USERS:
            for method in ("get", "post"):
                params = dict.fromkeys(PARAMETERS, poison)
                test = example(
                    role=role,
                    params=params,
                    method=method,
                    htmx=True,
                    form="urlencoded",
                    target=-1,
                )(test)
    return test


@pytest.mark.parametrize(("name", "pattern"), desk_urls(), ids=[name for name, _ in desk_urls()])
@PROPERTIES
@given(
    role=st.sampled_from(USERS),
    params=st.dictionaries(
        st.sampled_from(PARAMETERS) | TEXT.map(lambda t: t[:20]),
        VALUES | st.sampled_from(OWN_TENANTS),
        max_size=12,
    ),
    method=st.sampled_from(["get", "post"]),
    htmx=st.booleans(),
    form=st.sampled_from(["urlencoded", "multipart"]),
    target=st.sampled_from(OWN) | st.integers(min_value=0, max_value=2**80),
)
@flood_examples
def test_every_desk_url_takes_any_parameters_without_a_500(
    desk, name, pattern, role, params, method, htmx, form, target
):
    path = path_for(name, pattern, desk, target)
    own_tenants = dict(zip(OWN_TENANTS, desk["tenant_ids"], strict=True))
    params = {key: own_tenants.get(value, value) for key, value in params.items()}
    before = rows()

    response = send(desk["clients"][role], method, path, params, htmx=htmx, form=form)

    event(f"{method.upper()} as {role}: HTTP {response.status_code}")
    assert response.status_code < 500
    if method == "get" or response.status_code >= 400:
        # Reading and refusing write nothing.
        assert rows() == before


# --- The webhook address --------------------------------------------------------------------

OFFSETS = st.integers(min_value=-1439, max_value=1439).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
TIMES = st.one_of(
    st.builds(
        lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
        st.datetimes(min_value=datetime.min, max_value=datetime.max),
        OFFSETS | st.none(),
    ),
    st.sampled_from(ODD_TEXT),
    TEXT,
)
IDS = st.one_of(
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([41, 42, 2**63 - 1, 2**63, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.sampled_from(ODD_TEXT),
    TEXT,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "id": IDS,
        "reference": st.sampled_from(["SO-SENT", "SO-UNKNOWN", "SO-NONE"]) | TEXT,
        "goods_out_status_id": IDS,
        "goods_out_status": st.fixed_dictionaries(
            {}, optional={"id": IDS, "code": TEXT | st.sampled_from(["CANCELLED", "COMPLETED"])}
        )
        | JSON_VALUES,
        "updated_at": TIMES,
        "lines": JSON_VALUES,
    },
)
GOODS_OUT_BODIES = st.fixed_dictionaries(
    {},
    optional={
        "resource_name": st.sampled_from(["goods_out", "pick_list", ""]) | TEXT,
        "event": st.sampled_from(["created", "updated", "completed", "cancelled"]) | TEXT,
        "data": RECORDS | st.fixed_dictionaries({"attributes": RECORDS}) | JSON_VALUES,
    },
).map(json.dumps)
RAW_BODIES = st.one_of(
    GOODS_OUT_BODIES,
    JSON_TEXT,
    st.integers(min_value=1, max_value=200_000).map(lambda depth: "[" * depth + "]" * depth),
    st.binary(max_size=300),
    st.sampled_from(ODD_TEXT),
)


@pytest.fixture
def webhook_tenant(make_tenant, agent):
    tenant = make_tenant()
    common = {"tenant": tenant, "created_by": agent, "account_id": 7}
    Order.objects.create(reference="SO-SENT", status=OrderStatus.SENT, clarus_id=41, **common)
    Order.objects.create(reference="SO-UNKNOWN", status=OrderStatus.UNKNOWN, **common)
    return tenant


# What crashed the webhook before: always tried, besides what Hypothesis makes up.
WEBHOOK_EXAMPLES = [
    '{"data": {"id": NaN}}',
    '{"data": {"id": Infinity}}',
    '{"data": {"id": 1e400}}',
    json.dumps({"data": {"id": 2**63}}),
    '{"data": {"id": 41, "goods_out_status_id": 1e300}}',
    '{"data": {"id": 41, "updated_at": "9999-12-31T23:59:59-05:00"}}',
    '{"event": "cancel\\u0000led", "data": {"reference": "SO-SENT\\u0000"}}',
    "[" * 100_000 + "]" * 100_000,
]


def webhook_examples(test: Any) -> Any:
    for body in WEBHOOK_EXAMPLES:
        test = example(body=body)(test)
    return test


@PROPERTIES
@given(body=RAW_BODIES)
@webhook_examples
def test_the_webhook_takes_any_body_without_a_500_and_keeps_nothing_it_refuses(
    answering, webhook_tenant, body
):
    url = reverse(
        "clarus_webhook",
        kwargs={"subdomain": webhook_tenant.subdomain, "secret": webhook_tenant.webhook_secret},
    )
    headers = {"X-ClarusWMS-Subdomain": "acme", "X-ClarusWMS-Automation-ID": "7"}
    before = rows()
    started = datetime.now(UTC)

    response = answering.post(url, body, content_type="application/json", headers=headers)

    event(f"HTTP {response.status_code}")
    assert response.status_code < 500
    if response.status_code >= 400:
        assert "error" in response.json()
        assert rows() == before
    else:
        delivery = WebhookDelivery.objects.get(pk=response.json()["received"])
        assert not any("\x00" in text for text in json_strings(delivery.body))
        assert delivery.happened_at is not None
        assert response.json()["repeat"] or delivery.received_at >= started - timedelta(seconds=5)
