"""Orders held by approval rules, and supervisors' decisions on them, against the sandbox over
real HTTP: a held order reaches Clarus only once approved, and then exactly once."""

import time
import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders import audit, clarus
from orders.domain import KeyedOrder, LineInput
from orders.models import (
    ApprovalRuleKind,
    Membership,
    Order,
    OrderHold,
    OrderStatus,
    Role,
)
from orders.selectors.privacy import Person
from orders.services.approvals import (
    RuleTerms,
    approval_rule_save,
    approval_rule_switch,
    approval_self_setting_save,
    order_approve,
    order_refuse,
    order_withdraw,
)
from orders.services.delivery import deliver_due_orders
from orders.services.privacy import ErasureRefused, person_erase
from orders.services.submission import order_resend, order_submit
from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from tests.orders.factories import (
    address_of,
    cleaned_order,
    header_of,
    lines,
    unanswered_try_record,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
Kind = ApprovalRuleKind


def member(tenant, name, role):
    user = User.objects.create_user(name)
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def agent(sandbox_tenant):
    return member(sandbox_tenant, "agent", Role.AGENT)


@pytest.fixture
def supervisor(sandbox_tenant):
    return member(sandbox_tenant, "sup", Role.SUPERVISOR)


@pytest.fixture
def admin(sandbox_tenant):
    return member(sandbox_tenant, "admin", Role.TENANT_ADMIN)


def rule(tenant, user, kind=Kind.LINES_OVER, number=3, ids=()):
    return approval_rule_save(
        tenant=tenant, user=user, terms=RuleTerms(kind=kind, number=number, ids=tuple(ids))
    )


def keyed(tenant, *, line_count=2, reference="SO-1", **overrides):
    cleaned = cleaned_order(reference=reference, **overrides)
    return KeyedOrder(
        tenant=tenant,
        header=header_of(cleaned),
        lines=lines(line_count),
        address=address_of(cleaned),
    )


def submit(tenant, user, *, token=None, **kwargs):
    return order_submit(form_token=token or uuid.uuid4(), keyed=keyed(tenant, **kwargs), user=user)


def test_an_order_matching_a_rule_is_held_not_sent_and_says_why(sandbox_tenant, agent, admin):
    held_by = rule(sandbox_tenant, admin, number=3)

    result = submit(sandbox_tenant, agent, line_count=5)

    order = Order.objects.get()
    assert order.status == OrderStatus.HELD
    assert result.message == "Held for a supervisor: 5 lines, more than this tenant's 3."
    assert order.status_note == result.message
    assert SandboxGoodsOut.objects.count() == 0
    hold = OrderHold.objects.get(order=order)
    assert hold.rule_version == held_by.current
    last = order.transitions.last()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor) == ("draft", "held", "agent")
    assert "“Orders of more than 3 lines” (rule" in last.reason


def test_an_order_matching_no_rule_is_sent_as_before(sandbox_tenant, agent, admin):
    rule(sandbox_tenant, admin, number=3)

    result = submit(sandbox_tenant, agent, line_count=3)

    assert result.sent
    assert not OrderHold.objects.exists()
    # Checked, then claimed: the same trail as an order of a tenant with no rules.
    assert list(result.order.transitions.values_list("from_status", "to_status")) == [
        ("draft", "draft"),
        ("draft", "sending"),
        ("sending", "sent"),
    ]
    assert result.order.lines.exclude(clarus_line_id=None).count() == 3


def test_a_held_order_is_never_claimed_by_the_worker_or_send_again(sandbox_tenant, agent, admin):
    rule(sandbox_tenant, admin, number=1)
    result = submit(sandbox_tenant, agent)
    Order.objects.update(updated_at=timezone.now() - timedelta(hours=2))

    deliver_due_orders()
    again = order_resend(order=result.order, user=agent)

    assert Order.objects.get().status == OrderStatus.HELD
    assert again.outcome is None
    assert "waiting for a supervisor" in again.message
    assert SandboxGoodsOut.objects.count() == 0


def test_a_second_post_of_the_held_form_sends_nothing(sandbox_tenant, agent, admin):
    rule(sandbox_tenant, admin, number=1)
    token = uuid.uuid4()
    submit(sandbox_tenant, agent, token=token)

    again = submit(sandbox_tenant, agent, token=token)

    assert again.outcome is None
    assert Order.objects.get().status == OrderStatus.HELD
    assert SandboxGoodsOut.objects.count() == 0


def test_approval_sends_it_once_through_delivery(sandbox_tenant, agent, supervisor, admin):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order

    result = order_approve(order_id=order.pk, user=supervisor, reason="Checked with the caller")
    twice = order_approve(order_id=order.pk, user=supervisor)

    assert result.sent
    assert twice.outcome is None
    assert SandboxGoodsOut.objects.count() == 1
    moves = list(order.transitions.values_list("from_status", "to_status", "actor", "reason"))
    assert moves[-3][:3] == ("held", "draft", "sup")
    assert moves[-3][3] == "Approved by sup: Checked with the caller"
    assert moves[-2][:2] == ("draft", "sending")
    assert moves[-1][:2] == ("sending", "sent")


def test_a_tenant_admin_may_approve(sandbox_tenant, agent, admin):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order

    assert order_approve(order_id=order.pk, user=admin).sent


def test_an_agent_can_never_approve_not_even_their_own(sandbox_tenant, agent, admin):
    rule(sandbox_tenant, admin, number=1)
    approval_self_setting_save(tenant=sandbox_tenant, allowed=True)
    order = submit(sandbox_tenant, agent).order
    other = member(sandbox_tenant, "other-agent", Role.AGENT)

    for user in (agent, other):
        with pytest.raises(PermissionDenied):
            order_approve(order_id=order.pk, user=user)
        with pytest.raises(PermissionDenied):
            order_refuse(order_id=order.pk, user=user, reason="no")

    assert Order.objects.get().status == OrderStatus.HELD
    assert SandboxGoodsOut.objects.count() == 0


def test_a_supervisor_may_not_approve_an_order_they_keyed(sandbox_tenant, supervisor, admin):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, supervisor).order

    with pytest.raises(PermissionDenied):
        order_approve(order_id=order.pk, user=supervisor)

    assert Order.objects.get().status == OrderStatus.HELD
    assert SandboxGoodsOut.objects.count() == 0


def test_a_supervisor_may_approve_their_own_where_the_tenant_allows(
    sandbox_tenant, supervisor, admin
):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, supervisor).order
    approval_self_setting_save(tenant=sandbox_tenant, allowed=True)

    assert order_approve(order_id=order.pk, user=supervisor).sent


def test_another_tenants_supervisor_cannot_decide(sandbox_tenant, agent, admin, make_tenant):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order
    stranger = member(make_tenant(subdomain="other"), "stranger", Role.SUPERVISOR)

    with pytest.raises(PermissionDenied):
        order_approve(order_id=order.pk, user=stranger)
    with pytest.raises(PermissionDenied):
        order_refuse(order_id=order.pk, user=stranger, reason="no")

    assert Order.objects.get().status == OrderStatus.HELD


def test_refused_then_corrected_is_checked_again_then_sent(
    sandbox_tenant, agent, supervisor, admin
):
    rule(sandbox_tenant, admin, number=2)
    token = uuid.uuid4()
    order = submit(sandbox_tenant, agent, token=token, line_count=4).order

    refused = order_refuse(order_id=order.pk, user=supervisor, reason="Too many lines: split it")
    order.refresh_from_db()
    assert refused.done
    assert order.status == OrderStatus.DECLINED
    assert order.status_note == "Not approved by sup: Too many lines: split it"

    still = submit(sandbox_tenant, agent, token=token, line_count=3)
    assert still.order.status == OrderStatus.HELD
    assert SandboxGoodsOut.objects.count() == 0

    order_refuse(order_id=order.pk, user=supervisor, reason="Still too many")
    fixed = submit(sandbox_tenant, agent, token=token, line_count=2)
    assert fixed.sent
    assert SandboxGoodsOut.objects.count() == 1
    assert OrderHold.objects.filter(order=order).count() == 2


def test_a_refusal_needs_a_reason(sandbox_tenant, agent, supervisor, admin):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order

    with pytest.raises(ValueError, match="needs a reason"):
        order_refuse(order_id=order.pk, user=supervisor, reason="  ")

    assert Order.objects.get().status == OrderStatus.HELD


def test_a_refused_order_can_be_let_go_and_is_never_sent(sandbox_tenant, agent, supervisor, admin):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order
    early = order_withdraw(order_id=order.pk, user=agent)
    order_refuse(order_id=order.pk, user=supervisor, reason="Account on stop")

    withdrawn = order_withdraw(order_id=order.pk, user=agent)
    Order.objects.update(updated_at=timezone.now() - timedelta(hours=2))
    deliver_due_orders()

    assert not early.done
    assert withdrawn.done
    assert Order.objects.get().status == OrderStatus.WITHDRAWN
    assert SandboxGoodsOut.objects.count() == 0
    with pytest.raises(PermissionDenied):
        order_withdraw(order_id=order.pk, user=member(sandbox_tenant, "b", Role.AGENT))


def test_rules_are_versioned_and_an_order_names_the_version_that_held_it(
    sandbox_tenant, agent, admin
):
    lines_rule = rule(sandbox_tenant, admin, number=1)
    first = submit(sandbox_tenant, agent, reference="SO-1").order
    approval_rule_save(
        tenant=sandbox_tenant,
        user=admin,
        terms=RuleTerms(kind=Kind.LINES_OVER, number=5),
        rule=lines_rule,
    )
    second = submit(sandbox_tenant, agent, reference="SO-2", line_count=6).order
    approval_rule_switch(tenant=sandbox_tenant, user=admin, rule=lines_rule, active=False)
    third = submit(sandbox_tenant, agent, reference="SO-3", line_count=6)

    versions = list(lines_rule.versions.order_by("version"))
    assert [(v.version, v.number, v.active) for v in versions] == [
        (1, 1, True),
        (2, 5, True),
        (3, 5, False),
    ]
    assert first.holds.get().rule_version.wording == "Orders of more than 1 line"
    assert second.holds.get().rule_version.wording == "Orders of more than 5 lines"
    assert third.sent
    with pytest.raises(PermissionDenied):
        versions[0].save()


def test_the_first_orders_of_a_new_keyer_are_held(sandbox_tenant, agent, supervisor, admin):
    rule(sandbox_tenant, admin, kind=Kind.NEW_KEYER, number=2)

    results = [submit(sandbox_tenant, agent, reference=f"N-{n}") for n in range(3)]

    assert [r.order.status for r in results] == [
        OrderStatus.HELD,
        OrderStatus.HELD,
        OrderStatus.SENT,
    ]
    assert "agent has keyed 1 order before this one" in results[1].message


@pytest.mark.parametrize(
    ("terms", "fields"),
    [
        (RuleTerms(kind=Kind.QUANTITY_OVER, number=1), {}),
        (RuleTerms(kind=Kind.PRIORITY, number=1), {"priority": 1}),
        (RuleTerms(kind=Kind.DISPATCH_WITHIN, number=48), {}),
        (RuleTerms(kind=Kind.ACCOUNTS, ids=(7,)), {}),
        (RuleTerms(kind=Kind.CARRIER_SERVICE, ids=(3,)), {"carrier_service_id": 3}),
    ],
    ids=lambda value: getattr(value, "kind", ""),
)
def test_each_kind_holds_a_keyed_order(sandbox_tenant, agent, admin, terms, fields):
    approval_rule_save(tenant=sandbox_tenant, user=admin, terms=terms)

    result = submit(sandbox_tenant, agent, **fields)

    assert result.order.status == OrderStatus.HELD
    assert SandboxGoodsOut.objects.count() == 0


# --- Held iff an active rule matches, through order_submit and the database ------------------


class Unreachable(httpx.BaseTransport):
    """Clarus never answers: an order that is not held is tried and left waiting."""

    def __init__(self) -> None:
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        raise httpx.ConnectError("no Clarus here", request=request)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    line_count=st.integers(1, 6),
    quantity=st.integers(1, 9),
    account=st.integers(1, 4),
    rules=st.lists(
        st.tuples(
            st.sampled_from([Kind.LINES_OVER, Kind.QUANTITY_OVER, Kind.ACCOUNTS]),
            st.integers(1, 6),
            st.booleans(),
        ),
        max_size=3,
    ),
)
def test_submitted_orders_are_held_iff_an_active_rule_matches(
    make_tenant, line_count, quantity, account, rules
):
    tenant = make_tenant(subdomain=f"p{uuid.uuid4().hex[:8]}")
    user = member(tenant, f"u{uuid.uuid4().hex[:8]}", Role.SUPERVISOR)
    for kind, number, active in rules:
        saved = approval_rule_save(
            tenant=tenant,
            user=user,
            terms=RuleTerms(kind=kind, number=number, ids=(number,)),
            active=active,
        )
        assert saved.current is not None
    cleaned = cleaned_order(reference=f"P-{uuid.uuid4().hex[:8]}", account_id=account)
    order = KeyedOrder(
        tenant=tenant,
        header=header_of(cleaned),
        lines=[
            LineInput(product_id=100 + n, quantity=Decimal(quantity)) for n in range(line_count)
        ],
        address=address_of(cleaned),
    )
    transport = Unreachable()

    result = order_submit(form_token=uuid.uuid4(), keyed=order, user=user, transport=transport)

    def matches(kind, number):
        return {
            Kind.LINES_OVER: line_count > number,
            Kind.QUANTITY_OVER: quantity > number,
            Kind.ACCOUNTS: account == number,
        }[kind]

    expected = any(active and matches(kind, number) for kind, number, active in rules)
    assert (result.order.status == OrderStatus.HELD) is expected
    assert (transport.requests == 0) is expected


# --- An approved order reaches Clarus exactly once, whatever Clarus does ---------------------


def faults(**fields):
    SandboxSubdomain.objects.filter(slug="acme").update(**fields)


def until_settled(order, seconds=8.0):
    """Run the worker's sweep until the order is settled with Clarus."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        Order.objects.filter(pk=order.pk, status__in=[OrderStatus.FAILED]).update(
            next_attempt_at=timezone.now()
        )
        deliver_due_orders()
        order.refresh_from_db()
        if order.status == OrderStatus.SENT:
            return order
        time.sleep(0.1)
    return order


@pytest.mark.parametrize(
    "fault",
    [
        {"fail_next": 2, "forced_status": 503},
        {"drop_after_store": 1},
        {"latency_ms": 900},
    ],
    ids=["503s", "lost-answer", "timeout"],
)
def test_an_approved_order_is_delivered_once_under_faults(
    sandbox_tenant, agent, supervisor, admin, settings, fault
):
    rule(sandbox_tenant, admin, number=1)
    order = submit(sandbox_tenant, agent).order
    # The token first, so the faults and the short timeout meet the goods-out alone.
    clarus.access_token(sandbox_tenant)
    settings.CLARUS_READ_TIMEOUT = 0.3
    settings.DESK_SEND_LEASE_SECONDS = 0.6
    faults(**fault)

    first = order_approve(order_id=order.pk, user=supervisor)
    faults(latency_ms=0)

    assert not first.sent
    assert until_settled(order).status == OrderStatus.SENT
    [goods_out] = SandboxGoodsOut.objects.all()
    assert goods_out.pk == order.clarus_id
    # A request the sandbox held back answers after the desk gave up on it: let it finish its
    # writes before the database is emptied for the next test.
    time.sleep(float(fault.get("latency_ms", 0)) / 1000 + 0.2)


def test_an_order_the_desk_could_not_send_can_be_let_go_and_is_never_sent(sandbox_tenant, agent):
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=503)
    order = submit(sandbox_tenant, agent).order
    assert order.status == OrderStatus.FAILED
    assert order.next_attempt_at is not None
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=None)

    withdrawn = order_withdraw(order_id=order.pk, user=agent)
    order.refresh_from_db()
    assert (order.status, order.next_attempt_at) == (OrderStatus.WITHDRAWN, None)
    # Even were a try of it due, the worker takes only what is still failed.
    Order.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    deliver_due_orders()

    assert withdrawn.done
    assert Order.objects.get().status == OrderStatus.WITHDRAWN
    assert SandboxGoodsOut.objects.count() == 0
    last = order.transitions.last()
    assert last is not None
    assert (last.from_status, last.to_status, last.actor) == ("failed", "withdrawn", "agent")
    # Let go for good: it cannot be sent again.
    again = order_resend(order=order, user=agent)
    assert not again.sent
    assert SandboxGoodsOut.objects.count() == 0


def test_a_failed_order_whose_try_got_no_answer_is_not_let_go(sandbox_tenant, agent):
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=503)
    order = submit(sandbox_tenant, agent).order
    # An earlier try of it went unanswered: Clarus may have it.
    unanswered_try_record(order, agent)

    refused = order_withdraw(order_id=order.pk, user=agent)

    assert not refused.done
    assert "Clarus may have it" in refused.message
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED


@pytest.mark.parametrize("status", [OrderStatus.SENT, OrderStatus.HELD, OrderStatus.UNKNOWN])
def test_only_a_declined_or_failed_order_can_be_withdrawn(sandbox_tenant, agent, status):
    order = submit(sandbox_tenant, agent).order
    Order.objects.filter(pk=order.pk).update(status=status)

    refused = order_withdraw(order_id=order.pk, user=agent)

    assert not refused.done
    assert Order.objects.get(pk=order.pk).status == status


def test_a_caller_whose_order_could_not_be_sent_is_erased_once_it_is_let_go(
    sandbox_tenant, agent, supervisor
):
    SandboxSubdomain.objects.filter(slug="acme").update(forced_status=503)
    order = submit(sandbox_tenant, agent).order
    caller = Person.of(email=order.contact_email)
    assert caller.email
    by = audit.Actor.of(supervisor)

    with pytest.raises(ErasureRefused, match=order.reference):
        person_erase(tenant=sandbox_tenant, person=caller, by=by, reason="Asked by phone")
    order_withdraw(order_id=order.pk, user=supervisor)
    erased = person_erase(tenant=sandbox_tenant, person=caller, by=by, reason="Asked by phone")

    assert erased == 1
    order.refresh_from_db()
    assert order.personal_data_removed_at is not None
    assert order.contact_email != caller.email
