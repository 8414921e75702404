"""The demo catalogue each pretend tenant reads over GraphQL: accounts, warehouses, products...

Every row belongs to one ``SandboxSubdomain`` and codes are unique within it, as Clarus's are
within a tenant. Fields follow the node fields and filters of Clarus's GraphQL list queries
(CONTRACT.md §4); ``manage.py sandbox_seed`` fills them with demo data.
"""

from django.db import models
from django.utils import timezone

# Clarus: the enums an account shares with goods outs (spec AccountAttributes, CONTRACT.md §4).
DISPATCH_STRATEGIES = ("manual", "auto", "load", "shipment", "auto_shipment")
PACK_STRATEGIES = ("disabled", "pack_by_line", "pack_by_unit")


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(value, value.replace("_", " ").capitalize()) for value in values]


class TenantRow(models.Model):
    """A row of one tenant's catalogue."""

    subdomain = models.ForeignKey(
        "sandbox.SandboxSubdomain", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ("pk",)


class Account(TenantRow):
    """A stock account: the 3PL client who owns the stock."""

    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    is_short_pickable = models.BooleanField(default=False)
    dispatch_strategy = models.CharField(
        max_length=20, choices=_choices(DISPATCH_STRATEGIES), default="manual"
    )
    pack_strategy = models.CharField(
        max_length=20, choices=_choices(PACK_STRATEGIES), default="disabled"
    )
    external_system_reference1 = models.CharField(max_length=100, blank=True)
    vat_number = models.CharField(max_length=20, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_account_code")
        ]

    def __str__(self) -> str:
        return self.code


class Warehouse(TenantRow):
    """A warehouse, with its address in Clarus's address_1..4 layout."""

    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    site_id = models.PositiveIntegerField(null=True, blank=True)
    consolidate_pick_enabled = models.BooleanField(default=False)
    loading_validation_setting = models.CharField(max_length=30, default="none")
    opening_times_enabled = models.BooleanField(default=False)
    address_1 = models.CharField(max_length=80, blank=True)
    address_2 = models.CharField(max_length=80, blank=True)
    # Clarus: address_3 is the town and address_4 the county (CONTRACT.md §2.5).
    address_3 = models.CharField(max_length=80, blank=True)
    address_4 = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    country_code = models.CharField(max_length=6, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_warehouse_code")
        ]

    def __str__(self) -> str:
        return self.code


class AccountWarehouse(TenantRow):
    """A warehouse an account may use."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["account", "warehouse"], name="sandbox_account_warehouse"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} @ {self.warehouse_id}"


class Product(TenantRow):
    """A product (SKU) with its barcodes at each packing level."""

    code = models.CharField(max_length=50)
    barcode = models.CharField(max_length=50, blank=True)
    case_barcode = models.CharField(max_length=50, blank=True)
    inner_barcode = models.CharField(max_length=50, blank=True)
    outer_barcode = models.CharField(max_length=50, blank=True)
    description = models.CharField(max_length=255)
    long_description = models.TextField(blank=True)
    product_type = models.CharField(max_length=30, default="standard")
    units_per_case = models.PositiveIntegerField(default=1)
    shelf_life_min = models.PositiveIntegerField(null=True, blank=True)
    shelf_life_max = models.PositiveIntegerField(null=True, blank=True)
    commodity_code = models.CharField(max_length=20, blank=True)
    country_of_manufacture = models.CharField(max_length=2, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_product_code")
        ]
        # Exact code and barcode lookups (eq, in, all_codes) are what a scanner or SKU box sends.
        indexes = [
            models.Index(fields=["subdomain", "barcode"], name="sandbox_product_barcode"),
            models.Index(fields=["subdomain", "case_barcode"], name="sandbox_product_case"),
            models.Index(fields=["subdomain", "inner_barcode"], name="sandbox_product_inner"),
            models.Index(fields=["subdomain", "outer_barcode"], name="sandbox_product_outer"),
        ]

    def __str__(self) -> str:
        return self.code


class AccountProduct(TenantRow):
    """A product an account owns stock of."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["account", "product"], name="sandbox_account_product")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} owns {self.product_id}"


class StockBalance(TenantRow):
    """How much of one account's product one warehouse holds, by state."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    # Floats: Clarus answers quantities as JSON numbers such as 1380.0.
    available = models.FloatField(default=0)
    allocated = models.FloatField(default=0)
    ordered = models.FloatField(default=0)
    received = models.FloatField(default=0)
    picked = models.FloatField(default=0)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["account", "warehouse", "product"], name="sandbox_stock_balance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} in {self.warehouse_id}: {self.available}"


class Carrier(TenantRow):
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    active = models.BooleanField(default=True)
    carrier_type = models.CharField(max_length=30, default="custom")
    carrier_externally_registered = models.BooleanField(default=False)
    external_system_reference1 = models.CharField(max_length=100, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_carrier_code")
        ]

    def __str__(self) -> str:
        return self.code


class CarrierService(TenantRow):
    carrier = models.ForeignKey(Carrier, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)
    external_preset_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["carrier", "code"], name="sandbox_carrier_service")
        ]

    def __str__(self) -> str:
        return self.code


class Customer(TenantRow):
    """An end customer: who receives the goods, not who owns them."""

    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    external_system_reference1 = models.CharField(max_length=100, blank=True)
    shelf_life_min = models.PositiveIntegerField(null=True, blank=True)
    shelf_life_max = models.PositiveIntegerField(null=True, blank=True)
    pick_label_id = models.PositiveIntegerField(null=True, blank=True)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_customer_code")
        ]

    def __str__(self) -> str:
        return self.code


class OrderType(TenantRow):
    code = models.CharField(max_length=50)
    name = models.CharField(max_length=100)
    duty_payable = models.BooleanField(default=False)

    class Meta(TenantRow.Meta):
        constraints = [
            models.UniqueConstraint(fields=["subdomain", "code"], name="sandbox_order_type_code")
        ]

    def __str__(self) -> str:
        return self.code
