"""Redacting callers' personal data: retention sweep, erasure, and the subject-access file.

The property tests generate callers (names, addresses, emails, phones, postcodes), give each a
whole footprint on the desk (tests/orders/people.py), and then read every text and JSON column
of every row of every table that keeps personal data, looking for each generated value.
"""

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders.audit import RETENTION, Actor
from orders.clarus.redaction import MARKER
from orders.domain import phone_digits
from orders.models import (
    AddressSave,
    AddressSaveAttempt,
    Draft,
    Order,
    OrderAmendment,
    OrderLine,
    OrderStatus,
    OrderTransition,
    SubmissionAttempt,
    WebhookDelivery,
)
from orders.selectors.privacy import Person, person_file, person_record
from orders.services import privacy
from orders.services.privacy import (
    ErasureRefused,
    months_before,
    person_erase,
    personal_data_sweep,
    tenant_retention_set,
)
from tests.orders.people import ANN, BEN, Caller, footprint

# Every table that holds, or once held, a caller's data.
TABLES: list[type[models.Model]] = [
    Order,
    OrderLine,
    OrderTransition,
    SubmissionAttempt,
    OrderAmendment,
    AddressSave,
    AddressSaveAttempt,
    WebhookDelivery,
    Draft,
]


def every_text() -> str:
    """Return every text and JSON column of every row of ``TABLES``, as one lower-case text."""
    parts = []
    for model in TABLES:
        for row in model._default_manager.all():
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                if isinstance(field, models.JSONField):
                    parts.append(json.dumps(value, ensure_ascii=False))
                elif isinstance(value, str):
                    try:
                        parts.append(json.dumps(json.loads(value), ensure_ascii=False))
                    except ValueError:
                        parts.append(value)
    return "\n".join(parts).lower()


def held(value: str, text: str) -> bool:
    if value.lower() in text:
        return True
    digits = phone_digits(value)
    return len(digits) >= 9 and digits in text


WORD = st.text(alphabet="abcdefghijkmnopqrstuvwxyzéøñ", min_size=3, max_size=9)
CALLERS = st.builds(
    lambda first, last, street, town, postcode, local, host, last3: Caller(
        name=f"Qz{first.title()} {last.title()}",
        address_1=f"{street} Qwlane",
        town=f"Qt{town}",
        postcode=postcode,
        email=f"q{local}@{host}.example",
        phone=f"07700 900{last3:03d}",
    ),
    WORD,
    WORD,
    st.integers(min_value=1, max_value=999),
    WORD,
    st.from_regex(r"[A-HJ-PR-Y]{2}[1-9] [1-9][A-HJ-NP-Z]{2}", fullmatch=True),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789.", min_size=3, max_size=12).filter(
        lambda text: not text.startswith(".") and not text.endswith(".") and ".." not in text
    ),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10),
    st.integers(min_value=0, max_value=999),
)
FAST = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def desk(make_tenant):
    tenant = make_tenant()
    agent = User.objects.create_user("keyer")
    supervisor = User.objects.create_user("boss")
    return tenant, agent, supervisor


def rolled_back(check):
    """Run ``check`` in a transaction that is undone after it, so examples do not meet."""
    with transaction.atomic():
        check()
        transaction.set_rollback(True)


@FAST
@given(caller=CALLERS)
def test_the_retention_sweep_leaves_no_personal_value_anywhere(desk, caller):
    tenant, agent, _ = desk

    def check():
        old = timezone.now() - timedelta(days=800)
        footprint(tenant, agent, caller, reference="OLD-1", created_at=old)
        assert all(held(value, every_text()) for value in caller.values())
        tenant_retention_set(tenant=tenant, months=18)
        Draft.objects.all().delete()  # The draft purge's work (its own test): not the sweep's.

        assert personal_data_sweep() == 1

        text = every_text()
        assert [value for value in caller.values() if held(value, text)] == []
        order = Order.objects.get()
        assert order.reference == "OLD-1"
        assert order.clarus_id == 9000
        assert order.status == OrderStatus.SENT
        assert order.created_by == agent
        assert order.lines.get().product_id == 101
        assert order.address["country_code"] == "GB"
        assert order.address["name"] == MARKER
        body = json.loads(order.attempts.filter(outcome="sent").get().request_body)
        assert body["data"]["attributes"]["reference"] == "OLD-1"
        assert body["data"]["relationships"]["address"]["data"]["attributes"]["name"] == MARKER
        removed = order.transitions.filter(actor=RETENTION.name).get()
        assert removed.reason.startswith("Personal data removed")

    rolled_back(check)


@FAST
@given(people=st.tuples(CALLERS, CALLERS))
def test_the_subject_access_file_holds_the_person_and_nobody_else(desk, people):
    tenant, agent, _ = desk
    mine, theirs = people
    if {v.lower() for v in mine.values()} & {v.lower() for v in theirs.values()} or any(
        a.lower() in b.lower() or b.lower() in a.lower()
        for a in mine.values()
        for b in theirs.values()
    ):
        return

    def check():
        footprint(tenant, agent, mine, reference="MINE-1")
        footprint(tenant, agent, theirs, reference="THEIRS-1")

        record = person_record(
            tenant=tenant, person=Person.of(email=mine.email.upper()), at=timezone.now()
        )
        archive = zipfile.ZipFile(io.BytesIO(person_file(record)))
        text = "\n".join(archive.read(name).decode() for name in archive.namelist()).lower()

        assert [value for value in mine.values() if not held(value, text)] == []
        assert [value for value in theirs.values() if held(value, text)] == []
        assert [order["reference"] for order in record["orders"]] == ["MINE-1"]
        assert len(record["drafts"]) == 1
        by_phone = person_record(
            tenant=tenant, person=Person.of(phone="+44 " + mine.phone[1:]), at=timezone.now()
        )
        assert [order["reference"] for order in by_phone["orders"]] == ["MINE-1"]

    rolled_back(check)


def test_erasure_removes_the_person_now_and_records_who_and_why(desk):
    tenant, agent, supervisor = desk
    footprint(tenant, agent, ANN, reference="A-1")
    footprint(tenant, agent, ANN, reference="A-2", status=OrderStatus.REJECTED, with_draft=False)
    footprint(tenant, agent, BEN, reference="B-1")

    erased = person_erase(
        tenant=tenant,
        person=Person.of(phone="+44 113 496 0777"),
        by=Actor.of(supervisor),
        reason="Asked by phone on 3 Dec",
    )

    assert erased == 2
    text = every_text()
    assert [value for value in ANN.values() if held(value, text)] == []
    assert [value for value in BEN.values() if not held(value, text)] == []
    step = OrderTransition.objects.get(order__reference="A-1", user=supervisor)
    assert step.actor == "boss"
    assert step.reason == "Personal data removed: Asked by phone on 3 Dec"
    assert step.from_status == step.to_status == OrderStatus.SENT
    # Once is enough: again, it finds nothing of theirs and records nothing.
    assert (
        person_erase(
            tenant=tenant, person=Person.of(email=ANN.email), by=Actor.of(supervisor), reason="x"
        )
        == 0
    )
    assert OrderTransition.objects.filter(user=supervisor).count() == 2


@pytest.mark.parametrize(
    "status",
    [OrderStatus.DRAFT, OrderStatus.SENDING, OrderStatus.UNKNOWN, OrderStatus.FAILED],
)
def test_erasure_is_refused_while_an_order_of_theirs_is_unsettled(desk, status):
    tenant, agent, supervisor = desk
    footprint(tenant, agent, ANN, reference="A-1")
    footprint(tenant, agent, ANN, reference="A-2", status=status, with_draft=False)
    before = every_text()

    with pytest.raises(ErasureRefused, match="A-2"):
        person_erase(
            tenant=tenant, person=Person.of(email=ANN.email), by=Actor.of(supervisor), reason="x"
        )

    assert every_text() == before


def test_the_sweep_redacts_only_expired_settled_orders_of_tenants_with_a_period(desk, make_tenant):
    tenant, agent, _ = desk
    keeper = make_tenant(subdomain="keeper", name="Keeps everything")
    old = timezone.now() - timedelta(days=600)
    footprint(tenant, agent, ANN, reference="OLD-SENT", created_at=old, with_draft=False)
    footprint(
        tenant,
        agent,
        ANN,
        reference="OLD-UNKNOWN",
        created_at=old,
        status=OrderStatus.UNKNOWN,
        with_draft=False,
    )
    footprint(tenant, agent, ANN, reference="NEW-SENT", with_draft=False)
    footprint(keeper, agent, ANN, reference="KEPT", created_at=old, with_draft=False)
    tenant_retention_set(tenant=tenant, months=18)

    assert personal_data_sweep() == 1
    assert personal_data_sweep() == 0

    removed = set(
        Order.objects.filter(personal_data_removed_at__isnull=False).values_list(
            "reference", flat=True
        )
    )
    assert removed == {"OLD-SENT"}
    assert Order.objects.get(reference="KEPT").contact_email == ANN.email


def test_the_sweep_takes_tenants_in_turn_in_bounded_batches(desk, make_tenant, monkeypatch):
    tenant, agent, _ = desk
    second = make_tenant(subdomain="second", name="Second")
    old = timezone.now() - timedelta(days=600)
    for n in range(5):
        footprint(tenant, agent, ANN, reference=f"T1-{n}", created_at=old, with_draft=False)
    footprint(second, agent, BEN, reference="T2-0", created_at=old, with_draft=False)
    for each in (tenant, second):
        tenant_retention_set(tenant=each, months=1)
    stamps = []
    original = privacy._orders_redact

    def spy(orders, **kwargs):
        stamps.append([order.reference for order in orders])
        return original(orders, **kwargs)

    monkeypatch.setattr(privacy, "_orders_redact", spy)
    assert personal_data_sweep(batch_size=2) == 6

    # Two at a time; the second tenant's one order goes in the first round, not after all five.
    assert [len(batch) for batch in stamps] == [2, 1, 2, 1]
    assert stamps[1] == ["T2-0"]


def test_months_before_counts_calendar_months():
    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(datetime(2026, 12, 3, tzinfo=UTC), 18) == datetime(2025, 6, 3, tzinfo=UTC)
