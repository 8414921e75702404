"""Each resource's ``filter`` argument, named as Clarus's queries declare it.

A filter field is an operator input (``sandbox.graphql.inputs``) applied to a database path, or
to a link table for filters such as a product's ``account_id``. Fields given together are ANDed.
The fields are those Clarus documents per query (CONTRACT.md §4, §2.8).
"""

from collections.abc import Callable
from typing import Any, ClassVar

import strawberry
from django.db.models import Model, Q

from sandbox.catalogue import AccountProduct, AccountWarehouse
from sandbox.graphql.inputs import (
    BooleanInputType,
    DatetimeInputType,
    DecimalInputType,
    IdInputType,
    IntegerInputType,
    StatusCodeInputType,
    StringInputType,
)

Target = str | Callable[[Any], Q]


class Filter:
    """A resource filter: ``PATHS`` says where each of its fields applies."""

    PATHS: ClassVar[dict[str, Target]]

    def q(self) -> Q:
        """Return the ``Q`` of every field given, ANDed."""
        q = Q()
        for name, target in self.PATHS.items():
            operators = getattr(self, name)
            if operators is not None:
                q &= target(operators) if callable(target) else operators.q(target)
        return q


def linked(model: type[Model], *, row: str, other: str) -> Callable[[IdInputType], Q]:
    """Match rows with a ``model`` link (``row`` names them) to an ``other`` id that matches.

    ``filled: false`` matches the rows with no link at all.
    """

    def q(operators: IdInputType) -> Q:
        links = model._default_manager.values(row)
        result = Q()
        if condition := operators.without_filled().q(other):
            result &= Q(pk__in=links.filter(condition))
        if operators.filled is not None:
            result &= Q(pk__in=links) if operators.filled else ~Q(pk__in=links)
        return result

    return q


def any_of(*paths: str) -> Callable[[StringInputType], Q]:
    """Match rows where the operators hold for at least one of ``paths``."""

    def q(operators: StringInputType) -> Q:
        result = Q()
        for path in paths:
            result |= operators.q(path)
        return result

    return q


@strawberry.input
class AccountFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    warehouse_id: IdInputType | None = strawberry.field(
        default=None, description="Accounts that may use the warehouse."
    )
    is_short_pickable: BooleanInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "name": "name",
        "warehouse_id": linked(AccountWarehouse, row="account_id", other="warehouse_id"),
        "is_short_pickable": "is_short_pickable",
    }


@strawberry.input
class AccountWarehouseFilterType(Filter):
    account_id: IdInputType | None = None
    warehouse_id: IdInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "account_id": "account_id",
        "warehouse_id": "warehouse_id",
    }


@strawberry.input
class WarehouseFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    site_id: IdInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {"code": "code", "name": "name", "site_id": "site_id"}


# Clarus: all_codes is an exact match across every code a product can be scanned by (§4).
PRODUCT_CODES = ("code", "barcode", "case_barcode", "inner_barcode", "outer_barcode")


@strawberry.input
class ProductsFilterType(Filter):
    code: StringInputType | None = None
    barcode: StringInputType | None = None
    case_barcode: StringInputType | None = None
    inner_barcode: StringInputType | None = None
    outer_barcode: StringInputType | None = None
    all_codes: StringInputType | None = strawberry.field(
        default=None,
        description="Any of code, barcode and the case, inner and outer barcodes; use eq or in.",
    )
    description: StringInputType | None = None
    product_type: StringInputType | None = None
    account_id: IdInputType | None = strawberry.field(
        default=None, description="Products the account owns."
    )

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "barcode": "barcode",
        "case_barcode": "case_barcode",
        "inner_barcode": "inner_barcode",
        "outer_barcode": "outer_barcode",
        "all_codes": any_of(*PRODUCT_CODES),
        "description": "description",
        "product_type": "product_type",
        "account_id": linked(AccountProduct, row="product_id", other="account_id"),
    }


@strawberry.input
class AccountProductFilterType(Filter):
    account_id: IdInputType | None = None
    product_id: IdInputType | None = None
    created_at: DatetimeInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "account_id": "account_id",
        "product_id": "product_id",
        "created_at": "created_at",
    }


@strawberry.input
class StockBalancesFilterType(Filter):
    product_id: IdInputType | None = None
    product_code: StringInputType | None = None
    account_id: IdInputType | None = None
    warehouse_id: IdInputType | None = None
    available: DecimalInputType | None = None
    allocated: DecimalInputType | None = None
    picked: DecimalInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "product_id": "product_id",
        "product_code": "product__code",
        "account_id": "account_id",
        "warehouse_id": "warehouse_id",
        "available": "available",
        "allocated": "allocated",
        "picked": "picked",
    }


@strawberry.input
class CarrierFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    active: BooleanInputType | None = None
    carrier_type: StringInputType | None = None
    carrier_externally_registered: BooleanInputType | None = None
    external_system_reference1: StringInputType | None = None
    created_at: DatetimeInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "name": "name",
        "active": "active",
        "carrier_type": "carrier_type",
        "carrier_externally_registered": "carrier_externally_registered",
        "external_system_reference1": "external_system_reference1",
        "created_at": "created_at",
    }


@strawberry.input
class CarrierServiceFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    active: BooleanInputType | None = None
    carrier_id: IdInputType | None = None
    carrier_code: StringInputType | None = None
    external_preset_id: IdInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "name": "name",
        "active": "active",
        "carrier_id": "carrier_id",
        "carrier_code": "carrier__code",
        "external_preset_id": "external_preset_id",
    }


@strawberry.input
class CustomerFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    external_system_reference1: StringInputType | None = None
    shelf_life_min: IntegerInputType | None = None
    shelf_life_max: IntegerInputType | None = None
    pick_label_id: IdInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "name": "name",
        "external_system_reference1": "external_system_reference1",
        "shelf_life_min": "shelf_life_min",
        "shelf_life_max": "shelf_life_max",
        "pick_label_id": "pick_label_id",
    }


@strawberry.input
class OrderTypeFilterType(Filter):
    code: StringInputType | None = None
    name: StringInputType | None = None
    duty_payable: BooleanInputType | None = None
    created_at: DatetimeInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "code": "code",
        "name": "name",
        "duty_payable": "duty_payable",
        "created_at": "created_at",
    }


@strawberry.input
class GoodsOutsFilterType(Filter):
    reference: StringInputType | None = None
    goods_out_status_code: StringInputType | None = strawberry.field(
        default=None, description="DRAFT, PENDING, PICK, PART, ALLOCATED, COMPLETED..."
    )
    account_id: IdInputType | None = None
    warehouse_id: IdInputType | None = None
    carrier_id: IdInputType | None = None
    expected_date_of_dispatch: DatetimeInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "reference": "reference",
        # An alias the goods-outs query adds: the code of the stored status id.
        "goods_out_status_code": "goods_out_status_code",
        "account_id": "account_id",
        "warehouse_id": "warehouse_id",
        "carrier_id": "carrier_id",
        "expected_date_of_dispatch": "expected_date_of_dispatch",
    }


@strawberry.input
class GoodsOutLineFilterType(Filter):
    goods_out_id: IdInputType | None = None
    product_id: IdInputType | None = None
    account_id: IdInputType | None = None
    warehouse_id: IdInputType | None = None
    goods_out_status_code: StatusCodeInputType | None = None
    carrier_id: IdInputType | None = None
    order_quantity: DecimalInputType | None = None
    pick_quantity: DecimalInputType | None = None
    created_at: DatetimeInputType | None = None

    PATHS: ClassVar[dict[str, Target]] = {
        "goods_out_id": "goods_out_id",
        "product_id": "product_id",
        # A line's account and warehouse are its goods-out's.
        "account_id": "goods_out__account_id",
        "warehouse_id": "goods_out__warehouse_id",
        "goods_out_status_code": "goods_out__goods_out_status_id",
        "carrier_id": "carrier_id",
        "order_quantity": "order_quantity",
        "pick_quantity": "pick_quantity",
        "created_at": "created_at",
    }
