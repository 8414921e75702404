"""On PostgreSQL the database itself keeps the audit append-only: only redaction changes it.

The trigger of migration 0024 refuses UPDATE and DELETE of attempts, address-save attempts and
transitions unless ``orders.audit.append_only_released`` set ``desk.redacting`` in the same
transaction; redaction's batches skip the orders someone else holds.
"""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from orders.audit import Actor, append_only_released
from orders.models import AddressSaveAttempt, Order, OrderTransition, SubmissionAttempt
from orders.selectors.privacy import Person
from orders.services.privacy import person_erase, retention_batch_redact
from tests.orders.people import ANN, footprint

pytestmark = pytest.mark.postgres_only

GUARDED = [
    (SubmissionAttempt, "request_body"),
    (AddressSaveAttempt, "request_body"),
    (OrderTransition, "reason"),
]


@pytest.fixture
def order(make_tenant):
    tenant = make_tenant()
    return footprint(tenant, User.objects.create_user("keyer"), ANN, reference="A-1")


@pytest.mark.parametrize(("model", "column"), GUARDED, ids=[m.__name__ for m, _ in GUARDED])
def test_a_raw_update_or_delete_of_an_audit_row_is_refused(order, model, column):
    table = model._meta.db_table
    row = model.objects.order_by("pk").first()

    for sql in (
        f"UPDATE {table} SET {column} = 'changed' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])

    assert model.objects.filter(pk=row.pk).exists()
    assert getattr(model.objects.get(pk=row.pk), column) == getattr(row, column)


def test_a_queryset_update_is_refused_too(order):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SubmissionAttempt.objects.filter(order=order).update(error="rewritten")


def test_the_redaction_path_may_change_them_and_the_flag_ends_with_its_transaction(order):
    erased = person_erase(
        tenant=order.tenant,
        person=Person.of(email=ANN.email),
        by=Actor(None, "test"),
        reason="Asked",
    )

    assert erased == 1
    assert ANN.name not in "".join(SubmissionAttempt.objects.values_list("request_body", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('desk.redacting', true)")
        assert cursor.fetchone()[0] in (None, "", "off")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        SubmissionAttempt.objects.filter(order=order).update(error="rewritten")


def test_the_flag_set_by_hand_outside_a_transaction_does_not_last(order):
    with append_only_released():
        SubmissionAttempt.objects.filter(order=order).update(error="")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        OrderTransition.objects.filter(order=order).delete()


@pytest.mark.django_db(transaction=True)
def test_a_retention_batch_skips_an_order_someone_holds_and_does_not_wait(make_tenant):
    tenant = make_tenant()
    keyer = User.objects.create_user("keyer")
    old = timezone.now() - timedelta(days=800)
    held = footprint(tenant, keyer, ANN, reference="HELD", created_at=old, with_draft=False)
    free = footprint(tenant, keyer, ANN, reference="FREE", created_at=old, with_draft=False)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Order.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        done = retention_batch_redact(tenant_id=tenant.pk, before=timezone.now(), reason="kept")
    finally:
        release.set()
        holder.join()

    assert done == 1
    assert Order.objects.get(pk=free.pk).personal_data_removed_at is not None
    assert Order.objects.get(pk=held.pk).personal_data_removed_at is None
