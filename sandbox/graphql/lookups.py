r"""``like`` and ``ilike`` as SQL that means the same on SQLite and PostgreSQL.

Clarus calls ``like`` a case-sensitive and ``ilike`` a case-insensitive partial match
(CONTRACT.md §2.8). The sandbox reads the value as an SQL LIKE pattern in which ``%`` is the
only wildcard:

- a value without ``%`` matches anywhere in the field: ``mug`` means ``%mug%``;
- a value with ``%`` must match the whole field: ``MUG-%`` is a prefix, ``%350ml`` a suffix,
  ``%blue%mug%`` two words in that order;
- ``_`` and ``\`` are ordinary characters, so codes such as ``SKU_1`` need no escaping.

SQLite's LIKE ignores ASCII case and its GLOB does not, so ``like`` is a GLOB there.
"""

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup
from django.db.models.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from django.db.models.sql.compiler import _AsSqlType


def like_pattern(value: str) -> str:
    """Return ``value`` as a LIKE pattern whose escape character is the backslash."""
    escaped = value.replace("\\", "\\\\").replace("_", "\\_")
    return escaped if "%" in value else f"%{escaped}%"


def glob_pattern(value: str) -> str:
    """Return ``value`` as an SQLite GLOB pattern with the same meaning."""
    escaped = re.sub(r"([*?\[])", r"[\1]", value).replace("%", "*")
    return escaped if "%" in value else f"*{escaped}*"


class _Pattern(Lookup[str]):
    """``lhs <operator> pattern``: the value is turned into the backend's pattern."""

    prepare_rhs = False

    def _sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        template: str,
        pattern: Callable[[str], str],
    ) -> "_AsSqlType":
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = (*lhs_params, *(pattern(str(value)) for value in rhs_params))
        return template.format(lhs=lhs, rhs=rhs), params


class Like(_Pattern):
    """Case-sensitive match of a ``like`` value."""

    lookup_name = "sandbox_like"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        return self._sql(compiler, connection, "{lhs} LIKE {rhs} ESCAPE '\\'", like_pattern)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        return self._sql(compiler, connection, "{lhs} GLOB {rhs}", glob_pattern)


class ILike(_Pattern):
    """Case-insensitive match of an ``ilike`` value."""

    lookup_name = "sandbox_ilike"

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        return self._sql(
            compiler, connection, "UPPER({lhs}) LIKE UPPER({rhs}) ESCAPE '\\'", like_pattern
        )

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        return self._sql(compiler, connection, "{lhs}::text ILIKE {rhs} ESCAPE '\\'", like_pattern)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> "_AsSqlType":
        # SQLite's LIKE already ignores ASCII case; no UPPER() keeps it a plain column scan.
        return self._sql(compiler, connection, "{lhs} LIKE {rhs} ESCAPE '\\'", like_pattern)
