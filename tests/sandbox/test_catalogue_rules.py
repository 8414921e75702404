"""Clarus refuses a goods-out whose lines name products it does not have."""

from collections.abc import Callable
from typing import Any

from django.core.management import call_command

from sandbox.catalogue import Product
from sandbox.models import SandboxGoodsOut
from tests.sandbox.factories import goods_out_document

Post = Callable[..., Any]


def seed_catalogue() -> list[int]:
    call_command("sandbox_seed", subdomain="acme", products=20, stdout=None)
    return list(Product.objects.filter(subdomain__slug="acme").values_list("pk", flat=True))


def test_a_subdomain_without_a_catalogue_takes_any_product(post_goods_out: Post) -> None:
    response = post_goods_out(goods_out_document(product_ids=(987_654, 987_655)))

    assert response.status_code == 200


def test_known_products_are_taken(post_goods_out: Post) -> None:
    first, second, *_ = seed_catalogue()

    response = post_goods_out(goods_out_document(product_ids=(first, second)))

    assert response.status_code == 200
    assert SandboxGoodsOut.objects.count() == 1


def test_each_unknown_product_is_refused_on_its_line(post_goods_out: Post) -> None:
    first, *_ = seed_catalogue()
    unknown = max(Product.objects.values_list("pk", flat=True)) + 1000

    response = post_goods_out(goods_out_document(product_ids=(first, unknown)))

    assert response.status_code == 422
    assert response.json() == {
        "errors": [
            {
                "code": 1013,
                "symbol": "record_not_found",
                "details": f"Line 2: there is no product with id {unknown}.",
                "source": "lines_changes[1].product_id",
            }
        ]
    }
    assert not SandboxGoodsOut.objects.exists()


def test_another_subdomains_product_is_unknown_here(post_goods_out: Post) -> None:
    mine, *_ = seed_catalogue()
    call_command("sandbox_client", subdomain="other", client_id="o", client_secret="s" * 20)
    call_command("sandbox_seed", subdomain="other", products=5, seed=2, stdout=None)
    theirs = Product.objects.filter(subdomain__slug="other").values_list("pk", flat=True).first()
    assert theirs is not None

    response = post_goods_out(goods_out_document(product_ids=(mine, theirs)))

    assert response.status_code == 422
    assert response.json()["errors"][0]["source"] == "lines_changes[1].product_id"
