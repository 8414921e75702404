"""The sandbox amends goods-outs as Clarus's PATCH does (CONTRACT.md §2.4, §2.5)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sandbox.amend import goods_out_status_set
from sandbox.faults import faults_set
from sandbox.models import SandboxGoodsOut
from sandbox.services import access_token_issue
from tests.clarus_spec import request_schema, response_schema
from tests.sandbox.factories import GOODS_OUTS, goods_out_document

Post = Callable[..., Any]


@pytest.fixture
def patch(client: Client, token: str) -> Callable[..., Any]:
    def send(goods_out_id: int, document: Any, *, bearer: str | None = None) -> Any:
        return client.patch(
            f"{GOODS_OUTS}/{goods_out_id}",
            document,
            content_type="application/json",
            headers={"Authorization": f"Bearer {bearer or token}", "X-Clarus-Subdomain": "acme"},
        )

    return send


@pytest.fixture
def stored(post_goods_out: Post) -> SandboxGoodsOut:
    response = post_goods_out(goods_out_document())
    assert response.status_code == 200
    return SandboxGoodsOut.objects.get()


def amendment(changes: list[dict[str, Any]], **header: Any) -> dict[str, Any]:
    attributes = {
        "goods_out_type": "sales_order",
        "account_id": 1,
        "reference": "SO-1001",
        "expected_date_of_dispatch": "2026-03-02T09:00:00+00:00",
        **header,
        "lines_changes": changes,
    }
    return {"data": {"type": "goods_outs", "attributes": attributes}}


def line_ids(goods_out: SandboxGoodsOut) -> list[int]:
    return list(goods_out.lines.order_by("line_number").values_list("pk", flat=True))


def test_every_line_operation_is_applied_and_ids_are_kept(stored, patch):
    first, second = line_ids(stored)
    document = amendment(
        [
            {"type": "UPDATE", "id": first, "attributes": {"order_quantity": 6}},
            {"type": "DESTROY", "id": second},
            {"type": "ADD", "attributes": {"product_id": 789, "order_quantity": 2}},
        ],
        order_notes="Ring first",
    )
    document["data"]["relationships"] = {
        "address": {"data": {"type": "addresses", "attributes": {"name": "Jo", "postcode": "M1"}}}
    }
    assert request_schema("/api/goods_outs/{id}", "patch").is_valid(document)

    response = patch(stored.pk, document)

    assert response.status_code == 200, response.content
    response_schema("/api/goods_outs/{id}", "patch", 200).validate(response.json())
    stored.refresh_from_db()
    lines = list(stored.lines.order_by("line_number"))
    assert [(line.pk, line.product_id, line.order_quantity) for line in lines] == [
        (first, 123, 6.0),
        (lines[1].pk, 789, 2.0),
    ]
    echoed = response.json()["data"]["attributes"]["lines_changes"]
    assert echoed[2] == {**document["data"]["attributes"]["lines_changes"][2], "id": lines[1].pk}
    assert stored.address == {"name": "Jo", "postcode": "M1"}
    assert stored.current_attributes["order_notes"] == "Ring first"
    # What arrived first stays as it arrived; each amendment is kept beside it.
    assert stored.document == goods_out_document()
    assert stored.amendments[0]["document"] == document


def test_remove_is_not_the_schema_s_name_and_is_refused(stored, patch):
    response = patch(stored.pk, amendment([{"type": "REMOVE", "id": line_ids(stored)[0]}]))

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == "lines_changes[0].type"
    assert stored.lines.count() == 2


@pytest.mark.parametrize("code", ["PICK", "ALLOCATED", "COMPLETED"])
def test_once_picking_starts_an_amendment_is_refused_with_a_reason(stored, patch, code):
    goods_out_status_set(goods_out_id=stored.pk, code=code)

    response = patch(
        stored.pk,
        amendment(
            [{"type": "UPDATE", "id": line_ids(stored)[0], "attributes": {"order_quantity": 9}}]
        ),
    )

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["symbol"] == "not_amendable"
    assert "can no longer be changed" in error["details"]
    assert stored.lines.order_by("line_number").first().order_quantity == 2.0


def test_a_draft_or_pending_goods_out_can_be_amended(stored, patch):
    goods_out_status_set(goods_out_id=stored.pk, code="DRAFT")

    response = patch(stored.pk, amendment([], priority=3))

    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.priority == 3


def test_another_tenant_s_goods_out_is_not_found(stored, patch, make_client):
    _row, other_token = access_token_issue(client=make_client("other", client_id="other-desk"))
    client = Client()

    response = client.patch(
        f"{GOODS_OUTS}/{stored.pk}",
        amendment([], priority=3),
        content_type="application/json",
        headers={"Authorization": f"Bearer {other_token}", "X-Clarus-Subdomain": "other"},
    )

    assert response.status_code == 404
    stored.refresh_from_db()
    assert stored.priority == 5


def test_a_line_of_another_goods_out_is_refused(stored, patch, post_goods_out):
    post_goods_out(goods_out_document())
    other = SandboxGoodsOut.objects.exclude(pk=stored.pk).get()

    response = patch(stored.pk, amendment([{"type": "DESTROY", "id": line_ids(other)[0]}]))

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == "lines_changes[0].id"


def test_removing_every_line_is_refused(stored, patch):
    changes = [{"type": "DESTROY", "id": line_id} for line_id in line_ids(stored)]

    response = patch(stored.pk, amendment(changes))

    assert response.status_code == 422
    assert response.json()["errors"][0]["symbol"] == "no_lines_left"
    assert stored.lines.count() == 2


def test_the_header_s_required_attributes_are_required_as_the_schema_says(stored, patch):
    document = amendment([])
    del document["data"]["attributes"]["account_id"]

    response = patch(stored.pk, document)

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == "account_id"


def test_fault_knobs_apply_to_amendments(stored, patch):
    faults_set(subdomain="acme", fail_next=1, forced_status=503)

    assert patch(stored.pk, amendment([], priority=3)).status_code == 503
    assert patch(stored.pk, amendment([], priority=3)).status_code == 200
