"""Each kind of approval rule, as the desk evaluates it: which orders it holds and the words the
agent reads (``orders.services.approvals``, pure functions: no database)."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.models import ApprovalRuleKind as Kind
from orders.models import ApprovalRuleVersion
from orders.services.approvals import (
    OrderFacts,
    RuleTerms,
    held_message,
    hold_reason,
    rule_wording,
    rules_holding,
)

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def facts(**overrides):
    defaults = OrderFacts(
        quantities=(Decimal(1), Decimal(2)),
        dispatch_at=NOW + timedelta(days=3),
        account_id=7,
        keyed_before=100,
        keyer="jo",
        now=NOW,
    )
    return replace(defaults, **overrides)


def test_more_than_n_lines():
    rule = RuleTerms(kind=Kind.LINES_OVER, number=10)
    twelve = facts(quantities=(Decimal(1),) * 12)
    why = hold_reason(rule, twelve)

    assert why == "12 lines, more than this tenant's 10"
    assert hold_reason(rule, facts(quantities=(Decimal(1),) * 10)) is None
    assert held_message([why]) == ("Held for a supervisor: 12 lines, more than this tenant's 10.")
    assert rule_wording(rule) == "Orders of more than 10 lines"


def test_any_line_quantity_above_n():
    rule = RuleTerms(kind=Kind.QUANTITY_OVER, number=500)

    assert hold_reason(rule, facts(quantities=(Decimal(3), Decimal("500.5")))) == (
        "line 2 is for 500.5 items, more than this tenant's 500"
    )
    assert hold_reason(rule, facts(quantities=(Decimal(500), Decimal(1)))) is None
    assert rule_wording(rule) == "Orders with a line of more than 500 items"


def test_a_chosen_priority():
    rule = RuleTerms(kind=Kind.PRIORITY, number=1)

    assert hold_reason(rule, facts(priority=1)) == "priority 1 orders need a supervisor's approval"
    assert hold_reason(rule, facts(priority=2)) is None
    assert hold_reason(rule, facts(priority=None)) is None


def test_dispatch_sooner_than_n_hours():
    rule = RuleTerms(kind=Kind.DISPATCH_WITHIN, number=24)

    soon = hold_reason(rule, facts(dispatch_at=NOW + timedelta(hours=23)))
    assert soon is not None
    assert "less than 24 hours away" in soon
    assert hold_reason(rule, facts(dispatch_at=NOW + timedelta(hours=25))) is None
    assert hold_reason(rule, facts(dispatch_at=None)) is None
    assert rule_wording(rule) == "Orders to dispatch less than 24 hours from when they are sent"


def test_chosen_accounts():
    rule = RuleTerms(kind=Kind.ACCOUNTS, ids=(7, 9))

    assert hold_reason(rule, facts(account_id=9)) == (
        "orders for account 9 need a supervisor's approval"
    )
    assert hold_reason(rule, facts(account_id=8)) is None
    assert rule_wording(rule) == "Orders for account 7 or 9"


def test_a_chosen_carrier_service():
    rule = RuleTerms(kind=Kind.CARRIER_SERVICE, ids=(12,))

    assert hold_reason(rule, facts(carrier_service_id=12)) is not None
    assert hold_reason(rule, facts(carrier_service_id=13)) is None
    assert hold_reason(rule, facts(carrier_service_id=None)) is None


def test_the_first_n_orders_someone_keys():
    rule = RuleTerms(kind=Kind.NEW_KEYER, number=5)

    assert hold_reason(rule, facts(keyed_before=4)) == (
        "jo has keyed 4 orders before this one, and this tenant checks each person's first 5"
    )
    assert hold_reason(rule, facts(keyed_before=5)) is None
    assert rule_wording(rule) == "The first 5 orders each person keys"


def version(terms, *, active=True):
    return ApprovalRuleVersion(
        kind=terms.kind, number=terms.number, ids=list(terms.ids), active=active, version=1
    )


def test_a_rule_switched_off_holds_nothing():
    rule = RuleTerms(kind=Kind.LINES_OVER, number=0)

    assert rules_holding([version(rule, active=False)], facts()) == []
    assert len(rules_holding([version(rule)], facts())) == 1


# --- Held if and only if an active rule matches, for generated orders and rules --------------

numbers = st.integers(min_value=0, max_value=30)
ids = st.integers(min_value=1, max_value=6)
terms = st.one_of(
    st.builds(RuleTerms, kind=st.just(Kind.LINES_OVER), number=numbers),
    st.builds(RuleTerms, kind=st.just(Kind.QUANTITY_OVER), number=numbers),
    st.builds(RuleTerms, kind=st.just(Kind.PRIORITY), number=st.integers(1, 5)),
    st.builds(RuleTerms, kind=st.just(Kind.DISPATCH_WITHIN), number=numbers),
    st.builds(
        RuleTerms, kind=st.just(Kind.ACCOUNTS), ids=st.tuples(ids).map(tuple) | st.tuples(ids, ids)
    ),
    st.builds(RuleTerms, kind=st.just(Kind.CARRIER_SERVICE), ids=st.tuples(ids)),
    st.builds(RuleTerms, kind=st.just(Kind.NEW_KEYER), number=st.integers(1, 10)),
)
orders = st.builds(
    facts,
    quantities=st.lists(
        st.decimals(min_value=1, max_value=40, places=3, allow_nan=False), max_size=25
    ).map(tuple),
    priority=st.none() | st.integers(1, 5),
    dispatch_at=st.none() | st.integers(-10, 40).map(lambda hours: NOW + timedelta(hours=hours)),
    account_id=st.none() | ids,
    carrier_service_id=st.none() | ids,
    keyed_before=st.integers(0, 12),
)


def matches(rule: RuleTerms, order: OrderFacts) -> bool:
    """The rules as docs/approvals.md states them, written out once more."""
    number = rule.number or 0
    return {
        Kind.LINES_OVER: lambda: len(order.quantities) > number,
        Kind.QUANTITY_OVER: lambda: any(q > number for q in order.quantities),
        Kind.PRIORITY: lambda: order.priority == number,
        Kind.DISPATCH_WITHIN: lambda: (
            order.dispatch_at is not None and order.dispatch_at - NOW < timedelta(hours=number)
        ),
        Kind.ACCOUNTS: lambda: order.account_id in rule.ids,
        Kind.CARRIER_SERVICE: lambda: order.carrier_service_id in rule.ids,
        Kind.NEW_KEYER: lambda: order.keyed_before < number,
    }[Kind(rule.kind)]()


@settings(max_examples=300, deadline=None)
@given(order=orders, rules=st.lists(st.tuples(terms, st.booleans()), max_size=6))
def test_an_order_is_held_iff_an_active_rule_matches(order, rules):
    versions = [version(rule, active=active) for rule, active in rules]

    held = rules_holding(versions, order)

    expected = [
        v
        for (rule, active), v in zip(rules, versions, strict=True)
        if active and matches(rule, order)
    ]
    assert [v for v, _why in held] == expected
    assert all(why for _v, why in held)


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_words(kind):
    rule = RuleTerms(kind=kind, number=3, ids=(4,))
    assert not rule_wording(rule).startswith("Unknown")
