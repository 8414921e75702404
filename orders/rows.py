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
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def _quote(name: object) -> str:
    return str(connection.ops.quote_name(str(name)))


def _fields_written(model: type[Model]) -> list[Field[Any, Any]]:
    meta = model._meta
    return [field for field in meta.concrete_fields if field is not meta.auto_field]


def rows_insert(objects: Sequence[Model]) -> None:
    """Insert new rows of one model in one statement; set each object's primary key.

    As ``bulk_create`` does, without its per-call expression work: related objects saved since
    they were assigned give their ids, ``auto_now_add`` and ``auto_now`` columns take the time.
    """
    if not objects:
        return
    model = type(objects[0])
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
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    meta = model._meta
    sql = (
        f"INSERT INTO {_quote(meta.db_table)} "
        f"({', '.join(_quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * len(objects))} "
        f"RETURNING {_quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [key for (key,) in cursor.fetchall()]
    for each, key in zip(objects, keys, strict=True):
        each.pk = key
        each._state.adding = False
        each._state.db = connection.alias


def row_update(instance: Model, names: Sequence[str]) -> None:
    """Write the named columns of a stored row as ``save(update_fields=names)`` does
    (``auto_now`` columns among them take the time), in one statement."""
    meta = instance._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    assigned = ", ".join(f"{_quote(field.column)} = %s" for field in fields)
    params = [
        field.get_db_prep_save(field.pre_save(instance, False), connection) for field in fields
    ]
    params.append(meta.pk.get_db_prep_value(instance.pk, connection))
    sql = f"UPDATE {_quote(meta.db_table)} SET {assigned} WHERE {_quote(meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rows_delete(model: type[Model], name: str, value: Any) -> int:
    """Delete the rows of ``model`` whose field ``name`` is ``value``; return how many went.

    For a model no other row refers to with a cascade (a queryset's ``delete`` would collect
    those first).
    """
    meta = model._meta
    field: Any = meta.get_field(name)
    sql = f"DELETE FROM {_quote(meta.db_table)} WHERE {_quote(field.column)} = %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_value(value, connection)])
        return int(cursor.rowcount)
