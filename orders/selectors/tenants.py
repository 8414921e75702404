"""Reads of the signed-in user's tenants: their memberships."""

from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from orders.crypto import EncryptedTextField, sealed_from_db_value
from orders.models import Membership, Tenant


def membership_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> list[Membership]:
    """Return the user's memberships with their tenants, in a stable order."""
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user_id=user.pk).select_related("tenant").order_by("tenant__name")
    )


# The three models the signed-in read returns, in the order of their columns in its rows.
_READ_MODELS: tuple[type[Model], ...] = (User, Membership, Tenant)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


_statements: dict[str, str] = {}


def _signed_in_sql(connection: BaseDatabaseWrapper) -> str:
    """The one statement of ``user_with_memberships``, written once per process and database."""
    known = _statements.get(connection.vendor)
    if known is None:
        known = _statements[connection.vendor] = _signed_in_statement(connection.ops.quote_name)
    return known


def _signed_in_statement(quote: Callable[[str], str]) -> str:
    def column(model: type[Model], name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(str(field.column))

    def columns(model: type[Model], alias: str) -> str:
        return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)

    user, membership, tenant = (quote(model._meta.db_table) for model in _READ_MODELS)
    return (
        f"SELECT {columns(User, 'u')}, {columns(Membership, 'm')}, {columns(Tenant, 't')} "
        f"FROM {user} u "
        f"LEFT JOIN {membership} m ON m.{column(Membership, 'user')} = u.{column(User, 'id')} "
        f"LEFT JOIN {tenant} t ON t.{column(Tenant, 'id')} = m.{column(Membership, 'tenant')} "
        f"WHERE u.{column(User, 'id')} = %s "
        f"ORDER BY t.{column(Tenant, 'name')}, m.{column(Membership, 'id')}"
    )


# Per database connection (each thread has its own): each column's converters, as the ORM
# applies them (SQLite's dates and booleans), but the tenant's secrets are left sealed until read.
ColumnConverters = list[list[tuple[Converter, Any]]]
_converters: "WeakKeyDictionary[BaseDatabaseWrapper, ColumnConverters]" = WeakKeyDictionary()


def _column_converters(connection: BaseDatabaseWrapper) -> ColumnConverters:
    known = _converters.get(connection)
    if known is None:
        known = []
        for model in _READ_MODELS:
            for field in model._meta.concrete_fields:
                column = field.get_col(model._meta.db_table)
                steps = [*connection.ops.get_db_converters(column)]
                if isinstance(field, EncryptedTextField):
                    # Opened when read: most requests never use a tenant's secrets.
                    steps.append(sealed_from_db_value)
                else:
                    steps.extend(field.get_db_converters(connection))
                known.append([(each, column) for each in steps])
        _converters[connection] = known
    return known


def _instance(
    model: type[Model], values: Sequence[Any], alias: str
) -> Any:  # an instance of ``model``
    return model.from_db(alias, [f.attname for f in model._meta.concrete_fields], values)


def user_with_memberships(
    *, user_id: int, using: str = "default"
) -> tuple[User | None, list[Membership]]:
    """Return the user and their memberships with their tenants, read in one statement.

    Every signed-in request reads these (``clarus_admin.authentication``), from the database each
    time: a deactivated user or a removed membership loses access on the very next request,
    whatever process answers it. Written as SQL because building the same three reads with the
    ORM cost about ten times the reading. The rows are the ORM's instances, as
    ``User.objects.get`` and ``membership_list_for_user`` return them (each membership's tenant
    and user already set), ordered as ``membership_list_for_user`` orders them; the tenants'
    secrets are decrypted when first read (``orders.crypto.Sealed``), not with the row.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(_signed_in_sql(connection), [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None, []
    converters = _column_converters(connection)
    counts = [len(model._meta.concrete_fields) for model in _READ_MODELS]
    user: User | None = None
    memberships: list[Membership] = []
    user_end, membership_end = counts[0], counts[0] + counts[1]
    for number, raw in enumerate(rows):
        row = list(raw)
        # The user's columns repeat on every row: read them from the first.
        for index in range(0 if number == 0 else user_end, len(row)):
            for convert, column in converters[index]:
                row[index] = convert(row[index], column, connection)
        if user is None:
            user = _instance(User, row[:user_end], using)
        if row[user_end] is None:
            continue
        membership = _instance(Membership, row[user_end:membership_end], using)
        tenant = _instance(Tenant, row[membership_end:], using)
        Membership.tenant.field.set_cached_value(membership, tenant)
        Membership.user.field.set_cached_value(membership, user)
        memberships.append(membership)
    return user, memberships
