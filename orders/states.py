"""The order's states, which of them mean what, and the moves between them: one table.

``OrderStatus`` and ``AttemptOutcome`` are defined here and re-exported by ``orders.models``.
Every named set of states the desk decides by lives here, and every change of an order's
status is checked against ``MOVES`` when it is written (``orders.audit.order_transition``).
Nothing here imports the rest of the desk.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import models


class OrderStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    REJECTED = "rejected", "Rejected by Clarus"
    FAILED = "failed", "Not sent"
    UNKNOWN = "unknown", "No answer from Clarus"
    CANCELLED = "cancelled", "Cancelled in Clarus"
    # Held by one of the tenant's approval rules until a supervisor decides (docs/approvals.md).
    HELD = "held", "Awaiting approval"
    DECLINED = "declined", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn (never sent)"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Accepted"
    REJECTED = "rejected", "Rejected by Clarus"
    UNAUTHORIZED = "unauthorized", "Credentials refused"
    SERVER_ERROR = "server_error", "Clarus error"
    NO_ANSWER = "no_answer", "No answer"
    UNREACHABLE = "unreachable", "Could not connect"
    CANCELLED = "cancelled", "Cancelled"
    CANCEL_REFUSED = "cancel_refused", "Cancel refused"
    # An amendment of a sent order (orders.services.amend): applied, refused, no answer, or
    # not taken (no connection, a Clarus error, credentials refused).
    AMENDED = "amended", "Amended"
    AMEND_REFUSED = "amend_refused", "Amendment refused"
    AMEND_NO_ANSWER = "amend_no_answer", "Amendment: no answer"
    AMEND_FAILED = "amend_failed", "Amendment not taken"


DRAFT, SENDING, SENT = OrderStatus.DRAFT, OrderStatus.SENDING, OrderStatus.SENT
REJECTED, FAILED, UNKNOWN = OrderStatus.REJECTED, OrderStatus.FAILED, OrderStatus.UNKNOWN
CANCELLED = OrderStatus.CANCELLED
HELD, DECLINED, WITHDRAWN = OrderStatus.HELD, OrderStatus.DECLINED, OrderStatus.WITHDRAWN

# The agent may still change what was keyed: nothing of it is in Clarus.
EDITABLE = frozenset({DRAFT, REJECTED, FAILED, DECLINED})
# The delivery worker may take these for sending (and a ``sending`` one whose lease ran out).
CLAIMABLE = frozenset({DRAFT, FAILED, UNKNOWN})
# Waiting for the desk's next try, or for a connection that may be back.
WAITING = frozenset({FAILED, UNKNOWN})
# "Send again" may be offered.
RESENDABLE = frozenset({DRAFT, FAILED, UNKNOWN})
# The states the delivery worker claims and reconciles from (``sending`` once its sender's lease
# ran out): nobody else is sending these, so a goods-out found for one is adopted.
ADOPTABLE = frozenset({UNKNOWN, FAILED, SENDING})
# A request for the order may have reached Clarus without the desk learning the goods-out id:
# being sent, or after a try that got no answer (which ``unknown`` stands for). A ``failed`` order
# may be too, if one of its tries went unanswered (``audit.order_had_unanswered_try``); a draft
# never went, a rejected one Clarus refused.
MAY_BE_IN_CLARUS = frozenset({SENDING, UNKNOWN})
# Clarus is asked by reference before anything is sent again.
RECONCILE_FIRST = frozenset({UNKNOWN, SENDING})
# Orders whose fate Clarus has decided: accepted (and maybe cancelled since), or refused.
CLARUS_DECIDED = frozenset({SENT, CANCELLED, REJECTED})
# Settled with Clarus: nothing more goes to Clarus for these orders, so their personal data may
# be removed (orders.services.privacy). Every other state may still be sent, corrected, found in
# Clarus or resent, and needs the address it was keyed with: erasing a person is refused while
# any of their orders is in one of them (UNSETTLED). A withdrawn order (refused by a supervisor
# and let go) never goes to Clarus at all.
SETTLED = CLARUS_DECIDED | frozenset({WITHDRAWN})
UNSETTLED = frozenset(OrderStatus) - SETTLED
# A supervisor may ask Clarus to cancel the goods-out.
CANCELLABLE = frozenset({SENT})
# Outcomes after which the desk tries again by itself.
RETRYABLE_OUTCOMES = frozenset(
    {AttemptOutcome.SERVER_ERROR, AttemptOutcome.UNREACHABLE, AttemptOutcome.UNAUTHORIZED}
)

# What each kind of answer to "create this goods-out" (``domain.AnswerKind``) means for the
# attempt and the order: Clarus took it, refused it, or the desk tries again or asks first.
VERDICTS: Mapping[str, tuple[AttemptOutcome, OrderStatus]] = {
    "created": (AttemptOutcome.SENT, SENT),
    "no_id": (AttemptOutcome.NO_ANSWER, UNKNOWN),
    "refused": (AttemptOutcome.REJECTED, REJECTED),
    "no_token": (AttemptOutcome.UNAUTHORIZED, FAILED),
    "unauthorized": (AttemptOutcome.UNAUTHORIZED, FAILED),
    "throttled": (AttemptOutcome.SERVER_ERROR, FAILED),
    "server_error": (AttemptOutcome.SERVER_ERROR, FAILED),
    "no_answer": (AttemptOutcome.NO_ANSWER, UNKNOWN),
    "unreachable": (AttemptOutcome.UNREACHABLE, FAILED),
}

# Waiting for a supervisor's yes or no: never claimed by the delivery worker.
AWAITING_DECISION = frozenset({HELD})
# Never to be sent, on a person's word: whoever keyed it (or a supervisor) may let it go. A
# supervisor said no (it may also be corrected, and sent again, which checks the rules again),
# or the desk gave up sending it (``failed``: it may also be sent again). Nothing of either ever
# reached Clarus; a failed order one of whose tries went unanswered may have, and is not let go
# (``orders.services.approvals.order_withdraw``): the desk asks Clarus first.
WITHDRAWABLE = frozenset({DECLINED, FAILED})

# Every move an order's status may make (docs/how-an-order-travels.md):
# draft → draft (keyed; corrected) and → sending (claimed); rejected and failed → draft
# (corrected); failed and unknown → sending (tried again) or → sent (found in Clarus); failed →
# withdrawn (let go, when no try of it went unanswered); a lapsed
# sending → sending (claimed again); sending → sent, rejected, failed or unknown (Clarus's answer,
# or none); sent → cancelled. Approval (docs/approvals.md): draft → held (an approval rule
# matched); held → draft (approved: then claimed like any draft) or → declined; declined → draft
# (corrected) or → withdrawn.
MOVES: Mapping[OrderStatus, frozenset[OrderStatus]] = {
    DRAFT: frozenset({DRAFT, SENDING, HELD}),
    HELD: frozenset({DRAFT, DECLINED}),
    DECLINED: frozenset({DRAFT, WITHDRAWN}),
    WITHDRAWN: frozenset(),
    REJECTED: frozenset({DRAFT}),
    FAILED: frozenset({DRAFT, SENDING, SENT, WITHDRAWN}),
    UNKNOWN: frozenset({SENDING, SENT}),
    SENDING: frozenset({SENDING, SENT, REJECTED, FAILED, UNKNOWN}),
    SENT: frozenset({CANCELLED}),
    CANCELLED: frozenset(),
}


def move_allowed(frm: str, to: str) -> bool:
    """Return whether an order may go from status ``frm`` to status ``to``."""
    return frm in MOVES and to in MOVES[OrderStatus(frm)]


def can_correct(status: str, outcomes: Iterable[str]) -> bool:
    """Return whether an order may be corrected and sent again: nothing of it is in Clarus.

    Not after a try that went unanswered (one of ``outcomes``, read only for a failed order):
    that try may yet be found in Clarus, and the desk would adopt it, leaving the corrections on
    the desk only.
    """
    if status in (REJECTED, DECLINED):
        return True
    return status == FAILED and not any(outcome == AttemptOutcome.NO_ANSWER for outcome in outcomes)


# A sent order's goods-out may be amended in Clarus (Clarus itself refuses once picking starts).
AMENDABLE = frozenset({SENT})


def amendable(status: str) -> bool:
    return status in AMENDABLE


def can_resend(status: str) -> bool:
    return status in RESENDABLE


def cancellable(status: str) -> bool:
    return status in CANCELLABLE


def awaiting_decision(status: str) -> bool:
    return status in AWAITING_DECISION


def withdrawable(status: str) -> bool:
    return status in WITHDRAWABLE


def retries_automatically(status: str, next_attempt_at: datetime | None) -> bool:
    return next_attempt_at is not None and status in WAITING
