"""Agents amending sent orders through the desk's amend page while Clarus misbehaves.

Each agent opens "Amend" on one of the run's sent orders, as a browser without JavaScript would:
line 1's quantity goes up by 10, the last line (of orders with more than one) is removed, and a
line of 3 of product ``ADDED_PRODUCT`` is added. It reviews the change, sends it, and whatever the
desk answers, carries on as an agent would: "Check with Clarus" when an amendment waits for an
answer, open Amend again after a conflict or a refusal. Before sending again it compares the form
(the order as Clarus holds it) with what it wants: an amendment already there is not made twice.

The count reads both sides' tables: an amendment is **lost** if the agent was told it was applied
(or gave up) and Clarus does not hold the wanted lines, **applied twice** if Clarus holds the added
line more than once or received its ADD in more than one amendment.
"""

import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

ADDED_PRODUCT = 777
ADDED_QUANTITY = 3
# How long an agent keeps at one amendment (opening, reviewing, sending, "Check with Clarus")
# before giving up: longer than the desk's lease, after which an unanswered one is decided.
GIVE_UP_SECONDS = 45.0
PAUSE_SECONDS = 0.6
PREVIEW = re.compile(r'name="reviewed" value="([^"]+)"')
PROBLEM = re.compile(r'id="amend-problem">(.*?)</div>', re.DOTALL)
TAG = re.compile(r"<[^>]+>")


class FormValues(HTMLParser):
    """Collect what a form posts: inputs (ticked boxes only), text areas, selected options."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""
        name = found.get("name")
        if not name:
            return
        if tag == "input":
            kind = found.get("type") or "text"
            if kind == "checkbox":
                if "checked" in found:
                    self.values[name] = "on"
            elif kind not in ("submit", "button"):
                self.values[name] = found.get("value") or ""
        elif tag == "textarea":
            self._textarea = name
            self.values[name] = ""
        elif tag == "select":
            self._select = name

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def form_values(html: str) -> dict[str, str]:
    parser = FormValues()
    parser.feed(html)
    return parser.values


@dataclass
class Plan:
    """One amendment: the order, and (from the first time the agent opens it) the lines Clarus
    should end up with: line 1 raised by 10, the last removed, one line added."""

    order_id: int
    first_line_id: int = 0
    first_quantity: str = ""
    removed_line_id: int | None = None

    def decide(self, values: dict[str, str]) -> None:
        """Fix the wanted lines from the order as first opened."""
        if self.first_line_id:
            return
        lines = lines_of(values)
        self.first_line_id = int(lines[0]["line_id"])
        self.first_quantity = str(int(float(lines[0]["quantity"])) + 10)
        if len(lines) > 1:
            self.removed_line_id = int(lines[-1]["line_id"])


@dataclass
class Amending:
    plan: Plan
    agent: str
    steps: list[str] = field(default_factory=list)
    # The agent was told the amendment was applied (or found it already there).
    applied: bool = False
    seconds: float = 0.0


def lines_of(values: dict[str, str]) -> list[dict[str, str]]:
    count = int(values.get("lines-TOTAL_FORMS") or 0)
    return [
        {
            key.removeprefix(f"lines-{n}-"): value
            for key, value in values.items()
            if key.startswith(f"lines-{n}-")
        }
        for n in range(count)
    ]


def wanted_form(plan: Plan, values: dict[str, str]) -> dict[str, str] | None:
    """Return the form edited towards the plan, or None when Clarus already holds the plan."""
    lines = lines_of(values)
    done = True
    data = dict(values)
    added = [
        n
        for n, line in enumerate(lines)
        if not line.get("line_id") and line.get("product_id") == str(ADDED_PRODUCT)
    ]
    for n, line in enumerate(lines):
        if line.get("line_id") == str(plan.first_line_id) and line.get("quantity") != (
            plan.first_quantity
        ):
            data[f"lines-{n}-quantity"] = plan.first_quantity
            done = False
        if plan.removed_line_id is not None and line.get("line_id") == str(plan.removed_line_id):
            data[f"lines-{n}-DELETE"] = "on"
            done = False
    held = [n for n, line in enumerate(lines) if line.get("product_id") == str(ADDED_PRODUCT)]
    if not held and not added:
        n = len(lines)
        data.update(
            {
                f"lines-{n}-product": str(ADDED_PRODUCT),
                f"lines-{n}-product_id": str(ADDED_PRODUCT),
                f"lines-{n}-quantity": str(ADDED_QUANTITY),
                "lines-TOTAL_FORMS": str(n + 1),
            }
        )
        done = False
    return None if done else data


class Amender:
    """One signed-in agent amending orders through the desk's pages."""

    def __init__(self, http: httpx.Client, username: str) -> None:
        self.http = http
        self.username = username

    def amend(self, plan: Plan) -> Amending:
        started = time.monotonic()
        amending = Amending(plan=plan, agent=self.username)
        try:
            self._amend(amending)
        except Exception as exc:  # counted in the report, never lost
            amending.steps.append(f"bench agent failed: {exc!r}")
        amending.seconds = time.monotonic() - started
        return amending

    def _amend(self, amending: Amending) -> None:
        url = f"/orders/{amending.plan.order_id}/amend/"
        deadline = time.monotonic() + GIVE_UP_SECONDS
        while time.monotonic() < deadline:
            page = self._get(amending, url)
            if page is None:
                continue
            if 'id="amend-form"' not in page:
                if self._check(amending) is None:
                    time.sleep(PAUSE_SECONDS)
                continue
            values = form_values(page)
            amending.plan.decide(values)
            data = wanted_form(amending.plan, values)
            if data is None:
                amending.applied = True
                amending.steps.append("already as wanted")
                return
            review = self._post(amending, url, {**data, "review": "1"})
            match = PREVIEW.search(review or "")
            if match is None:
                time.sleep(PAUSE_SECONDS)
                continue
            answer = self._post(amending, url, {**data, "reviewed": match[1], "send": "1"})
            if answer == "":  # redirected to the order's page: applied
                amending.applied = True
                return
            if answer is not None and 'id="check-amendment"' in answer:
                self._check(amending)
            time.sleep(PAUSE_SECONDS)

    def _check(self, amending: Amending) -> str | None:
        """Press "Check with Clarus" if the order page offers it; return the page after."""
        order = self._get(amending, f"/orders/{amending.plan.order_id}/")
        if order is None or 'id="check-amendment"' not in order:
            return order
        self._post(amending, f"/orders/{amending.plan.order_id}/amend/check/", {}, check=True)
        return order

    def _get(self, amending: Amending, url: str) -> str | None:
        try:
            page = self.http.get(url)
        except httpx.TransportError as exc:
            amending.steps.append(f"GET {url}: {type(exc).__name__}")
            return None
        if page.status_code != 200:
            amending.steps.append(f"GET {url}: HTTP {page.status_code}")
            return None
        return page.text

    def _post(
        self, amending: Amending, url: str, data: dict[str, str], *, check: bool = False
    ) -> str | None:
        """POST; return "" for a redirect (done), the page otherwise, None for no answer."""
        values = dict(data)
        if check:
            page = self.http.get(f"/orders/{amending.plan.order_id}/")
            values = {k: v for k, v in form_values(page.text).items() if k == "csrfmiddlewaretoken"}
        try:
            answer = self.http.post(url, data=values, headers={"Referer": str(self.http.base_url)})
        except httpx.TransportError as exc:
            amending.steps.append(f"POST {url}: {type(exc).__name__}")
            return None
        if answer.status_code == 302:
            amending.steps.append(f"POST {url}: done")
            return ""
        problem = PROBLEM.search(answer.text)
        said = " ".join(TAG.sub(" ", problem[1]).split()) if problem else ""
        amending.steps.append(f"POST {url}: HTTP {answer.status_code} {said[:120]}")
        return answer.text


@dataclass(frozen=True)
class AmendTally:
    amended: int
    applied: int
    lost: list[int]
    twice: list[int]
    desk_disagrees: list[int]
    not_applied: list[int]
    attempts_by_outcome: dict[str, int]
    # Applied in Clarus though the desk got no answer: found by reading it, not sent again.
    adopted: int


def amend_tally(*, plans: Sequence[Plan], results: Sequence[Amending]) -> AmendTally:
    """Count, from the desk's and the sandbox's tables, what became of each amendment."""
    from collections import Counter

    from orders.models import Order, OrderAmendment, SubmissionAttempt
    from sandbox.models import SandboxGoodsOut

    told = {result.plan.order_id: result.applied for result in results}
    lost, twice, disagrees, not_applied = [], [], [], []
    applied = 0
    for plan in plans:
        order = Order.objects.get(pk=plan.order_id)
        if not plan.first_line_id:
            not_applied.append(plan.order_id)
            continue
        goods_out = SandboxGoodsOut.objects.get(pk=order.clarus_id or 0)
        lines = {line.pk: line for line in goods_out.lines.all()}
        added = [line for line in lines.values() if line.product_id == ADDED_PRODUCT]
        adds_received = sum(
            1
            for amendment in goods_out.amendments
            for change in amendment["document"]["data"]["attributes"].get("lines_changes") or []
            if change.get("type") == "ADD"
            and (change.get("attributes") or {}).get("product_id") == ADDED_PRODUCT
        )
        first = lines.get(plan.first_line_id)
        as_wanted = (
            len(added) == 1
            and added[0].order_quantity == ADDED_QUANTITY
            and first is not None
            and first.order_quantity == float(plan.first_quantity)
            and (plan.removed_line_id is None or plan.removed_line_id not in lines)
        )
        if len(added) > 1 or adds_received > 1:
            twice.append(plan.order_id)
        if as_wanted:
            applied += 1
        elif told.get(plan.order_id):
            lost.append(plan.order_id)
        else:
            not_applied.append(plan.order_id)
        desk = sorted((line.product_id, float(line.quantity)) for line in order.lines.all())
        clarus = sorted((line.product_id, line.order_quantity) for line in lines.values())
        if desk != clarus and as_wanted:
            disagrees.append(plan.order_id)
    ids = [plan.order_id for plan in plans]
    outcomes = Counter(
        SubmissionAttempt.objects.filter(order_id__in=ids, method="PATCH").values_list(
            "outcome", flat=True
        )
    )
    amendments = OrderAmendment.objects.filter(order_id__in=ids)
    return AmendTally(
        amended=len(plans),
        applied=applied,
        lost=lost,
        twice=twice,
        desk_disagrees=disagrees,
        not_applied=not_applied,
        attempts_by_outcome=dict(outcomes),
        adopted=amendments.filter(note__startswith="Found applied").count(),
    )


def amend_plans(*, tenant_id: int, prefix: str, count: int) -> list[Plan]:
    """Return amendments for up to ``count`` of the run's sent orders."""
    from orders.models import Order, OrderStatus

    orders = Order.objects.filter(
        tenant_id=tenant_id, reference__startswith=prefix, status=OrderStatus.SENT
    ).order_by("id")[:count]
    return [Plan(order_id=order.pk) for order in orders]


def run_amendments(
    *, clients: Sequence[tuple[httpx.Client, str]], plans: Sequence[Plan]
) -> list[Amending]:
    """Have the agents make every planned amendment, each agent one at a time."""
    queue = list(plans)
    lock = threading.Lock()
    results: list[Amending] = []

    def work(http: httpx.Client, username: str) -> None:
        amender = Amender(http, username)
        while True:
            with lock:
                if not queue:
                    return
                plan = queue.pop(0)
            result = amender.amend(plan)
            with lock:
                results.append(result)

    threads = [threading.Thread(target=work, args=client, daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
