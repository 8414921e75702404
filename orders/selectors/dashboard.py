"""Reads for the supervisors' dashboard: orders per agent per day, Clarus's rejection rate and
its top reasons, and how long an order takes to key.

Every figure comes from a fixed handful of queries, however many orders there are. Each reads
only the chosen tenants' orders of the period, from the indexes ``order_dashboard`` and
``attempt_rejected``: the cost grows with the period's orders, not with the table's
(docs/dashboard.md, bench/README.md).
"""

import statistics
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import connections
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from orders import states
from orders.clarus.errors import refusals_in, source_key, source_target
from orders.domain import FieldRef
from orders.models import AttemptOutcome, Order, OrderStatus, SubmissionAttempt

# How many of Clarus's reasons the dashboard lists.
TOP_REASONS = 8
# Keying time: from the entry page opening to the order being saved (Order.keying_started_at).
KEYING_TIME = ExpressionWrapper(
    F("created_at") - F("keying_started_at"), output_field=DurationField()
)


@dataclass(frozen=True)
class Period:
    """Whole days in the desk's time zone, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    @classmethod
    def last_days(cls, days: int, *, today: date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(first=today - timedelta(days=days - 1), last=today)

    @property
    def length(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.length)]

    def bounds(self) -> tuple[datetime, datetime]:
        """Return the first moment of the period and the first moment after it."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.first, time.min, zone),
            datetime.combine(self.last + timedelta(days=1), time.min, zone),
        )


@dataclass(frozen=True)
class Tally:
    """Orders keyed, decided by Clarus and rejected by Clarus, over some stretch of time."""

    keyed: int = 0
    decided: int = 0
    rejected: int = 0

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            self.keyed + other.keyed, self.decided + other.decided, self.rejected + other.rejected
        )

    @property
    def rejection_rate(self) -> float | None:
        """Rejected ÷ decided, or None when Clarus decided nothing."""
        return self.rejected / self.decided if self.decided else None


@dataclass(frozen=True)
class DayFigures:
    day: date
    tally: Tally
    # Orders keyed that day by each agent, in the order of Dashboard.agents.
    per_agent: tuple[int, ...] = ()


@dataclass(frozen=True)
class AgentFigures:
    agent_id: int
    username: str
    # Orders keyed on each day of the period, in the period's order.
    per_day: tuple[int, ...]
    tally: Tally
    median_keying: timedelta | None
    # Orders whose keying time is known (keyed on an entry page that stamped its opening).
    timed: int

    @property
    def keyed(self) -> int:
        return self.tally.keyed


@dataclass(frozen=True)
class RejectionReason:
    """One of Clarus's 422 errors (CONTRACT.md §3.2), grouped by symbol and field."""

    symbol: str
    source: str
    code: int | None
    # The most recent wording: details often name the product or postcode concerned.
    example: str
    count: int
    # The entry form's field the source names, on no line in particular.
    target: FieldRef | None = None

    @property
    def label(self) -> str:
        return self.symbol or self.example


@dataclass(frozen=True)
class Dashboard:
    period: Period
    days: list[DayFigures]
    agents: list[AgentFigures]
    total: Tally
    median_keying: timedelta | None
    timed: int
    reasons: list[RejectionReason]
    # Rejected attempts the reasons come from (an attempt may give several reasons).
    rejected_attempts: int


def dashboard_get(*, tenant_ids: Collection[int], period: Period) -> Dashboard:
    """Return the dashboard's figures for orders keyed in ``tenant_ids`` during ``period``."""
    start, end = period.bounds()
    orders = Order.objects.filter(
        tenant_id__in=list(tenant_ids), created_at__gte=start, created_at__lt=end
    ).order_by()
    tallies = _tallies(orders, tenant_ids=tenant_ids, start=start)
    agent_ids = {agent_id for _day, agent_id in tallies}
    names = dict(User.objects.filter(pk__in=agent_ids).values_list("pk", "username"))
    overall_median, timed, medians = _keying_medians(orders)
    reasons, rejected_attempts = _reasons(
        tenant_ids=tenant_ids, start=start, end=end, limit=TOP_REASONS
    )

    by_day: dict[date, Tally] = {}
    by_agent: dict[int, Tally] = {}
    for (day, agent_id), tally in tallies.items():
        by_day[day] = by_day.get(day, Tally()) + tally
        by_agent[agent_id] = by_agent.get(agent_id, Tally()) + tally
    agents = sorted(
        (
            AgentFigures(
                agent_id=agent_id,
                username=names.get(agent_id, f"user {agent_id}"),
                per_day=tuple(tallies.get((day, agent_id), Tally()).keyed for day in period.days),
                tally=tally,
                median_keying=medians.get(agent_id, (None, 0))[0],
                timed=medians.get(agent_id, (None, 0))[1],
            )
            for agent_id, tally in by_agent.items()
        ),
        key=lambda agent: (-agent.keyed, agent.username),
    )
    days = [
        DayFigures(
            day=day,
            tally=by_day.get(day, Tally()),
            per_agent=tuple(agent.per_day[index] for agent in agents),
        )
        for index, day in enumerate(period.days)
    ]
    return Dashboard(
        period=period,
        days=days,
        agents=agents,
        total=_sum(day.tally for day in days),
        median_keying=overall_median,
        timed=timed,
        reasons=reasons,
        rejected_attempts=rejected_attempts,
    )


def _sum(tallies: Iterable[Tally]) -> Tally:
    return sum(tallies, Tally())


def _tallies(
    orders: QuerySet[Order], *, tenant_ids: Collection[int], start: datetime
) -> dict[tuple[date, int], Tally]:
    """Return the tally per (day keyed, agent), in one grouped query.

    An order counts as rejected when Clarus ever refused it, even if it was corrected and sent
    since: its status alone would hide every rejection that was put right. The rejected orders
    come from a subquery over the partial index of rejected attempts (``attempt_rejected``),
    which PostgreSQL reads from the index alone and hashes once for each count that uses it.
    """
    ever_rejected = Q(status=OrderStatus.REJECTED) | Q(
        pk__in=SubmissionAttempt.objects.filter(
            tenant_id__in=list(tenant_ids),
            outcome=AttemptOutcome.REJECTED,
            started_at__gte=start,
        ).values("order_id")
    )
    rows = (
        orders.annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "created_by_id")
        .annotate(
            keyed=Count("pk"),
            decided=Count("pk", filter=ever_rejected | Q(status__in=states.CLARUS_DECIDED)),
            rejected=Count("pk", filter=ever_rejected),
        )
    )
    return {
        (row["day"], row["created_by_id"]): Tally(row["keyed"], row["decided"], row["rejected"])
        for row in rows
    }


class Median(Aggregate):
    """PostgreSQL's exact median, ``percentile_cont(0.5)``, of an interval or a number."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def _keying_medians(
    orders: QuerySet[Order],
) -> tuple[timedelta | None, int, dict[int, tuple[timedelta | None, int]]]:
    """Return the median keying time and how many orders it covers, overall and per agent.

    Orders without ``keying_started_at`` (keyed before it was recorded, or not on the entry
    page) are left out, and so is a stamp later than the order, which no real keying makes.
    PostgreSQL computes the medians itself; elsewhere (SQLite, in development) the durations
    of the period are read and the medians taken in Python.
    """
    timed = orders.filter(keying_started_at__isnull=False, keying_started_at__lte=F("created_at"))
    if connections[timed.db].vendor == "postgresql":
        overall = timed.aggregate(median=Median(KEYING_TIME), timed=Count("pk"))
        per_agent = timed.values("created_by_id").annotate(
            median=Median(KEYING_TIME), timed=Count("pk")
        )
        return (
            overall["median"],
            overall["timed"],
            {row["created_by_id"]: (row["median"], row["timed"]) for row in per_agent},
        )
    durations: dict[int, list[timedelta]] = {}
    for agent_id, created_at, started_at in timed.values_list(
        "created_by_id", "created_at", "keying_started_at"
    ):
        if started_at is not None:  # always, by the filter; said again for the type checker
            durations.setdefault(agent_id, []).append(created_at - started_at)
    everything = [duration for each in durations.values() for duration in each]
    return (
        _median(everything),
        len(everything),
        {agent_id: (_median(each), len(each)) for agent_id, each in durations.items()},
    )


def _median(durations: list[timedelta]) -> timedelta | None:
    if not durations:
        return None
    seconds = statistics.median(duration.total_seconds() for duration in durations)
    return timedelta(seconds=seconds)


def _reasons(
    *, tenant_ids: Collection[int], start: datetime, end: datetime, limit: int
) -> tuple[list[RejectionReason], int]:
    """Return Clarus's most frequent reasons for rejecting the period's orders, and how many
    rejected attempts they come from.

    Reads the response bodies of the rejected attempts of orders keyed in the period (the
    partial index ``attempt_rejected`` finds them without touching the accepted ones: about
    one attempt in twenty) and groups their errors by symbol and field in Python, the one place
    that reads Clarus's errors the same way on every database, and forgives a body that is not
    JSON. See docs/dashboard.md for what this costs at a million orders.
    """
    bodies = (
        SubmissionAttempt.objects.filter(
            tenant_id__in=list(tenant_ids),
            outcome=AttemptOutcome.REJECTED,
            started_at__gte=start,
            order__created_at__gte=start,
            order__created_at__lt=end,
        )
        .order_by("-started_at", "-id")
        .values_list("response_body", flat=True)
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    first_seen: dict[tuple[str, str, str], tuple[int | None, str]] = {}
    rejected = 0
    for body in bodies:
        rejected += 1
        for code, symbol, details, source in clarus_errors(body):
            # Without a symbol, Clarus's wording is all there is to tell reasons apart.
            key = (symbol, source, "" if symbol else details)
            counts[key] += 1
            first_seen.setdefault(key, (code, details))
    reasons = [
        RejectionReason(
            symbol=key[0],
            source=key[1],
            code=first_seen[key][0],
            example=first_seen[key][1],
            count=count,
            target=source_target(key[1]),
        )
        for key, count in sorted(counts.items(), key=_by_count)[:limit]
    ]
    return reasons, rejected


def clarus_errors(body: str) -> list[tuple[int | None, str, str, str]]:
    """Return (code, symbol, details, source) for each error of a kept Clarus 422 body.

    Read as the order page reads it (``clarus.errors.refusals_in``), with line indexes dropped
    from the source (``clarus.errors.source_key``), so every line's same field is one reason. A
    body that is not Clarus's shape is one reason of its own.
    """
    return [
        (refusal.code, refusal.symbol, refusal.details, source_key(refusal.source))
        for refusal in refusals_in(body)
    ]


def _by_count(item: tuple[tuple[str, str, str], int]) -> tuple[int, tuple[str, str, str]]:
    key, count = item
    return -count, key
