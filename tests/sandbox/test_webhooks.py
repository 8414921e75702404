"""The webhook bodies the stand-in sends: the whole goods-out record (CONTRACT.md §5)."""

from datetime import UTC, datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from sandbox.models import SandboxGoodsOut, SandboxSubdomain
from sandbox.services import goods_out_create
from sandbox.webhooks import goods_out_webhook_body
from tests.sandbox.factories import goods_out_document

LATER = datetime(2026, 3, 3, 16, 30, tzinfo=UTC)


@pytest.fixture
def goods_out(db: Any) -> SandboxGoodsOut:
    subdomain = SandboxSubdomain.objects.create(slug="acme", name="Acme")
    return goods_out_create(subdomain=subdomain, document=goods_out_document())


def body(goods_out: SandboxGoodsOut, event: str) -> dict[str, Any]:
    return goods_out_webhook_body(
        goods_out, event=event, lines=list(goods_out.lines.all()), updated_at=LATER
    )


def test_the_record_carries_id_references_status_and_times(goods_out: SandboxGoodsOut) -> None:
    sent = body(goods_out, "created")

    record = sent["data"]
    assert sent["resource_name"] == "goods_out"
    assert sent["event"] == "created"
    assert record["id"] == goods_out.pk
    assert record["reference"] == "SO-1001"
    assert record["account_id"] == 1
    assert record["goods_out_status"] == {"id": 2, "code": "PENDING", "name": "Pending"}
    assert record["created_at"] == goods_out.received_at.isoformat()
    assert record["updated_at"] == "2026-03-03T16:30:00+00:00"
    assert record["actual_date_of_dispatch"] is None
    assert record["address"]["postcode"] == "LS1 1AA"
    assert "lines_changes" not in record
    assert [line["order_quantity"] for line in record["lines"]] == [2, 1.5]
    assert {line["dispatched_quantity"] for line in record["lines"]} == {0}


def test_a_completed_record_says_when_and_what_went_out(goods_out: SandboxGoodsOut) -> None:
    goods_out.goods_out_status_id = 6

    record = body(goods_out, "completed")["data"]

    assert record["goods_out_status"]["code"] == "COMPLETED"
    assert record["actual_date_of_dispatch"] == "2026-03-03T16:30:00+00:00"
    assert [line["dispatched_quantity"] for line in record["lines"]] == [2, 1.5]
    assert [line["picked_quantity"] for line in record["lines"]] == [2, 1.5]


def test_the_command_wants_a_time_with_a_zone(goods_out: SandboxGoodsOut) -> None:
    with pytest.raises(CommandError, match="time zone"):
        call_command(
            "sandbox_webhook",
            goods_out=goods_out.pk,
            url="http://127.0.0.1:9/",
            at="2026-03-03T16:30:00",
            stdout=StringIO(),
        )
