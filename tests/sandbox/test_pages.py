from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from sandbox.models import SandboxClient, SandboxGoodsOut
from sandbox.services import goods_out_create
from tests.sandbox.factories import edited, goods_out_document


def store(client: SandboxClient, reference: str, **fields: Any) -> SandboxGoodsOut:
    document = edited(goods_out_document(), "data.attributes.reference", reference)
    goods_out = goods_out_create(subdomain=client.subdomain, document=document)
    if fields:
        SandboxGoodsOut.objects.filter(pk=goods_out.pk).update(**fields)
        goods_out.refresh_from_db()
    return goods_out


def test_list_is_empty_at_first(client: Client, db: Any) -> None:
    response = client.get("/sandbox/")

    assert response.status_code == 200
    assert b"No goods-outs received yet." in response.content


def test_list_shows_newest_first_without_login(
    client: Client, make_client: Callable[..., SandboxClient]
) -> None:
    acme = make_client()
    globex = make_client(subdomain="globex", client_id="globex-desk")
    older = store(acme, "SO-OLD", received_at=timezone.now() - timedelta(hours=1))
    newer = store(globex, "SO-NEW")

    response = client.get("/sandbox/")

    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("SO-NEW") < page.index("SO-OLD")
    assert "globex" in page
    assert f'href="/sandbox/goods-outs/{older.pk}/"' in page
    assert f'href="/sandbox/goods-outs/{newer.pk}/"' in page
    assert list(response.context["page"].object_list) == [newer, older]
    assert "<td>2</td>" in page


def test_detail_shows_the_document_pretty_printed(
    client: Client, sandbox_client: SandboxClient
) -> None:
    goods_out = store(sandbox_client, "SO-42")

    response = client.get(f"/sandbox/goods-outs/{goods_out.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "SO-42" in page
    assert "  &quot;data&quot;: {\n    &quot;type&quot;: &quot;goods_outs&quot;," in page


def test_detail_of_unknown_goods_out_is_404(client: Client, db: Any) -> None:
    assert client.get("/sandbox/goods-outs/999/").status_code == 404


def test_pages_take_only_get(client: Client, db: Any) -> None:
    assert client.post("/sandbox/").status_code == 405
