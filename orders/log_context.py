"""What every log line of one piece of work shares: its request id, tenant, user and order.

The request middleware (``clarus_admin.request_log``) opens a scope per request; the delivery
worker opens one per order it sends. Lines logged inside a scope carry its fields
(``clarus_admin.log_format``), so a Clarus exchange made while serving a request names that
request's id. Ids only: no names, emails or other personal data belong here.
Nothing here imports the rest of the desk.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, replace
from typing import Any


@dataclass
class LogContext:
    request_id: str = ""
    # The tenant's subdomain.
    tenant: str = ""
    user_id: int | None = None
    order_id: int | None = None

    def fields(self) -> dict[str, Any]:
        """Return the fields that are set."""
        return {name: value for name, value in asdict(self).items() if value not in ("", None)}


_current: ContextVar[LogContext | None] = ContextVar("desk_log_context", default=None)


def log_context() -> LogContext | None:
    """Return the scope this code runs in, if any."""
    return _current.get()


@contextmanager
def log_scope(**fields: Any) -> Iterator[LogContext]:
    """Run the block in a scope of its own: the enclosing one's fields, with ``fields`` set."""
    parent = _current.get()
    scope = replace(parent, **fields) if parent is not None else LogContext(**fields)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def log_note(**fields: Any) -> None:
    """Set fields of the current scope, e.g. the order a request has just created.

    The scope is shared with whoever opened it (the request middleware reads it for the request's
    own line when the view is done). Outside any scope, nothing happens.
    """
    scope = _current.get()
    if scope is None:
        return
    for name, value in fields.items():
        setattr(scope, name, value)
