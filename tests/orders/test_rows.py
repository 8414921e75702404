"""Rows written in one plain statement: stored exactly as the ORM stores them."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders.models import Draft, Order, OrderLine, OrderTransition
from orders.rows import row_update, rows_delete, rows_insert

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def user(db):
    return User.objects.create_user("agent")


LEASE = timezone.now() + timedelta(seconds=30)


def order(tenant, user, reference):
    return Order(
        tenant=tenant,
        created_by=user,
        header={"reference": reference, "account_id": 7, "note": "é “quoted”"},
        address={"name": "Ada", "postcode": "LS1 4AP"},
        labels={"account_id": {"code": "ACME", "name": "Acme"}},
        reference=reference,
        account_id=7,
        status_note="Keyed",
        lease_until=LEASE,
    )


def stored(model, pk):
    return model.objects.filter(pk=pk).values().get()


def test_an_inserted_row_reads_back_as_the_orm_writes_it(make_tenant, user):
    tenant = make_tenant()
    by_orm, by_rows = order(tenant, user, "R-ORM"), order(tenant, user, "R-ROWS")
    by_orm.save()

    with CaptureQueriesContext(connection) as queries:
        rows_insert([by_rows])

    assert len(queries) == 1
    assert by_rows.pk is not None
    assert not by_rows._state.adding
    orm, rows = stored(Order, by_orm.pk), stored(Order, by_rows.pk)
    different = {"id", "reference", "header", "form_token", "created_at", "updated_at"}
    assert {k: v for k, v in rows.items() if k not in different} == {
        k: v for k, v in orm.items() if k not in different
    }
    assert rows["header"] == {**orm["header"], "reference": "R-ROWS"}
    assert rows["form_token"] == by_rows.form_token
    assert rows["created_at"] == by_rows.created_at
    assert rows["updated_at"] == by_rows.updated_at
    assert rows["created_at"] >= orm["created_at"]


def test_many_rows_in_one_statement_each_with_its_id_and_related_ids(make_tenant, user):
    tenant = make_tenant()
    parent = order(tenant, user, "R-1")
    lines = [
        OrderLine(order=parent, position=n, product_id=n, quantity=Decimal("1.250") * n)
        for n in (1, 2, 3)
    ]
    moves = [
        OrderTransition(order=parent, at=timezone.now(), from_status=a, to_status=b, actor="x")
        for a, b in (("draft", "draft"), ("draft", "sending"))
    ]
    rows_insert([parent])  # saved after the lines and moves were given it

    with CaptureQueriesContext(connection) as queries:
        rows_insert(lines)
        rows_insert(moves)

    assert len(queries) == 2
    assert [line.pk for line in lines] == list(
        OrderLine.objects.filter(order=parent).order_by("position").values_list("pk", flat=True)
    )
    assert list(parent.lines.values_list("quantity", flat=True)) == [
        Decimal("1.250"),
        Decimal("2.500"),
        Decimal("3.750"),
    ]
    assert list(parent.transitions.values_list("pk", "to_status")) == [
        (moves[0].pk, "draft"),
        (moves[1].pk, "sending"),
    ]


def test_an_update_writes_the_named_columns_and_stamps_auto_now(make_tenant, user):
    tenant = make_tenant()
    row = order(tenant, user, "R-1")
    row.save()
    before = stored(Order, row.pk)
    row.status, row.status_note, row.send_count = "sent", "Sent to Clarus.", 1
    row.reference = "NOT-WRITTEN"

    row_update(row, ["status", "status_note", "send_count", "updated_at"])

    after = stored(Order, row.pk)
    assert (after["status"], after["status_note"], after["send_count"]) == (
        "sent",
        "Sent to Clarus.",
        1,
    )
    assert after["reference"] == "R-1"
    assert after["updated_at"] > before["updated_at"]


def test_a_delete_by_a_column_removes_those_rows_only(make_tenant, user):
    tenant = make_tenant()
    kept, gone = uuid.uuid4(), uuid.uuid4()
    for token in (kept, gone):
        Draft.objects.create(
            tenant=tenant,
            created_by=user,
            form_token=token,
            form_data={},
            updated_at=timezone.now(),
        )

    assert rows_delete(Draft, "form_token", gone) == 1
    assert rows_delete(Draft, "form_token", gone) == 0
    assert list(Draft.objects.values_list("form_token", flat=True)) == [kept]
