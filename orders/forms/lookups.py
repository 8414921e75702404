"""The lookups of the entry page, in one registry: each names its field, its address, its page
title, what it reads (a selector of ``orders.selectors.catalogue``) and what it reads by.

``search`` lookups (account, customer, carrier) are a text box with suggestions and a hidden id;
``choice`` lookups (warehouse, carrier service, order type) are a choice list Clarus fills, or a
Clarus id box when Clarus cannot; the ``product`` lookup serves every line's product box.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from orders.selectors import catalogue


@dataclass(frozen=True)
class Lookup:
    """A field the agent fills by name or code: how it is drawn and what it stands for."""

    id_name: str
    noun: str
    url_name: str
    kind: Literal["search", "choice", "product"]
    # The selector that answers it: (tenant=…, text=… or its params…, refresh=…).
    selector: Callable[..., Any] = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    # The page title when asked for as a page; ``title_with`` once its first param is given.
    title: str = ""
    title_with: str = ""
    # The ids read from the request and passed to the selector; ``needs`` must be given.
    params: tuple[str, ...] = ()
    needs: str = ""
    # What the page says when ``needs`` is missing.
    note: str = ""
    required: bool = False
    blank: str = "Not set"
    # The lookup whose pick changes this one's list (a carrier's services, an account's
    # warehouses).
    depends_on: str = ""

    @property
    def search(self) -> bool:
        return self.kind == "search"

    @property
    def text_name(self) -> str:
        return self.id_name.removesuffix("_id")

    @property
    def label_name(self) -> str:
        return self.id_name.removesuffix("_id") + "_label"

    @property
    def html_id(self) -> str:
        return self.id_name.removesuffix("_id").replace("_", "-")


# Every lookup by the name its address carries (``orders:lookup`` with ``name``).
REGISTRY: dict[str, Lookup] = {
    "accounts": Lookup(
        "account_id",
        "account",
        "orders:lookup_accounts",
        "search",
        catalogue.account_search,
        title="Find an account",
        required=True,
    ),
    "customers": Lookup(
        "customer_id",
        "end customer",
        "orders:lookup_customers",
        "search",
        catalogue.customer_search,
        title="Find an end customer",
    ),
    "carriers": Lookup(
        "carrier_id",
        "carrier",
        "orders:lookup_carriers",
        "search",
        catalogue.carrier_search,
        title="Find a carrier",
    ),
    "products": Lookup(
        "product_id",
        "product",
        "orders:lookup_products",
        "product",
        catalogue.product_search,
        title="Find a product",
        params=("account_id", "warehouse_id"),
    ),
    "warehouses": Lookup(
        "warehouse_id",
        "warehouse",
        "orders:lookup_warehouses",
        "choice",
        catalogue.warehouse_list,
        title="Warehouses",
        title_with="Warehouses of account {}",
        params=("account_id",),
        blank="Clarus chooses",
        depends_on="account_id",
    ),
    "carrier_services": Lookup(
        "carrier_service_id",
        "carrier service",
        "orders:lookup_carrier_services",
        "choice",
        catalogue.carrier_service_list,
        title="Carrier services",
        title_with="Active services of carrier {}",
        params=("carrier_id",),
        needs="carrier_id",
        note="Choose the carrier first to see its services.",
        depends_on="carrier_id",
    ),
    "order_types": Lookup(
        "order_type_id",
        "order type",
        "orders:lookup_order_types",
        "choice",
        catalogue.order_type_list,
        title="Client order types",
    ),
}

# The header's lookups, by the id field each fills.
LOOKUPS = {lookup.id_name: lookup for lookup in REGISTRY.values() if lookup.kind != "product"}
