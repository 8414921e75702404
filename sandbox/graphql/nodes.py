"""The nodes GraphQL answers with, built from rows, named as Clarus names their fields.

Ids are strings, as Clarus's GraphQL gives them (CONTRACT.md §2.8); the ``account_id`` and
``warehouse_id`` fields of an account-warehouse are integers, as in Clarus's example. Optional
text the catalogue leaves blank comes back as null.
"""

from datetime import date
from typing import Any

import strawberry
from django.utils import timezone

from sandbox import catalogue
from sandbox.goods_out_records import GOODS_OUT_STATUSES
from sandbox.models import SandboxGoodsOut, SandboxGoodsOutLine


def _id(pk: int) -> strawberry.ID:
    return strawberry.ID(str(pk))


def _text(value: str) -> str | None:
    return value or None


def _shown(value: object) -> str | None:
    """Return a stored attribute as text, or None when it is empty or missing."""
    return None if value is None or value == "" else str(value)


@strawberry.type
class Account:
    id: strawberry.ID
    code: str
    name: str
    is_short_pickable: bool
    dispatch_strategy: str | None
    pack_strategy: str | None
    external_system_reference1: str | None
    vat_number: str | None

    @classmethod
    def of(cls, row: catalogue.Account) -> "Account":
        return cls(
            id=_id(row.pk),
            code=row.code,
            name=row.name,
            is_short_pickable=row.is_short_pickable,
            dispatch_strategy=_text(row.dispatch_strategy),
            pack_strategy=_text(row.pack_strategy),
            external_system_reference1=_text(row.external_system_reference1),
            vat_number=_text(row.vat_number),
        )


@strawberry.type
class Address:
    address_1: str | None
    address_2: str | None
    address_3: str | None
    address_4: str | None
    postcode: str | None
    country_code: str | None


@strawberry.type
class Warehouse:
    id: strawberry.ID
    code: str
    name: str
    consolidate_pick_enabled: bool
    loading_validation_setting: str
    opening_times_enabled: bool
    address: Address

    @classmethod
    def of(cls, row: catalogue.Warehouse) -> "Warehouse":
        return cls(
            id=_id(row.pk),
            code=row.code,
            name=row.name,
            consolidate_pick_enabled=row.consolidate_pick_enabled,
            loading_validation_setting=row.loading_validation_setting,
            opening_times_enabled=row.opening_times_enabled,
            address=Address(
                address_1=_text(row.address_1),
                address_2=_text(row.address_2),
                address_3=_text(row.address_3),
                address_4=_text(row.address_4),
                postcode=_text(row.postcode),
                country_code=_text(row.country_code),
            ),
        )


@strawberry.type
class AccountWarehouse:
    id: strawberry.ID
    account_id: int
    warehouse_id: int
    account: Account
    warehouse: Warehouse

    @classmethod
    def of(cls, row: catalogue.AccountWarehouse) -> "AccountWarehouse":
        return cls(
            id=_id(row.pk),
            account_id=row.account_id,
            warehouse_id=row.warehouse_id,
            account=Account.of(row.account),
            warehouse=Warehouse.of(row.warehouse),
        )


@strawberry.type
class Product:
    id: strawberry.ID
    code: str
    barcode: str | None
    case_barcode: str | None
    inner_barcode: str | None
    outer_barcode: str | None
    description: str
    long_description: str | None
    product_type: str
    units_per_case: int
    shelf_life_min: int | None
    shelf_life_max: int | None
    commodity_code: str | None
    country_of_manufacture: str | None

    @classmethod
    def of(cls, row: catalogue.Product) -> "Product":
        return cls(
            id=_id(row.pk),
            code=row.code,
            barcode=_text(row.barcode),
            case_barcode=_text(row.case_barcode),
            inner_barcode=_text(row.inner_barcode),
            outer_barcode=_text(row.outer_barcode),
            description=row.description,
            long_description=_text(row.long_description),
            product_type=row.product_type,
            units_per_case=row.units_per_case,
            shelf_life_min=row.shelf_life_min,
            shelf_life_max=row.shelf_life_max,
            commodity_code=_text(row.commodity_code),
            country_of_manufacture=_text(row.country_of_manufacture),
        )


@strawberry.type
class AccountProduct:
    id: strawberry.ID
    account: Account
    product: Product

    @classmethod
    def of(cls, row: catalogue.AccountProduct) -> "AccountProduct":
        return cls(id=_id(row.pk), account=Account.of(row.account), product=Product.of(row.product))


@strawberry.type
class StockBalance:
    id: strawberry.ID
    available: float
    allocated: float
    ordered: float
    received: float
    picked: float
    product: Product
    account: Account
    warehouse: Warehouse

    @classmethod
    def of(cls, row: catalogue.StockBalance) -> "StockBalance":
        return cls(
            id=_id(row.pk),
            available=row.available,
            allocated=row.allocated,
            ordered=row.ordered,
            received=row.received,
            picked=row.picked,
            product=Product.of(row.product),
            account=Account.of(row.account),
            warehouse=Warehouse.of(row.warehouse),
        )


@strawberry.type
class Carrier:
    id: strawberry.ID
    code: str
    name: str
    description: str | None
    active: bool
    carrier_type: str
    carrier_externally_registered: bool
    external_system_reference1: str | None

    @classmethod
    def of(cls, row: catalogue.Carrier) -> "Carrier":
        return cls(
            id=_id(row.pk),
            code=row.code,
            name=row.name,
            description=_text(row.description),
            active=row.active,
            carrier_type=row.carrier_type,
            carrier_externally_registered=row.carrier_externally_registered,
            external_system_reference1=_text(row.external_system_reference1),
        )


@strawberry.type
class CarrierService:
    id: strawberry.ID
    code: str
    name: str
    active: bool
    is_default: bool
    carrier: Carrier

    @classmethod
    def of(cls, row: catalogue.CarrierService) -> "CarrierService":
        return cls(
            id=_id(row.pk),
            code=row.code,
            name=row.name,
            active=row.active,
            is_default=row.is_default,
            carrier=Carrier.of(row.carrier),
        )


@strawberry.type
class Customer:
    id: strawberry.ID
    code: str
    name: str
    shelf_life_min: int | None
    shelf_life_max: int | None
    external_system_reference1: str | None

    @classmethod
    def of(cls, row: catalogue.Customer) -> "Customer":
        return cls(
            id=_id(row.pk),
            code=row.code,
            name=row.name,
            shelf_life_min=row.shelf_life_min,
            shelf_life_max=row.shelf_life_max,
            external_system_reference1=_text(row.external_system_reference1),
        )


@strawberry.type
class OrderType:
    id: strawberry.ID
    code: str
    name: str
    duty_payable: bool

    @classmethod
    def of(cls, row: catalogue.OrderType) -> "OrderType":
        return cls(id=_id(row.pk), code=row.code, name=row.name, duty_payable=row.duty_payable)


@strawberry.type
class GoodsOutStatus:
    id: strawberry.ID
    code: str
    name: str

    @classmethod
    def of(cls, status_id: int | None) -> "GoodsOutStatus | None":
        """Return the status with ``status_id``, or None for one Clarus does not define."""
        if status_id not in GOODS_OUT_STATUSES:
            return None
        code, name = GOODS_OUT_STATUSES[status_id]
        return cls(id=_id(status_id), code=code, name=name)


@strawberry.type
class GoodsOutAddress:
    """The delivery address a goods-out carries, in Clarus's Address attribute names."""

    name: str | None
    address_1: str | None
    address_2: str | None
    address_3: str | None
    address_4: str | None
    address_5: str | None
    postcode: str | None
    country_code: str | None
    email_address: str | None
    phone_number: str | None

    @classmethod
    def of(cls, attributes: dict[str, Any] | None) -> "GoodsOutAddress | None":
        if not attributes:
            return None
        return cls(**{name: _shown(attributes.get(name)) for name in ADDRESS_FIELDS})


ADDRESS_FIELDS = (
    "name",
    "address_1",
    "address_2",
    "address_3",
    "address_4",
    "address_5",
    "postcode",
    "country_code",
    "email_address",
    "phone_number",
)
# Header attributes answered as they stand (the create's, overlaid by each amendment), under
# their REST names; ids as GraphQL gives ids, strings.
GOODS_OUT_TEXT = (
    "goods_out_type",
    "dispatch_strategy",
    "pack_strategy",
    "pick_type",
    "delivery_notes",
    "order_notes",
    "pick_notes",
    "packing_notes",
    "load_reference",
    "pick_reference",
    "external_system_reference1",
    "external_system_reference2",
    "external_system_reference3",
)
GOODS_OUT_IDS = (
    "account_id",
    "warehouse_id",
    "customer_id",
    "carrier_id",
    "carrier_service_id",
    "order_type_id",
)


def _attributes(current: dict[str, Any]) -> dict[str, Any]:
    """Return a goods-out's header attributes as its node answers them: text, and ids."""
    answered: dict[str, Any] = {name: _shown(current.get(name)) for name in GOODS_OUT_TEXT}
    for name in GOODS_OUT_IDS:
        answered[name] = None if current.get(name) is None else _id(current[name])
    return answered


@strawberry.type
class GoodsOut:
    id: strawberry.ID
    reference: str
    priority: int | None
    # Clarus's example gives the expected dispatch as a bare date.
    expected_date_of_dispatch: date | None
    goods_out_status: GoodsOutStatus | None
    account: Account | None
    warehouse: Warehouse | None
    carrier: Carrier | None
    goods_out_type: str | None
    account_id: strawberry.ID | None
    warehouse_id: strawberry.ID | None
    customer_id: strawberry.ID | None
    carrier_id: strawberry.ID | None
    carrier_service_id: strawberry.ID | None
    order_type_id: strawberry.ID | None
    dispatch_strategy: str | None
    pack_strategy: str | None
    pick_type: str | None
    delivery_notes: str | None
    order_notes: str | None
    pick_notes: str | None
    packing_notes: str | None
    load_reference: str | None
    pick_reference: str | None
    external_system_reference1: str | None
    external_system_reference2: str | None
    external_system_reference3: str | None
    address: GoodsOutAddress | None

    @classmethod
    def of(cls, row: SandboxGoodsOut) -> "GoodsOut":
        dispatch = row.expected_date_of_dispatch
        # The ids were stored as sent: only a row of the goods-out's own tenant is shown.
        account = row.account if _same_tenant(row.account, row.subdomain_id) else None
        warehouse = row.warehouse if _same_tenant(row.warehouse, row.subdomain_id) else None
        carrier = row.carrier if _same_tenant(row.carrier, row.subdomain_id) else None
        current = row.current_attributes
        return cls(
            id=_id(row.pk),
            reference=row.reference,
            priority=row.priority,
            expected_date_of_dispatch=timezone.localdate(dispatch) if dispatch else None,
            goods_out_status=GoodsOutStatus.of(row.goods_out_status_id),
            account=Account.of(account) if account else None,
            warehouse=Warehouse.of(warehouse) if warehouse else None,
            carrier=Carrier.of(carrier) if carrier else None,
            address=GoodsOutAddress.of(row.address),
            **_attributes(current),
        )


@strawberry.type
class GoodsOutLine:
    # Kept while the line lives: amendments address lines by it (sandbox.amend).
    id: strawberry.ID
    # The product id as sent, whether or not the catalogue has it.
    product_id: strawberry.ID | None
    order_quantity: float
    allocated_quantity: float
    pick_quantity: float
    dispatch_quantity: float
    short_status: str
    product: Product | None
    goods_out: GoodsOut
    carrier: Carrier | None

    @classmethod
    def of(cls, row: SandboxGoodsOutLine) -> "GoodsOutLine":
        subdomain_id = row.goods_out.subdomain_id
        product = row.product if _same_tenant(row.product, subdomain_id) else None
        carrier = row.carrier if _same_tenant(row.carrier, subdomain_id) else None
        return cls(
            id=_id(row.pk),
            product_id=None if row.product_id is None else _id(row.product_id),
            order_quantity=row.order_quantity,
            allocated_quantity=row.allocated_quantity,
            pick_quantity=row.pick_quantity,
            dispatch_quantity=row.dispatch_quantity,
            short_status=row.short_status,
            product=Product.of(product) if product else None,
            goods_out=GoodsOut.of(row.goods_out),
            carrier=Carrier.of(carrier) if carrier else None,
        )


def _same_tenant(row: catalogue.TenantRow | None, subdomain_id: int) -> bool:
    return row is not None and row.subdomain_id == subdomain_id
