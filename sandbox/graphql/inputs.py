"""The operator inputs every filter field takes, named and shaped as Clarus documents them.

Each input turns into a ``Q`` on one database path; operators given together in one input, like
filter fields given together in one filter, must all hold (CONTRACT.md §2.8).
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

import strawberry
from django.db.models import F, Q
from django.utils import timezone

from sandbox.goods_out_records import GOODS_OUT_STATUSES
from sandbox.graphql.errors import QueryError
from sandbox.graphql.lookups import ILike, Like


@dataclass(frozen=True)
class Moment:
    """An instant, or a whole day when the caller sent a bare date: [start, end)."""

    start: datetime
    end: datetime

    @property
    def is_day(self) -> bool:
        return self.end != self.start


def moment_parse(value: object) -> Moment:
    """Read an ISO 8601 date or date-time; naive ones are in the sandbox's time zone."""
    try:
        if not isinstance(value, str):
            raise TypeError
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = timezone.make_aware(datetime.combine(day, time.min))
            end = timezone.make_aware(datetime.combine(day + timedelta(1), time.min))
            return Moment(start, end)
        instant = datetime.fromisoformat(value.upper())
    except (TypeError, ValueError):
        raise QueryError(
            f"{value!r} is not an ISO 8601 date (2026-03-11) or date-time (2026-03-11T09:30:00Z)."
        ) from None
    if timezone.is_naive(instant):
        instant = timezone.make_aware(instant)
    return Moment(instant, instant)


DATETIME_SCALAR = strawberry.scalar(
    name="ISO8601DateTime",
    description="An ISO 8601 date-time, or a bare date meaning that whole day.",
    serialize=lambda moment: moment.start.isoformat(),
    parse_value=moment_parse,
)


def _pair[T](values: list[T]) -> tuple[T, T]:
    if len(values) != 2:
        raise QueryError("between takes two values: the lowest and the highest, both included.")
    return values[0], values[1]


def _compared(path: str, **values: Any) -> Q:
    """Return ``path__<lookup>=value`` for every value given, ANDed."""
    return Q(
        **{f"{path}__{lookup}": value for lookup, value in values.items() if value is not None}
    )


@strawberry.input(description="Text: exact, pattern (see ilike/like), list or range.")
class StringInputType:
    eq: str | None = None
    ilike: str | None = strawberry.field(
        default=None, description="Case-insensitive; % is the wildcard, none means 'contains'."
    )
    like: str | None = strawberry.field(
        default=None, description="Case-sensitive; % is the wildcard, none means 'contains'."
    )
    in_: list[str] | None = strawberry.field(name="in", default=None)
    between: list[str] | None = strawberry.field(
        default=None, description="[lowest, highest], both included."
    )

    def q(self, path: str) -> Q:
        q = _compared(path, exact=self.eq, **{"in": self.in_})
        if self.ilike is not None:
            q &= Q(ILike(F(path), self.ilike))
        if self.like is not None:
            q &= Q(Like(F(path), self.like))
        if self.between is not None:
            low, high = _pair(self.between)
            q &= _compared(path, gte=low, lte=high)
        return q


def _numeric_q(numbers: "IntegerInputType | DecimalInputType", path: str) -> Q:
    """Return the condition of a number filter: comparisons and an inclusive range."""
    q = _compared(
        path, exact=numbers.eq, gt=numbers.gt, gte=numbers.gteq, lt=numbers.lt, lte=numbers.lteq
    )
    if numbers.between is not None:
        low, high = _pair(cast(list[float], numbers.between))
        q &= _compared(path, gte=low, lte=high)
    return q


@strawberry.input(description="Whole numbers: comparisons and an inclusive range.")
class IntegerInputType:
    eq: int | None = None
    gt: int | None = None
    gteq: int | None = None
    lt: int | None = None
    lteq: int | None = None
    between: list[int] | None = strawberry.field(
        default=None, description="[lowest, highest], both included."
    )

    def q(self, path: str) -> Q:
        return _numeric_q(self, path)


@strawberry.input(description="Quantities: comparisons and an inclusive range.")
class DecimalInputType:
    eq: float | None = None
    gt: float | None = None
    gteq: float | None = None
    lt: float | None = None
    lteq: float | None = None
    between: list[float] | None = strawberry.field(
        default=None, description="[lowest, highest], both included."
    )

    def q(self, path: str) -> Q:
        return _numeric_q(self, path)


@strawberry.input(
    description=(
        "Date-times, bounds included. A bare date (2026-03-11) means that whole day in the "
        "sandbox's time zone; so does a date-time without an offset."
    )
)
class DatetimeInputType:
    eq: Moment | None = None
    from_: Moment | None = strawberry.field(name="from", default=None)
    to: Moment | None = None
    between: list[Moment] | None = strawberry.field(
        default=None, description="[from, to], both included."
    )

    def q(self, path: str) -> Q:
        q = Q()
        if self.eq is not None:
            q &= (
                _compared(path, gte=self.eq.start, lt=self.eq.end)
                if self.eq.is_day
                else _compared(path, exact=self.eq.start)
            )
        bounds: list[tuple[Moment | None, Moment | None]] = [(self.from_, self.to)]
        if self.between is not None:
            earliest, latest = _pair(self.between)
            bounds.append((earliest, latest))
        for low, high in bounds:
            if low is not None:
                q &= _compared(path, gte=low.start)
            if high is not None:
                q &= (
                    _compared(path, lt=high.end) if high.is_day else _compared(path, lte=high.start)
                )
        return q


@strawberry.input(description="True or false.")
class BooleanInputType:
    eq: bool

    def q(self, path: str) -> Q:
        return Q(**{path: self.eq})


@strawberry.input(
    description="Record ids: comparisons, a list, and filled (true: set, false: not set)."
)
class IdInputType:
    eq: strawberry.ID | None = None
    gt: strawberry.ID | None = None
    gteq: strawberry.ID | None = None
    lt: strawberry.ID | None = None
    lteq: strawberry.ID | None = None
    in_: list[strawberry.ID] | None = strawberry.field(name="in", default=None)
    filled: bool | None = None

    def q(self, path: str) -> Q:
        q = _compared(
            path,
            exact=_id(self.eq),
            gt=_id(self.gt),
            gte=_id(self.gteq),
            lt=_id(self.lt),
            lte=_id(self.lteq),
            **{"in": None if self.in_ is None else [_id(value) for value in self.in_]},
        )
        if self.filled is not None:
            q &= Q(**{f"{path}__isnull": not self.filled})
        return q

    def without_filled(self) -> "IdInputType":
        """Return the same operators except ``filled``."""
        return IdInputType(
            eq=self.eq, gt=self.gt, gteq=self.gteq, lt=self.lt, lteq=self.lteq, in_=self.in_
        )


def _id(value: strawberry.ID | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise QueryError(f"{value!r} is not an id: ids are whole numbers.") from None


@strawberry.enum(description="Clarus's default goods-out status codes (CONTRACT.md §2.6).")
class GoodsOutStatusCode(enum.Enum):
    DRAFT = "DRAFT"
    PENDING = "PENDING"
    PICK = "PICK"
    PART = "PART"
    ALLOCATED = "ALLOCATED"
    COMPLETED = "COMPLETED"
    PART_ALLOCATED = "PART_ALLOCATED"
    CANCELLED = "CANCELLED"


_STATUS_IDS = {code: status_id for status_id, (code, _name) in GOODS_OUT_STATUSES.items()}


@strawberry.input(description="Goods-out status codes: one, or any of a list.")
class StatusCodeInputType:
    eq: GoodsOutStatusCode | None = None
    in_: list[GoodsOutStatusCode] | None = strawberry.field(name="in", default=None)

    def q(self, path: str) -> Q:
        """Match on ``path``, a goods-out status id column."""
        return _compared(
            path,
            exact=None if self.eq is None else _STATUS_IDS[self.eq.value],
            **{"in": None if self.in_ is None else [_STATUS_IDS[code.value] for code in self.in_]},
        )


Operator = (
    StringInputType
    | IntegerInputType
    | DecimalInputType
    | DatetimeInputType
    | BooleanInputType
    | IdInputType
    | StatusCodeInputType
)
