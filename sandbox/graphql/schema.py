"""The schema: one root field per resource, each with Clarus's ``all(filter, first, after)``.

Every query reads only the request's tenant, and loads the objects a node nests (a stock
balance's product, a line's goods-out...) in the same SQL query, so a page costs one query
whatever its size.
"""

from dataclasses import dataclass

import strawberry
from django.db.models import Case, CharField, Model, QuerySet, Value, When
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from sandbox import catalogue
from sandbox.goods_out_records import GOODS_OUT_STATUSES
from sandbox.graphql import nodes
from sandbox.graphql.errors import QueryError
from sandbox.graphql.filters import (
    AccountFilterType,
    AccountProductFilterType,
    AccountWarehouseFilterType,
    CarrierFilterType,
    CarrierServiceFilterType,
    CustomerFilterType,
    Filter,
    GoodsOutLineFilterType,
    GoodsOutsFilterType,
    OrderTypeFilterType,
    ProductsFilterType,
    StockBalancesFilterType,
    WarehouseFilterType,
)
from sandbox.graphql.inputs import DATETIME_SCALAR, Moment
from sandbox.graphql.pagination import Connection, paginate
from sandbox.models import SandboxGoodsOut, SandboxGoodsOutLine, SandboxSubdomain


@dataclass(frozen=True)
class Context:
    """What every resolver knows: the tenant the bearer token and header named."""

    subdomain: SandboxSubdomain


Info = strawberry.Info[Context, None]

# The status code of a goods-out's stored status id, for the goods_out_status_code filter.
STATUS_CODE = Case(
    *(
        When(goods_out_status_id=pk, then=Value(code))
        for pk, (code, _) in GOODS_OUT_STATUSES.items()
    ),
    output_field=CharField(),
)


def _filtered[M: Model](rows: QuerySet[M], row_filter: Filter | None) -> QuerySet[M]:
    return rows.filter(row_filter.q()) if row_filter is not None else rows


def _tenant(info: Info) -> SandboxSubdomain:
    return info.context.subdomain


@strawberry.type
class Accounts:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: AccountFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.Account]:
        rows = catalogue.Account.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.Account.of)


@strawberry.type
class AccountWarehouses:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: AccountWarehouseFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.AccountWarehouse]:
        rows = catalogue.AccountWarehouse.objects.filter(subdomain=_tenant(info)).select_related(
            "account", "warehouse"
        )
        return paginate(
            _filtered(rows, filter), first=first, after=after, node=nodes.AccountWarehouse.of
        )


@strawberry.type
class Warehouses:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: WarehouseFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.Warehouse]:
        rows = catalogue.Warehouse.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.Warehouse.of)


@strawberry.type
class Products:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: ProductsFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.Product]:
        rows = catalogue.Product.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.Product.of)


@strawberry.type
class AccountProducts:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: AccountProductFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.AccountProduct]:
        rows = catalogue.AccountProduct.objects.filter(subdomain=_tenant(info)).select_related(
            "account", "product"
        )
        return paginate(
            _filtered(rows, filter), first=first, after=after, node=nodes.AccountProduct.of
        )


@strawberry.type
class StockBalances:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: StockBalancesFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.StockBalance]:
        rows = catalogue.StockBalance.objects.filter(subdomain=_tenant(info)).select_related(
            "account", "warehouse", "product"
        )
        return paginate(
            _filtered(rows, filter), first=first, after=after, node=nodes.StockBalance.of
        )


@strawberry.type
class Carriers:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: CarrierFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.Carrier]:
        rows = catalogue.Carrier.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.Carrier.of)


@strawberry.type
class CarrierServices:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: CarrierServiceFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.CarrierService]:
        rows = catalogue.CarrierService.objects.filter(subdomain=_tenant(info)).select_related(
            "carrier"
        )
        return paginate(
            _filtered(rows, filter), first=first, after=after, node=nodes.CarrierService.of
        )


@strawberry.type
class Customers:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: CustomerFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.Customer]:
        rows = catalogue.Customer.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.Customer.of)


@strawberry.type
class OrderTypes:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: OrderTypeFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.OrderType]:
        rows = catalogue.OrderType.objects.filter(subdomain=_tenant(info))
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.OrderType.of)


@strawberry.type
class GoodsOuts:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: GoodsOutsFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.GoodsOut]:
        rows = (
            SandboxGoodsOut.objects.filter(subdomain=_tenant(info))
            .alias(goods_out_status_code=STATUS_CODE)
            .select_related("account", "warehouse", "carrier")
        )
        return paginate(_filtered(rows, filter), first=first, after=after, node=nodes.GoodsOut.of)


@strawberry.type
class GoodsOutLines:
    @strawberry.field
    def all(
        self,
        info: Info,
        filter: GoodsOutLineFilterType | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[nodes.GoodsOutLine]:
        rows = SandboxGoodsOutLine.objects.filter(
            goods_out__subdomain=_tenant(info)
        ).select_related(
            "product",
            "carrier",
            "goods_out__account",
            "goods_out__warehouse",
            "goods_out__carrier",
        )
        return paginate(
            _filtered(rows, filter), first=first, after=after, node=nodes.GoodsOutLine.of
        )


@strawberry.type
class Query:
    accounts: Accounts = strawberry.field(resolver=Accounts)
    account_warehouses: AccountWarehouses = strawberry.field(resolver=AccountWarehouses)
    warehouses: Warehouses = strawberry.field(resolver=Warehouses)
    products: Products = strawberry.field(resolver=Products)
    account_products: AccountProducts = strawberry.field(resolver=AccountProducts)
    stock_balances: StockBalances = strawberry.field(resolver=StockBalances)
    carriers: Carriers = strawberry.field(resolver=Carriers)
    carrier_services: CarrierServices = strawberry.field(resolver=CarrierServices)
    customers: Customers = strawberry.field(resolver=Customers)
    order_types: OrderTypes = strawberry.field(resolver=OrderTypes)
    goods_outs: GoodsOuts = strawberry.field(resolver=GoodsOuts)
    goods_out_lines: GoodsOutLines = strawberry.field(resolver=GoodsOutLines)


class SandboxSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Syntax, validation and QueryError mistakes are the caller's, answered in `errors`;
        # only the sandbox's own failures are worth a traceback in the log.
        own = [
            error
            for error in errors
            if error.original_error is not None and not isinstance(error.original_error, QueryError)
        ]
        super().process_errors(own, execution_context)


schema = SandboxSchema(
    query=Query,
    # The desk sends the same few documents with new variables: parsing and validating each
    # once keeps a lookup at about a millisecond.
    extensions=[ParserCache, ValidationCache],
    # Clarus's fields are snake_case; only pageInfo and its members are camelCase.
    config=StrawberryConfig(auto_camel_case=False, scalar_map={Moment: DATETIME_SCALAR}),
)
