"""The catalogue in the admin: every model listed, searchable, and nothing editable."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from sandbox.catalogue import Product
from sandbox.seed import CATALOGUE_MODELS, catalogue_seed


@pytest.fixture
def staff(client: Client, db: Any) -> Client:
    catalogue_seed(subdomain="acme", products=30)
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw-123456"))
    return client


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda model: model.__name__)
def test_each_model_lists_and_opens_read_only(staff: Client, model: type[Any]) -> None:
    meta = model._meta
    row = model._default_manager.first()

    listing = staff.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    detail = staff.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[row.pk]))
    add = staff.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert b'type="submit"' not in detail.content.split(b'id="content"')[1].split(b"</form>")[
        0
    ] or (b"_save" not in detail.content)
    assert add.status_code == 403


def test_products_are_found_by_exact_code(staff: Client) -> None:
    product = Product.objects.order_by("pk")[3]

    response = staff.get(reverse("admin:sandbox_product_changelist"), {"q": product.code})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [product]
