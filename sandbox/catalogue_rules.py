"""What Clarus checks against its own records: a goods-out's lines must name products it has.

The document rules (``sandbox.validation``) need nothing stored; this one reads the subdomain's
catalogue. A subdomain with no products at all takes any product id, so a test or a demo needs no
catalogue until it wants Clarus to refuse unknown products.
"""

from typing import Any

from sandbox.catalogue import Product
from sandbox.models import SandboxSubdomain
from sandbox.validation import Code, Problem


def unknown_product_problems(
    *, subdomain: SandboxSubdomain, document: dict[str, Any]
) -> list[Problem]:
    """Return a problem for each line of a valid create naming a product not in the catalogue."""
    changes = document["data"]["attributes"].get("lines_changes") or []
    named = {
        index: change["attributes"]["product_id"]
        for index, change in enumerate(changes)
        if isinstance(change.get("attributes", {}).get("product_id"), int)
    }
    catalogue = Product.objects.filter(subdomain=subdomain)
    if not named or not catalogue.exists():
        return []
    known = set(catalogue.filter(pk__in=set(named.values())).values_list("pk", flat=True))
    return [
        Problem(
            Code.RECORD_NOT_FOUND,
            f"Line {index + 1}: there is no product with id {product_id}.",
            f"lines_changes[{index}].product_id",
        )
        for index, product_id in named.items()
        if product_id not in known
    ]
