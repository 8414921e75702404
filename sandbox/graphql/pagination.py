"""Relay cursor connections: ``all(first, after)`` answering ``edges { cursor node }`` and pageInfo.

Clarus pages with ``first`` and ``after`` and documents neither a default nor a maximum page size
(CONTRACT.md §2.8, §8). The sandbox answers ``DEFAULT_PAGE_SIZE`` rows when ``first`` is left out
and at most ``MAX_PAGE_SIZE`` however many are asked for, as graphql-ruby's connections do:
``hasNextPage`` then says there is more. Rows come in id order; a cursor is an opaque token for
a row's id, so paging stays exact while rows are added.
"""

import base64
import binascii
from collections.abc import Callable

import strawberry
from django.db.models import Model, QuerySet

from sandbox.graphql.errors import QueryError

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "sandbox:"


@strawberry.type
class PageInfo:
    has_next_page: bool = strawberry.field(name="hasNextPage")
    # With first/after the sandbox says true whenever after was given (Relay allows that).
    has_previous_page: bool = strawberry.field(name="hasPreviousPage")
    start_cursor: str | None = strawberry.field(name="startCursor")
    end_cursor: str | None = strawberry.field(name="endCursor")


@strawberry.type
class Edge[N]:
    cursor: str
    node: N


@strawberry.type
class Connection[N]:
    edges: list[Edge[N]]
    page_info: PageInfo = strawberry.field(name="pageInfo")


def cursor_for(pk: int) -> str:
    """Return the opaque cursor of the row with id ``pk``."""
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{pk}".encode()).decode()


def cursor_pk(cursor: str) -> int:
    """Return the row id a cursor stands for, or raise QueryError."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if text.startswith(_CURSOR_PREFIX):
            return int(text.removeprefix(_CURSOR_PREFIX))
    except (binascii.Error, UnicodeError, ValueError):
        pass
    raise QueryError(f"after: {cursor!r} is not a cursor this API gave out.")


def paginate[M: Model, N](
    rows: QuerySet[M], *, first: int | None, after: str | None, node: Callable[[M], N]
) -> Connection[N]:
    """Return one page of ``rows`` after the cursor ``after``, each row made a node."""
    if first is not None and first < 0:
        raise QueryError("first must be 0 or more.")
    size = DEFAULT_PAGE_SIZE if first is None else min(first, MAX_PAGE_SIZE)
    if after is not None:
        rows = rows.filter(pk__gt=cursor_pk(after))
    # One row more than the page tells whether there is a next page without counting.
    fetched = list(rows.order_by("pk")[: size + 1])
    edges = [Edge(cursor=cursor_for(row.pk), node=node(row)) for row in fetched[:size]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(fetched) > size,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
