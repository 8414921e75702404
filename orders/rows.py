"""Rows written in one plain statement each: the writes every submit makes, without the ORM's
work of building each statement afresh.

``Model.save()``, ``bulk_create`` and a queryset's ``update`` or ``delete`` each build their SQL
from expressions for every call: about half a millisecond of Python for one INSERT or UPDATE of
one row, several times what the database takes. A submit writes a dozen rows, so
``orders.services.submission``, ``orders.services.delivery`` and ``orders.audit`` write theirs
here. The statements are the ones the ORM sends, and the values go through each field's own
``pre_save`` and ``get_db_prep_save`` (``auto_now`` stamps, JSON, decimals, dates, encrypted
text), so what is stored is exactly what the ORM would store; the names come from the model and
every value is a parameter. No ``pre_save``/``post_save`` signal is sent (the desk connects
none to these models), and a model's own ``save()`` is not called: these functions insert new
rows and change named columns, nothing else.
"""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


def _connection() -> BaseDatabaseWrapper:
    """The thread's own connection, looked up once per statement: every attribute read through
    ``django.db.connection`` is a look-up of the thread's connection again, and each value's
    preparation reads several."""
    return connections[DEFAULT_DB_ALIAS]


def _quote(connection: BaseDatabaseWrapper, name: object) -> str:
    return str(connection.ops.quote_name(str(name)))


@cache
def _fields_written(model: type[Model]) -> list[Field[Any, Any]]:
    meta = model._meta
    return [field for field in meta.concrete_fields if field is not meta.auto_field]


@cache
def _insert_sql(vendor: str, model: type[Model], count: int) -> str:
    """The INSERT of ``count`` rows of ``model``, made once per model and count: the names come
    from the model, every value is a parameter."""
    connection = _connection()
    fields = _fields_written(model)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    meta = model._meta
    return (
        f"INSERT INTO {_quote(connection, meta.db_table)} "
        f"({', '.join(_quote(connection, field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * count)} "
        f"RETURNING {_quote(connection, meta.pk.column)}"
    )


def rows_insert(objects: Sequence[Model]) -> None:
    """Insert new rows of one model in one statement; set each object's primary key.

    As ``bulk_create`` does, without its per-call expression work: related objects saved since
    they were assigned give their ids, ``auto_now_add`` and ``auto_now`` columns take the time.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = _connection()
    if not connection.features.can_return_rows_from_bulk_insert:
        model._base_manager.bulk_create(objects)
        return
    fields = _fields_written(model)
    params: list[Any] = []
    for each in objects:
        # Django's own step before an insert: a related object saved after it was assigned.
        prepare: Any = each._prepare_related_fields_for_save  # type: ignore[attr-defined]
        prepare(operation_name="rows_insert")
        params += [
            field.get_db_prep_save(field.pre_save(each, True), connection) for field in fields
        ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor, model, len(objects)), params)
        keys = [key for (key,) in cursor.fetchall()]
    for each, key in zip(objects, keys, strict=True):
        each.pk = key
        each._state.adding = False
        each._state.db = connection.alias


def row_update(instance: Model, names: Sequence[str]) -> None:
    """Write the named columns of a stored row as ``save(update_fields=names)`` does
    (``auto_now`` columns among them take the time), in one statement."""
    meta = instance._meta
    connection = _connection()
    fields: list[Any] = [meta.get_field(name) for name in names]
    assigned = ", ".join(f"{_quote(connection, field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    table, key = _quote(connection, meta.db_table), _quote(connection, meta.pk.column)
    sql = f"UPDATE {table} SET {assigned} WHERE {key} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rows_delete(model: type[Model], name: str, value: Any) -> int:
    """Delete the rows of ``model`` whose field ``name`` is ``value``; return how many went.

    For a model no other row refers to with a cascade (a queryset's ``delete`` would collect
    those first).
    """
    meta = model._meta
    connection = _connection()
    field: Any = meta.get_field(name)
    table, column = _quote(connection, meta.db_table), _quote(connection, field.column)
    sql = f"DELETE FROM {table} WHERE {column} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_value(value, connection)])
        return int(cursor.rowcount)
