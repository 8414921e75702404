"""POST /api/goods_outs/{id}/cancel, as Clarus documents it (CONTRACT.md §2.7)."""

import pytest

from sandbox.models import SandboxGoodsOut
from tests.sandbox.factories import goods_out_document

CANCEL = "/sandbox/api/goods_outs/{}/cancel"


@pytest.fixture
def goods_out(post_goods_out):
    response = post_goods_out(goods_out_document())
    assert response.status_code == 200
    return SandboxGoodsOut.objects.get(pk=response.json()["data"]["id"])


def cancel(client, token, goods_out_id, subdomain="acme"):
    headers = {"Authorization": f"Bearer {token}", "X-Clarus-Subdomain": subdomain}
    return client.post(CANCEL.format(goods_out_id), headers=headers)


def test_a_pending_order_is_deleted(client, token, goods_out):
    response = cancel(client, token, goods_out.pk)

    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["goods_out_status_id"] == 8
    assert not SandboxGoodsOut.objects.filter(pk=goods_out.pk).exists()


def test_an_allocated_order_is_kept_as_cancelled(client, token, goods_out):
    SandboxGoodsOut.objects.filter(pk=goods_out.pk).update(goods_out_status_id=5)

    response = cancel(client, token, goods_out.pk)

    goods_out.refresh_from_db()
    assert response.status_code == 200
    assert goods_out.goods_out_status_id == 8


def test_a_dispatched_order_cannot_be_cancelled(client, token, goods_out):
    SandboxGoodsOut.objects.filter(pk=goods_out.pk).update(goods_out_status_id=6)

    response = cancel(client, token, goods_out.pk)

    assert response.status_code == 422
    assert response.json()["errors"][0]["symbol"] == "cannot_cancel"


def test_unknown_ids_are_404_and_tokens_are_checked(client, token, goods_out):
    assert cancel(client, token, goods_out.pk + 1000).status_code == 404
    assert cancel(client, "not-a-token", goods_out.pk).status_code == 401
    assert client.post(CANCEL.format(goods_out.pk)).status_code == 401
