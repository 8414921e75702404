"""The order's states: the named sets and the one table of moves."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from orders import states
from orders.domain import AnswerKind
from orders.models import AttemptOutcome, OrderStatus


def test_the_table_names_every_status_and_only_statuses() -> None:
    assert set(states.MOVES) == set(OrderStatus)
    for targets in states.MOVES.values():
        assert targets <= set(OrderStatus)


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        ("draft", "draft"),
        ("draft", "sending"),
        ("rejected", "draft"),
        ("failed", "draft"),
        ("failed", "sending"),
        ("failed", "sent"),
        ("unknown", "sending"),
        ("unknown", "sent"),
        ("sending", "sending"),
        ("sending", "sent"),
        ("sending", "rejected"),
        ("sending", "failed"),
        ("sending", "unknown"),
        ("sent", "cancelled"),
    ],
)
def test_the_desk_s_moves_are_allowed(frm: str, to: str) -> None:
    assert states.move_allowed(frm, to)


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        ("sent", "draft"),
        ("sent", "sending"),
        ("cancelled", "sent"),
        ("rejected", "sent"),
        ("unknown", "draft"),
        ("draft", "sent"),
        ("nonsense", "draft"),
    ],
)
def test_other_moves_are_not(frm: str, to: str) -> None:
    assert not states.move_allowed(frm, to)


def test_a_refused_order_can_be_corrected_a_failed_one_unless_a_try_went_unanswered() -> None:
    assert states.can_correct("rejected", [AttemptOutcome.NO_ANSWER])
    assert states.can_correct("failed", [AttemptOutcome.SERVER_ERROR])
    assert not states.can_correct("failed", [AttemptOutcome.SERVER_ERROR, "no_answer"])
    assert not states.can_correct("unknown", [])
    assert not states.can_correct("sent", [])


def test_the_outcomes_are_read_only_for_a_failed_order() -> None:
    def never() -> Iterator[str]:
        raise AssertionError("read")
        yield "no_answer"

    assert states.can_correct("rejected", never())
    assert not states.can_correct("sent", never())


def test_resend_cancel_and_automatic_retries() -> None:
    assert {s for s in OrderStatus if states.can_resend(s)} == {"draft", "failed", "unknown"}
    assert {s for s in OrderStatus if states.cancellable(s)} == {"sent"}
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    assert states.retries_automatically("failed", moment)
    assert states.retries_automatically("unknown", moment)
    assert not states.retries_automatically("failed", None)
    assert not states.retries_automatically("rejected", moment)


def test_every_named_set_holds_statuses_only() -> None:
    named = [
        states.EDITABLE,
        states.CLAIMABLE,
        states.WAITING,
        states.RESENDABLE,
        states.ADOPTABLE,
        states.MAY_BE_IN_CLARUS,
        states.RECONCILE_FIRST,
        states.CLARUS_DECIDED,
        states.CANCELLABLE,
    ]
    for each in named:
        assert each
        assert each <= set(OrderStatus)
    assert set(AttemptOutcome) >= states.RETRYABLE_OUTCOMES
    # An order that may be in Clarus by its state alone is one the desk may adopt.
    assert states.MAY_BE_IN_CLARUS < states.ADOPTABLE


def test_every_kind_of_clarus_answer_has_a_verdict() -> None:
    assert set(states.VERDICTS) == set(AnswerKind)
    for outcome, status in states.VERDICTS.values():
        assert outcome in set(AttemptOutcome)
        assert status in set(OrderStatus)
    assert states.VERDICTS[AnswerKind.CREATED] == (AttemptOutcome.SENT, OrderStatus.SENT)
    assert states.VERDICTS[AnswerKind.REFUSED] == (AttemptOutcome.REJECTED, OrderStatus.REJECTED)


@pytest.mark.parametrize(
    ("frm", "to", "allowed"),
    [
        ("draft", "held", True),
        ("held", "draft", True),
        ("held", "declined", True),
        ("declined", "draft", True),
        ("declined", "withdrawn", True),
        ("held", "sending", False),
        ("held", "sent", False),
        ("declined", "sending", False),
        ("withdrawn", "draft", False),
        ("withdrawn", "sending", False),
    ],
)
def test_approval_moves(frm: str, to: str, allowed: bool) -> None:
    assert states.move_allowed(frm, to) is allowed


def test_an_order_awaiting_approval_is_never_claimed_nor_sent_again() -> None:
    for status in ("held", "declined", "withdrawn"):
        assert status not in states.CLAIMABLE
        assert not states.can_resend(status)
    assert states.can_correct("declined", [])
    assert not states.can_correct("held", [])
    assert states.awaiting_decision("held")
    assert states.withdrawable("declined")


def test_every_state_is_settled_or_unsettled_and_settled_ones_move_on_only_by_the_desk() -> None:
    assert set(OrderStatus) == states.SETTLED | states.UNSETTLED
    assert not states.SETTLED & states.UNSETTLED
    # Clarus has decided a settled order: nothing of it is sent, reconciled or retried by itself.
    assert not states.SETTLED & (states.CLAIMABLE | states.WAITING | states.MAY_BE_IN_CLARUS)
    # The retention sweep's partial index (migration 0024) names the settled states as they are.
    from orders.models import Order

    [index] = [each for each in Order._meta.indexes if each.name == "order_personal_pending"]
    assert index.condition is not None
    assert dict(index.condition.children)["status__in"] == sorted(states.SETTLED)
