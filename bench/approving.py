"""Supervisors approving held orders over HTTP while Clarus misbehaves (``bench/chaos
--approvals``).

The run's tenant gets an approval rule that holds every order of more than two lines (about a
third of the planned orders). From the start of keying until the orders settle, the approvers
read which orders are held and approve each one through the decision page, two supervisors at
once on the same order, as a busy queue would: approval must hand each order to delivery once,
and delivery must send it to Clarus once, whatever the faults of the round.
"""

import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from bench.agents import Agent, hidden_inputs

# Orders of more than this many lines are held (the plan keys one to three lines per order).
HELD_OVER_LINES = 2


def approval_rule_add(*, tenant_id: int, username: str) -> None:
    """Give the run's tenant the rule that holds some of its orders for approval."""
    from django.contrib.auth.models import User

    from orders.models import ApprovalRuleKind, Tenant
    from orders.services.approvals import RuleTerms, approval_rule_save

    approval_rule_save(
        tenant=Tenant.objects.get(pk=tenant_id),
        user=User.objects.get(username=username),
        terms=RuleTerms(kind=ApprovalRuleKind.LINES_OVER, number=HELD_OVER_LINES),
    )


@dataclass
class Approvals:
    """What the approvers did: each POST's answer, and how long it took."""

    answers: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)


class Approvers:
    """A thread that approves the tenant's held orders until stopped (and none is left)."""

    def __init__(self, *, supervisors: Sequence[Agent], tenant_id: int) -> None:
        self.supervisors = list(supervisors)
        self.tenant_id = tenant_id
        self.done = Approvals()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="approvers", daemon=True)

    def start(self) -> None:
        for supervisor in self.supervisors:
            supervisor.login()
        self._thread.start()

    def stop(self, *, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _held(self) -> list[int]:
        from django.db import connection

        from orders.models import Order, OrderStatus

        try:
            return list(
                Order.objects.filter(tenant_id=self.tenant_id, status=OrderStatus.HELD)
                .order_by("created_at", "id")
                .values_list("pk", flat=True)[:40]
            )
        finally:
            connection.close()

    def _run(self) -> None:
        with ThreadPoolExecutor(max_workers=max(2, len(self.supervisors))) as pool:
            while True:
                held = self._held()
                if not held:
                    if self._stop.is_set():
                        return
                    time.sleep(0.2)
                    continue
                # Each order by two supervisors at once: one approves, the other is told it
                # was decided already.
                jobs = [
                    (self.supervisors[(index + turn) % len(self.supervisors)], order_id)
                    for index, order_id in enumerate(held)
                    for turn in (0, 1)
                ]
                list(pool.map(lambda job: self._approve(*job), jobs))

    def _approve(self, supervisor: Agent, order_id: int) -> None:
        started = time.monotonic()
        try:
            page = supervisor.http.get(f"/orders/{order_id}/decide/")
            form = hidden_inputs(page.text)
            answer = supervisor.http.post(
                f"/orders/{order_id}/approve/",
                data={"csrfmiddlewaretoken": form.get("csrfmiddlewaretoken", ""), "reason": ""},
                headers={"Referer": f"{supervisor.base_url}/orders/{order_id}/decide/"},
            )
            outcome = f"HTTP {answer.status_code}"
        except httpx.TransportError as exc:
            outcome = type(exc).__name__
        with self._lock:
            self.done.answers[outcome] += 1
            self.done.seconds.append(time.monotonic() - started)


@dataclass(frozen=True)
class ApprovalTally:
    held: int
    approved: int
    approved_twice: int
    sent_once: int
    sent_twice: int
    rejected: int
    not_sent: int


def approval_tally(*, tenant_id: int, prefix: str) -> ApprovalTally:
    """Count, from the desk's and the sandbox's tables, what became of the held orders."""
    from django.db.models import Count

    from orders.models import Order, OrderStatus, OrderTransition
    from sandbox.models import SandboxGoodsOut

    run = {"order__tenant_id": tenant_id, "order__reference__startswith": prefix}
    held = set(
        OrderTransition.objects.filter(**run, to_status="held").values_list(
            "order__reference", flat=True
        )
    )
    approvals = Counter(
        {
            row["order__reference"]: row["count"]
            for row in OrderTransition.objects.filter(**run, from_status="held", to_status="draft")
            .values("order__reference")
            .annotate(count=Count("pk"))
        }
    )
    statuses = dict(
        Order.objects.filter(tenant_id=tenant_id, reference__in=held).values_list(
            "reference", "status"
        )
    )
    goods_outs = Counter(
        SandboxGoodsOut.objects.filter(reference__in=held).values_list("reference", flat=True)
    )
    rejected = {ref for ref in held if statuses.get(ref) == OrderStatus.REJECTED}
    return ApprovalTally(
        held=len(held),
        approved=sum(1 for ref in held if approvals[ref] >= 1),
        approved_twice=sum(1 for ref in held if approvals[ref] > 1),
        sent_once=sum(1 for ref in held if goods_outs[ref] == 1),
        sent_twice=sum(1 for ref in held if goods_outs[ref] > 1),
        rejected=len(rejected),
        not_sent=sum(1 for ref in held - rejected if goods_outs[ref] == 0),
    )
