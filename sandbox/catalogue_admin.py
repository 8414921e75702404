"""Admin pages for the demo catalogue: for looking only, since ``sandbox_seed`` writes it."""

from django.contrib import admin
from django.http import HttpRequest

from sandbox.catalogue import (
    Account,
    AccountProduct,
    AccountWarehouse,
    Carrier,
    CarrierService,
    Customer,
    OrderType,
    Product,
    StockBalance,
    TenantRow,
    Warehouse,
)


class CatalogueAdmin[M: TenantRow](admin.ModelAdmin[M]):
    """Show one tenant's rows at a time, without adding, changing or deleting them."""

    list_filter = ("subdomain",)
    list_per_page = 50
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: M | None = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(CatalogueAdmin[Account]):
    list_display = ("code", "name", "subdomain", "is_short_pickable", "dispatch_strategy")
    search_fields = ("code", "name")


@admin.register(Warehouse)
class WarehouseAdmin(CatalogueAdmin[Warehouse]):
    list_display = ("code", "name", "subdomain", "address_3", "postcode")
    search_fields = ("code", "name")


@admin.register(AccountWarehouse)
class AccountWarehouseAdmin(CatalogueAdmin[AccountWarehouse]):
    list_display = ("account", "warehouse", "subdomain")
    list_select_related = ("account", "warehouse", "subdomain")


@admin.register(Product)
class ProductAdmin(CatalogueAdmin[Product]):
    list_display = ("code", "description", "barcode", "product_type", "subdomain")
    search_fields = ("=code", "=barcode", "description")


@admin.register(AccountProduct)
class AccountProductAdmin(CatalogueAdmin[AccountProduct]):
    list_display = ("account", "product", "subdomain")
    list_select_related = ("account", "product", "subdomain")
    search_fields = ("=product__code",)


@admin.register(StockBalance)
class StockBalanceAdmin(CatalogueAdmin[StockBalance]):
    list_display = ("product", "account", "warehouse", "available", "allocated", "picked")
    list_select_related = ("product", "account", "warehouse")
    search_fields = ("=product__code",)


@admin.register(Carrier)
class CarrierAdmin(CatalogueAdmin[Carrier]):
    list_display = ("code", "name", "carrier_type", "active", "subdomain")


@admin.register(CarrierService)
class CarrierServiceAdmin(CatalogueAdmin[CarrierService]):
    list_display = ("code", "name", "carrier", "active", "is_default")
    list_select_related = ("carrier",)


@admin.register(Customer)
class CustomerAdmin(CatalogueAdmin[Customer]):
    list_display = ("code", "name", "external_system_reference1", "subdomain")
    search_fields = ("code", "name")


@admin.register(OrderType)
class OrderTypeAdmin(CatalogueAdmin[OrderType]):
    list_display = ("code", "name", "duty_payable", "subdomain")
