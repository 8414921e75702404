"""The approval pages: the rules page of the tenant settings, the queue and its top-bar count,
the decision page, and a held or refused order's page. Bad input is a page with its message and
the typed text, never a server error."""

import uuid
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import audit
from orders.models import (
    ApprovalRule,
    ApprovalRuleKind,
    Membership,
    Order,
    OrderStatus,
    Role,
)
from orders.services.approvals import RuleTerms, approval_rule_save
from tests.orders.factories import order_post_data, unanswered_try_record
from tests.orders.views.test_history import BAD_QUERIES

HTMX = {"HTTP_HX_REQUEST": "true"}
QUEUE = reverse("orders:approvals")
RULES = reverse("tenants:approval_rules")


def member(tenant, name, role):
    user = User.objects.create_user(name)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def desk(make_tenant):
    tenant = make_tenant()
    return {
        "tenant": tenant,
        "agent": member(tenant, "agent", Role.AGENT),
        "sup": member(tenant, "sup", Role.SUPERVISOR),
        "admin": member(tenant, "admin", Role.TENANT_ADMIN),
    }


def held(tenant, user, reference, *, minutes=0, why="3 lines, more than this tenant's 2"):
    order = Order.objects.create(
        tenant=tenant,
        created_by=user,
        reference=reference,
        account_id=7,
        status=OrderStatus.HELD,
        status_note=f"Held for a supervisor: {why}.",
    )
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return order


def lines_rule(desk, number=1):
    return approval_rule_save(
        tenant=desk["tenant"],
        user=desk["admin"],
        terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=number),
    )


# --- Keying: the agent sees at once why the order is held ------------------------------------


def test_sending_a_ruled_order_shows_its_page_with_why_at_once(client, desk):
    lines_rule(desk, number=1)
    client.force_login(desk["agent"])

    response = client.post(
        reverse("orders:create"),
        order_post_data(desk["tenant"].pk, str(uuid.uuid4())),
        follow=True,
    )

    order = Order.objects.get()
    page = response.content.decode()
    assert order.status == OrderStatus.HELD
    assert response.redirect_chain[-1][0] == order.get_absolute_url()
    assert "Held for a supervisor: 2 lines, more than this tenant&#x27;s 1." in page
    assert "Awaiting approval" in page
    assert "Orders of more than 1 line (rule" in page
    # The agent cannot decide, so is not offered to.
    assert 'id="decide-order"' not in page


# --- The queue and its count -----------------------------------------------------------------


def test_the_queue_lists_held_orders_oldest_first_for_supervisors(client, desk):
    tenant = desk["tenant"]
    held(tenant, desk["agent"], "NEWER", minutes=1)
    held(tenant, desk["agent"], "OLDER", minutes=5)
    Order.objects.create(tenant=tenant, created_by=desk["agent"], reference="SENT", account_id=7)
    client.force_login(desk["sup"])

    page = client.get(QUEUE).content.decode()

    assert page.index("OLDER") < page.index("NEWER")
    assert "SENT" not in page
    assert 'id="approvals-waiting" aria-label="2 orders awaiting approval">2<' in page


def test_the_queue_filters_like_the_history_and_pages_by_keyset(client, desk, monkeypatch):
    tenant = desk["tenant"]
    other = member(tenant, "other", Role.AGENT)
    for n in range(5):
        held(tenant, desk["agent"], f"A-{n}", minutes=10 - n)
    held(tenant, other, "B-0", minutes=20)
    monkeypatch.setattr("orders.selectors.approvals.PAGE_SIZE", 2)
    client.force_login(desk["sup"])

    mine = client.get(QUEUE, {"agent": str(desk["agent"].pk)}, **HTMX)
    searched = client.get(QUEUE, {"search": "B-0"}, **HTMX).content.decode()
    seen, after = [], ""
    for _page in range(4):
        response = client.get(QUEUE, {"after": after} if after else {}, **HTMX)
        seen += [o.reference for o in response.context["page"].orders]
        after = response.context["page"].next_cursor
        if not after:
            break

    assert [o.reference for o in mine.context["page"].orders] == ["A-0", "A-1"]
    assert "B-0" in searched
    assert "A-0" not in searched
    assert seen == ["B-0", "A-0", "A-1", "A-2", "A-3", "A-4"]


def test_a_filtered_queue_that_finds_nothing_does_not_say_nothing_waits(client, desk):
    # The top bar says an order waits: the empty queue must say it is the filters that hide it.
    held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    filtered = client.get(QUEUE, {"search": "nothing-like-it"}).content.decode()
    blank_form = client.get(QUEUE, {"search": " ", "agent": "", "date_from": ""}).content.decode()
    Order.objects.all().delete()
    empty = client.get(QUEUE).content.decode()

    assert "No order waiting for approval matches these filters." in filtered
    assert "Nothing waits for approval." not in filtered
    assert "H-1" in blank_form
    assert "Nothing waits for approval." in empty
    assert "matches these filters" not in empty


@pytest.mark.parametrize("query", BAD_QUERIES, ids=[str(q)[:40] for q in BAD_QUERIES])
def test_bad_filters_are_never_a_server_error(client, desk, query):
    held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    response = client.get(QUEUE, query)

    assert response.status_code == 200


def test_agents_pages_never_count_the_queue(client, desk):
    held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["agent"])

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("orders:list")).content.decode()

    assert "approvals-waiting" not in page
    assert not [q for q in queries.captured_queries if "'held'" in q["sql"] or "held" in q["sql"]]


def test_the_count_is_one_query_for_supervisors(client, desk):
    held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("orders:drafts")).content.decode()

    counting = [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert 'aria-label="1 order awaiting approval">1<' in page
    assert len([q for q in counting if "held" in q["sql"]]) == 1


# --- Deciding -------------------------------------------------------------------------------


def test_refusing_without_a_reason_keeps_the_page_and_says_why(client, desk):
    order = held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    empty = client.post(reverse("orders:refuse", args=[order.pk]), {"reason": "   "})
    long = client.post(reverse("orders:refuse", args=[order.pk]), {"reason": "x" * 301 + "TAIL"})

    assert empty.status_code == 400
    assert "Say why the order is not approved." in empty.content.decode()
    assert long.status_code == 400
    assert "TAIL" in long.content.decode()
    assert "under 300 characters" in long.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD


def test_a_refusal_with_a_reason_is_what_the_keyer_then_reads(client, desk):
    order = held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    response = client.post(
        reverse("orders:refuse", args=[order.pk]), {"reason": "Account on stop", "next": "queue"}
    )
    client.force_login(desk["agent"])
    page = client.get(order.get_absolute_url()).content.decode()

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert "Not approved by sup: Account on stop" in page
    assert 'id="correct-order"' in page
    assert 'id="withdraw-order"' in page


def test_the_queue_row_of_ones_own_order_does_not_offer_a_to_approve(client, desk):
    # A screen reader reads the row's label: "press A to approve" there is a key that does nothing.
    held(desk["tenant"], desk["sup"], "MINE")
    held(desk["tenant"], desk["agent"], "THEIRS")
    client.force_login(desk["sup"])

    page = client.get(QUEUE).content.decode()

    assert (
        'aria-label="Order MINE, keyed by sup: you keyed it, so someone else approves it; press R'
        in page
    )
    assert 'aria-label="Order THEIRS, keyed by agent: press A to approve, R to refuse' in page


def test_a_refusal_whose_reason_is_invisible_is_turned_back(client, desk):
    order = held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["sup"])

    response = client.post(reverse("orders:refuse", args=[order.pk]), {"reason": "\u200b\u202e "})

    assert response.status_code == 400
    assert "Say why the order is not approved." in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.HELD


def test_a_supervisor_cannot_approve_their_own_order_by_the_page(client, desk):
    order = held(desk["tenant"], desk["sup"], "MINE")
    client.force_login(desk["sup"])

    decide = client.get(reverse("orders:decide", args=[order.pk])).content.decode()
    queue = client.get(QUEUE).content.decode()
    response = client.post(reverse("orders:approve", args=[order.pk]))

    assert 'id="self-approval-refused"' in decide
    assert 'id="approve-order"' not in decide
    assert "You keyed it: someone else approves it." in queue
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD


def test_agents_cannot_reach_the_decision_pages(client, desk):
    order = held(desk["tenant"], desk["agent"], "H-1")
    client.force_login(desk["agent"])

    assert client.get(reverse("orders:decide", args=[order.pk])).status_code == 404
    assert client.post(reverse("orders:approve", args=[order.pk])).status_code == 404
    assert client.get(QUEUE).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.HELD


def test_the_order_page_names_the_rule_version_as_it_stood(client, desk):
    rule = lines_rule(desk, number=1)
    client.force_login(desk["agent"])
    client.post(reverse("orders:create"), order_post_data(desk["tenant"].pk, str(uuid.uuid4())))
    approval_rule_save(
        tenant=desk["tenant"],
        user=desk["admin"],
        terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=9),
        rule=rule,
    )
    order = Order.objects.get()
    client.force_login(desk["sup"])

    page = client.get(order.get_absolute_url()).content.decode()

    assert "Orders of more than 1 line (rule" in page
    assert "version 1)" in page
    assert "more than 9" not in page
    assert audit.order_holds(order)[0].rule_version.version == 1


# --- The rules page --------------------------------------------------------------------------


def test_a_tenant_admin_adds_changes_and_switches_off_a_rule(client, desk):
    client.force_login(desk["admin"])

    added = client.post(RULES, {"kind": "accounts", "ids": "7, 9"})
    rule = ApprovalRule.objects.get()
    changed = client.post(
        reverse("tenants:approval_rule_update", args=[rule.pk]), {"kind": "accounts", "ids": "7"}
    )
    switched = client.post(reverse("tenants:approval_rule_switch", args=[rule.pk]))
    page = client.get(RULES).content.decode()
    history = client.get(reverse("tenants:approval_rule_update", args=[rule.pk])).content.decode()

    assert (added.status_code, changed.status_code, switched.status_code) == (302, 302, 302)
    assert [(v.version, v.ids, v.active) for v in rule.versions.order_by("version")] == [
        (1, [7, 9], True),
        (2, [7], True),
        (3, [7], False),
    ]
    assert "Orders for account 7" in page
    assert "Switch on" in page
    assert "Orders for account 7 or 9" in history


def test_a_rule_the_tenant_already_has_is_not_added_or_made_twice(client, desk):
    # Two alike rules hold each order they match twice, with the same reason said twice.
    client.force_login(desk["admin"])
    client.post(RULES, {"kind": "accounts", "ids": "7, 9"})
    other = lines_rule(desk, number=3)

    again = client.post(RULES, {"kind": "accounts", "ids": "9 7"})
    changed = client.post(
        reverse("tenants:approval_rule_update", args=[other.pk]), {"kind": "accounts", "ids": "7,9"}
    )
    client.post(reverse("tenants:approval_rule_switch", args=[other.pk]))
    switched_off_twin = client.post(RULES, {"kind": "lines_over", "number": "3"})

    assert again.status_code == 400
    assert "This tenant already has this rule: Orders for account 7 or 9 (switched on)." in (
        again.content.decode()
    )
    assert 'value="9 7"' in again.content.decode()
    assert changed.status_code == 400
    assert "This tenant already has this rule" in changed.content.decode()
    assert switched_off_twin.status_code == 400
    assert "switched off: switch it on instead" in switched_off_twin.content.decode()
    assert ApprovalRule.objects.count() == 2
    assert other.versions.filter(kind="accounts").count() == 0


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"kind": "accounts", "ids": "7, seven"}, "Not a Clarus id: seven"),
        ({"kind": "accounts", "ids": ""}, "Type at least one Clarus id."),
        ({"kind": "carrier_service", "ids": "3 4"}, "Type one carrier service"),
        ({"kind": "lines_over", "number": ""}, "Type the number of lines."),
        ({"kind": "lines_over", "number": "ten"}, "Type a whole number"),
        ({"kind": "priority", "number": "0"}, "Type 1 or more."),
        ({"kind": "lines_over", "number": "99999999999999999999"}, "or less"),
        ({"kind": "nonsense", "number": "3"}, "Select a valid choice"),
    ],
)
def test_bad_rules_come_back_with_their_message_and_typing(client, desk, data, field_error):
    client.force_login(desk["admin"])

    response = client.post(RULES, data)

    page = response.content.decode()
    assert response.status_code == 400
    assert field_error in page
    for value in data.values():
        if value and data["kind"] != "nonsense":
            assert f'value="{value}"' in page or f'value="{value}" selected' in page
    assert not ApprovalRule.objects.exists()


def test_the_self_approval_setting_is_off_until_an_admin_allows_it(client, desk):
    client.force_login(desk["admin"])
    tenant = desk["tenant"]
    assert tenant.approval_self_allowed is False

    client.post(reverse("tenants:approval_settings"), {"approval_self_allowed": "on"})
    tenant.refresh_from_db()
    assert tenant.approval_self_allowed is True

    client.post(reverse("tenants:approval_settings"), {})
    tenant.refresh_from_db()
    assert tenant.approval_self_allowed is False


def test_supervisors_and_agents_cannot_change_rules(client, desk):
    rule = lines_rule(desk)
    for user in (desk["agent"], desk["sup"]):
        client.force_login(user)
        assert client.post(RULES, {"kind": "lines_over", "number": "3"}).status_code == 403
        update = reverse("tenants:approval_rule_update", args=[rule.pk])
        assert client.post(update, {"kind": "lines_over", "number": "3"}).status_code == 403
    assert ApprovalRule.objects.count() == 1
    assert rule.versions.count() == 1


def test_an_order_the_desk_could_not_send_offers_withdraw_unless_clarus_may_have_it(client, desk):
    order = held(desk["tenant"], desk["agent"], "F-1")
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.FAILED, status_note="The desk gave up after 5 tries."
    )
    client.force_login(desk["agent"])

    offered = client.get(order.get_absolute_url()).content.decode()
    withdrawn = client.post(reverse("orders:withdraw", args=[order.pk]))
    after = client.get(order.get_absolute_url()).content.decode()

    assert 'id="withdraw-order"' in offered
    assert withdrawn.status_code == 302
    assert Order.objects.get(pk=order.pk).status == OrderStatus.WITHDRAWN
    assert "Withdrawn: this order will not be sent." in after
    assert 'id="withdraw-order"' not in after


def test_a_failed_order_one_of_whose_tries_got_no_answer_offers_no_withdraw(client, desk):
    order = held(desk["tenant"], desk["agent"], "F-2")
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.FAILED)
    unanswered_try_record(order, desk["agent"])
    client.force_login(desk["agent"])

    page = client.get(order.get_absolute_url()).content.decode()
    refused = client.post(reverse("orders:withdraw", args=[order.pk]), follow=True)

    assert 'id="withdraw-order"' not in page
    assert "Clarus may have it" in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FAILED
