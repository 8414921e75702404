"""The reference check beside the entry form's reference box: an earlier order of the tenant with
the reference being keyed, named with a link when the agent may open it, and nothing of another
tenant's, whatever is typed."""

import re
import unicodedata
import uuid
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from orders.models import Membership, Order, OrderStatus, Role

# PostgreSQL compares capitals of every letter, SQLite of A to Z: both never tell of another
# tenant's order.
pytestmark = pytest.mark.postgres

HTMX = {"HTTP_HX_REQUEST": "true"}
CHECK = reverse("orders:reference_check")
CREATE = reverse("orders:create")
KEYED_AT = datetime(2026, 12, 2, 14, 30, tzinfo=timezone.get_current_timezone())


def order(tenant, user, reference, **fields):
    keyed = Order.objects.create(
        tenant=tenant, created_by=user, reference=reference, account_id=1, **fields
    )
    Order.objects.filter(pk=keyed.pk).update(created_at=KEYED_AT)
    return keyed


def ask(client, tenant, reference, **params):
    return client.get(CHECK, {"tenant": str(tenant.pk), "reference": reference, **params}, **HTMX)


def text(response):
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    return html


def test_the_same_reference_names_the_earlier_order_and_says_it_will_be_refused(
    agent_client, agent, tenant
):
    earlier = order(tenant, agent, "SO-1001")

    html = text(ask(agent_client, tenant, "SO-1001"))

    assert "SO-1001 was keyed on 2 Dec 2026 14:30 by agent" in html
    link = re.search(r"<a [^>]*>open it in a new tab</a>", html)
    assert link is not None
    assert f'href="{earlier.get_absolute_url()}"' in link[0]
    assert 'target="_blank"' in link[0]
    assert 'rel="noopener"' in link[0]
    assert "This order will be refused when sent" in html


def test_a_reference_differing_in_capitals_looks_like_the_same_order_and_may_be_sent(
    agent_client, agent, tenant
):
    order(tenant, agent, "SO-1001")

    html = text(ask(agent_client, tenant, "so-1001"))

    assert "SO-1001 was keyed on 2 Dec 2026 14:30 by agent" in html
    assert "it looks like the same order. You can still send it." in html
    assert "refused" not in html


@pytest.mark.parametrize("typed", ["SO-1002", "", "   "])
def test_a_new_reference_says_nothing(agent_client, agent, tenant, typed):
    order(tenant, agent, "SO-1001")

    assert text(ask(agent_client, tenant, typed)).strip() == ""


def test_the_reference_is_read_as_the_entry_form_reads_it(agent_client, agent, tenant):
    order(tenant, agent, "SO-1001")

    # A zero-width space and a bell pasted with it, spaces around: the form sends SO-1001.
    html = text(ask(agent_client, tenant, "  SO-\u200b10\x0701 "))

    assert "This order will be refused when sent" in html


def test_the_order_being_corrected_is_no_duplicate_of_itself(agent_client, agent, tenant):
    correcting = order(tenant, agent, "SO-1001", status=OrderStatus.REJECTED)

    own = ask(agent_client, tenant, "SO-1001", form_token=str(correcting.form_token))
    copy = ask(agent_client, tenant, "SO-1001", form_token=str(uuid.uuid4()))

    assert text(own).strip() == ""
    assert "refused when sent" in text(copy)


def test_a_colleagues_order_is_told_of_without_naming_it(agent_client, tenant):
    colleague = User.objects.create_user("colleague-zed")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    order(tenant, colleague, "SO-2002")

    exact = text(ask(agent_client, tenant, "SO-2002"))
    capitals = text(ask(agent_client, tenant, "so-2002"))

    assert "An earlier order for this tenant, keyed by a colleague, already has this reference" in (
        exact
    )
    assert "refused when sent" in exact
    assert "has this reference in other capitals" in capitals
    for html in (exact, capitals):
        assert "colleague-zed" not in html
        assert "href" not in html
        assert "2026" not in html
        assert "SO-2002" not in html


def test_a_supervisor_is_told_whose_it_is(client, tenant):
    supervisor = User.objects.create_user("boss")
    Membership.objects.create(user=supervisor, tenant=tenant, role=Role.SUPERVISOR)
    colleague = User.objects.create_user("colleague-zed")
    Membership.objects.create(user=colleague, tenant=tenant, role=Role.AGENT)
    order(tenant, colleague, "SO-2002")
    client.force_login(supervisor)

    assert "by colleague-zed" in text(ask(client, tenant, "SO-2002"))


def test_another_tenants_references_are_never_told(agent_client, agent, tenant, make_tenant):
    other = make_tenant(subdomain="other", name="Other")
    stranger = User.objects.create_user("stranger")
    Membership.objects.create(user=stranger, tenant=other, role=Role.AGENT)
    order(other, stranger, "THEIRS-1")

    own_tenant = text(ask(agent_client, tenant, "THEIRS-1"))
    named_other = ask(agent_client, other, "THEIRS-1")

    assert own_tenant.strip() == ""
    assert named_other.status_code == 403
    assert "THEIRS-1" not in named_other.content.decode()


def test_without_htmx_it_leads_to_the_entry_page(agent_client, agent, tenant):
    order(tenant, agent, "SO-1001")

    response = agent_client.get(CHECK, {"reference": "SO-1001"})

    assert response.status_code == 302
    assert response["Location"] == CREATE


def test_the_tenant_left_out_is_the_current_one(agent_client, agent, tenant):
    order(tenant, agent, "SO-1001")

    response = agent_client.get(CHECK, {"reference": "SO-1001"}, **HTMX)

    assert "refused when sent" in text(response)


@pytest.mark.parametrize(
    "typed",
    [
        "S" * 51,
        "S" * 100_000,
        "\x00\x01\x1b[31m",
        "ＳＯ－１００１",
        "ß" * 50,
        "\u202eSO-1002",
        "' OR 1=1 --",
        "%",
        "_",
    ],
)
def test_odd_input_is_answered_quietly(agent_client, agent, tenant, typed):
    order(tenant, agent, "SO-1001")

    html = text(ask(agent_client, tenant, typed, form_token="not a token"))

    assert "SO-1001" not in html


def test_bytes_that_are_not_text_are_answered_quietly(agent_client, agent, tenant):
    order(tenant, agent, "SO-1001")

    response = agent_client.get(f"{CHECK}?reference=SO-1001%ED%A0%80%FF&form_token=%FF", **HTMX)

    assert text(response).strip() == ""


def test_a_form_token_that_is_not_one_is_left_aside(agent_client, agent, tenant):
    order(tenant, agent, "SO-1001")

    for token in ("x" * 5000, "\x00", "{}", ""):
        assert "refused when sent" in text(ask(agent_client, tenant, "SO-1001", form_token=token))


# What an agent might type, paste or a scanner might send, near the other tenant's references.
TYPED = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["THEIRS-1", "theirs-1", "Theirs-1", "THEIRS-1 ", "\u200bTHEIRS-1", "MINE-1"]),
    st.builds(
        lambda a, b: a + b,
        st.sampled_from(["THEIRS-", "theirs-", "MINE-", ""]),
        st.text(alphabet="1 \x00\u200b%_'", max_size=3),
    ),
)


def visible(typed):
    """Return ``typed`` as the entry form reads it: no control or format characters, trimmed."""
    return "".join(c for c in typed if unicodedata.category(c) not in ("Cc", "Cf")).strip()


@pytest.fixture
def two_tenants(agent, tenant, make_tenant):
    other = make_tenant(subdomain="other", name="Other")
    stranger = User.objects.create_user("stranger-zed")
    Membership.objects.create(user=stranger, tenant=other, role=Role.AGENT)
    order(other, stranger, "THEIRS-1")
    order(tenant, agent, "MINE-1")
    return tenant, other


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    typed=TYPED,
    token=st.one_of(st.just(""), st.text(max_size=40), st.uuids().map(str)),
    which=st.sampled_from(["own", "other", "none", "garbage"]),
)
def test_no_input_fails_or_tells_of_another_tenant(agent_client, two_tenants, typed, token, which):
    tenant, other = two_tenants
    params = {"reference": typed, "form_token": token}
    if which != "none":
        params["tenant"] = {"own": str(tenant.pk), "other": str(other.pk), "garbage": typed}[which]

    response = agent_client.get(CHECK, params, **HTMX)

    assert response.status_code in (200, 403)
    html = response.content.decode()
    assert "THEIRS" not in html.upper()
    assert "stranger-zed" not in html
    # Whatever is said is about the agent's own tenant's order, and only when it is asked for.
    if response.status_code == 200 and html.strip():
        assert visible(typed).upper() == "MINE-1"
        assert "MINE-1 was keyed" in html


def test_the_reference_box_is_described_by_the_check_and_asks_it_as_typed(agent_client, tenant):
    html = agent_client.get(CREATE).content.decode()

    box = re.search(r'<input[^>]*id="id_reference"[^>]*>', html)
    assert box is not None
    # Described by the check only once it says something (static/orders/reference_check.js).
    assert 'aria-describedby="id_reference-help"' in box[0]
    assert 'data-box="id_reference"' in html
    said = re.search(r'<span class="reference-said" id="reference-check"[^>]*>', html, re.S)
    assert said is not None
    assert f'hx-get="{CHECK}"' in said[0]
    assert 'role="status"' in said[0]
    assert 'hx-include="#id_reference, #id_tenant, #id_form_token"' in said[0]
    assert 'hx-sync="this:replace"' in said[0]
    assert "input changed delay:250ms from:#id_reference" in said[0]
    # A blank form asks nothing as it opens.
    trigger = re.search(r'hx-trigger="([^"]*)"', said[0])
    assert trigger is not None
    assert "load" not in trigger[1]
    assert "orders/reference_check.js" in html


def test_a_correction_is_checked_as_it_opens(agent_client, agent, tenant):
    correcting = order(
        tenant, agent, "SO-1001", status=OrderStatus.REJECTED, header={"reference": "SO-1001"}
    )

    html = agent_client.get(reverse("orders:correct", args=[correcting.pk])).content.decode()

    said = re.search(r'<span class="reference-said" id="reference-check"[^>]*>', html, re.S)
    assert said is not None
    assert re.search(r'hx-trigger="[^"]*, load"', said[0])
    assert f'value="{correcting.form_token}"' in html
