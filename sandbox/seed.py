"""A deterministic demo catalogue for one pretend tenant, for ``manage.py sandbox_seed``.

The same ``seed`` always gives the same rows, drawn from separate random streams so that asking
for more products later keeps the first ones as they were. Seeding is idempotent: a row whose
natural key (a code, or an account-product-warehouse triple) exists is left alone, and only the
missing ones are inserted, in bulk. ``reset`` deletes the tenant's catalogue first; goods-outs
received over REST are not touched.
"""

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import batched

from django.core.validators import validate_slug
from django.db import connection, transaction

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
from sandbox.models import SandboxSubdomain

# Links before what they link, so deleting in this order never cascades.
CATALOGUE_MODELS: tuple[type[TenantRow], ...] = (
    StockBalance,
    AccountProduct,
    AccountWarehouse,
    CarrierService,
    Product,
    Account,
    Warehouse,
    Carrier,
    Customer,
    OrderType,
)
BATCH_SIZE = 1000
MAX_PRODUCTS = 99_999

# (done, total): rows written so far, out of the rows this run writes.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Item:
    code: str
    noun: str
    materials: tuple[str, ...]
    sizes: tuple[str, ...]
    units_per_case: int
    commodity_code: str
    product_type: str = "standard"
    shelf_life: tuple[int, int] | None = None


ITEMS = (
    Item(
        "MUG",
        "mug",
        ("ceramic", "enamel", "stoneware", "glass"),
        ("250ml", "350ml", "450ml"),
        6,
        "6912002390",
    ),
    Item(
        "TEE",
        "t-shirt",
        ("cotton", "organic cotton", "linen"),
        ("S", "M", "L", "XL"),
        10,
        "6109100010",
    ),
    Item("CAP", "cap", ("cotton", "wool", "canvas"), ("one size",), 12, "6505009090"),
    Item(
        "BTL",
        "water bottle",
        ("steel", "glass", "bamboo"),
        ("500ml", "750ml", "1l"),
        6,
        "7323930090",
    ),
    Item("SCK", "socks", ("wool", "cotton", "bamboo"), ("4-7", "8-11"), 20, "6115950000"),
    Item(
        "NBK",
        "notebook",
        ("recycled paper", "leather", "linen"),
        ("A6", "A5", "A4"),
        24,
        "4820102000",
    ),
    Item(
        "PEN", "pen", ("brass", "bamboo", "recycled plastic"), ("fine", "medium"), 50, "9608109200"
    ),
    Item("BAG", "tote bag", ("canvas", "jute", "cotton"), ("small", "large"), 10, "4202229000"),
    Item("TWL", "towel", ("cotton", "bamboo", "linen"), ("hand", "bath", "beach"), 8, "6302600000"),
    Item("CDL", "candle", ("soy wax", "beeswax"), ("200g", "400g"), 12, "3406000000"),
    Item("PLT", "plate", ("ceramic", "stoneware", "enamel"), ("20cm", "27cm"), 6, "6912002310"),
    Item("BWL", "bowl", ("ceramic", "bamboo", "glass"), ("15cm", "18cm"), 6, "6912002510"),
    Item("LMP", "lamp", ("brass", "oak", "ceramic"), ("small", "medium"), 2, "9405210000"),
    Item("CSH", "cushion", ("velvet", "linen", "wool"), ("45cm", "60cm"), 4, "9404908000"),
    Item("UMB", "umbrella", ("nylon", "canvas"), ("compact", "golf"), 10, "6601910000"),
    Item("SCF", "scarf", ("wool", "cashmere", "silk"), ("standard",), 10, "6117100000"),
    Item(
        "TEA",
        "tea tin",
        ("breakfast", "earl grey", "green", "peppermint"),
        ("100g", "250g"),
        12,
        "0902300000",
        shelf_life=(180, 540),
    ),
    Item(
        "CHO",
        "chocolate box",
        ("dark", "milk", "salted caramel"),
        ("150g", "300g"),
        12,
        "1806310000",
        shelf_life=(90, 270),
    ),
    Item(
        "GFT",
        "gift set",
        ("bath", "tea", "stationery"),
        ("small", "large"),
        4,
        "9505900000",
        product_type="kit",
    ),
)
COLOURS = (
    ("BLU", "blue"), ("RED", "red"), ("GRN", "green"), ("BLK", "black"), ("WHT", "white"),
    ("GRY", "grey"), ("YEL", "yellow"), ("PNK", "pink"), ("NVY", "navy"), ("ORG", "orange"),
    ("PUR", "purple"), ("TEA", "teal"),
)  # fmt: skip
STYLES = ("Classic", "Everyday", "Premium", "Vintage", "Matte", "Striped", "Speckled", "Eco")
COUNTRIES = ("GB", "PT", "CN", "IN", "TR", "VN", "PL")

ACCOUNTS = (
    ("ACME", "Acme Homeware Ltd", True, "auto", "GB123456789"),
    ("NORTHWIND", "Northwind Trading", False, "manual", "GB987654321"),
    ("BLUEBIRD", "Bluebird Apparel", False, "shipment", ""),
    ("KITE", "Kite & Co Gifts", True, "load", "GB555000111"),
)
WAREHOUSES = (
    (
        "WH1",
        "Manchester DC",
        1,
        "Unit 4 Trafford Park",
        "Manchester",
        "Greater Manchester",
        "M17 1AA",
    ),
    ("WH2", "Leeds Fulfilment", 1, "12 Thorpe Park Way", "Leeds", "West Yorkshire", "LS15 8GB"),
    ("WH3", "Daventry Hub", 2, "DIRFT Royal Oak Way", "Daventry", "Northamptonshire", "NN11 8QL"),
)
# (carrier code, name, type, externally registered, services: (code, name, active, default)).
CARRIERS = (
    ("DPD", "DPD UK", "dpd", True, (
        ("DPDNEXT", "Next day", True, True),
        ("DPD48", "48 hour", True, False),
        ("DPDSAT", "Saturday", False, False),
    )),
    ("ROYALMAIL", "Royal Mail", "royal_mail", False, (
        ("RM1CLS", "Royal Mail 1st Class", True, True),
        ("RM2CLS", "Royal Mail 2nd Class", True, False),
        ("RMT24", "Tracked 24", True, False),
        ("RMT48", "Tracked 48", True, False),
    )),
    ("UPS", "UPS", "ups", False, (
        ("UPSSTD", "Standard", True, True),
        ("UPSEXP", "Express Saver", True, False),
    )),
)  # fmt: skip
ORDER_TYPES = (
    ("HO-1", "Home Order", False),
    ("B2B", "Trade Order", False),
    ("EXP", "Export Order", True),
    ("WHS", "Wholesale Order", False),
)
CUSTOMER_NAMES = ("Harbour", "Oakwood", "Willow", "Kestrel", "Meadow", "Granite")
CUSTOMER_KINDS = ("Cafe", "Stores", "Interiors", "Gifts")
# EAN-13 company prefixes, one per packing level, so no two codes of a tenant collide.
EAN_PREFIXES = {"barcode": "501234", "case": "502234", "inner": "503234", "outer": "504234"}


@dataclass(frozen=True)
class SeedSummary:
    """Rows the tenant's catalogue has after seeding, and how many of them this run added."""

    subdomain: str
    totals: dict[str, int]
    created: dict[str, int]


def ean13(first_twelve: str) -> str:
    """Return the EAN-13 whose first twelve digits are given, with its check digit."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError(f"An EAN-13 starts with twelve digits, not {first_twelve!r}.")
    return first_twelve + str(ean13_check_digit(first_twelve))


def ean13_check_digit(first_twelve: str) -> int:
    """Return the GS1 check digit: weights 1 and 3 alternate from the left."""
    total = sum(
        int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first_twelve)
    )
    return (10 - total % 10) % 10


def product_rows(subdomain: SandboxSubdomain, *, count: int, seed: int) -> list[Product]:
    """Return ``count`` unsaved products; the first n are the same whatever the count."""
    rng = random.Random(f"{seed}:products")
    rows = []
    for number in range(1, count + 1):
        item = rng.choice(ITEMS)
        colour_code, colour = rng.choice(COLOURS)
        material, size = rng.choice(item.materials), rng.choice(item.sizes)
        inner, outer = rng.random() < 0.3, rng.random() < 0.2
        country = rng.choice(COUNTRIES)
        style = rng.choice(STYLES)
        rows.append(
            Product(
                subdomain=subdomain,
                code=f"{item.code}-{colour_code}-{number:04d}",
                barcode=_ean("barcode", number),
                case_barcode=_ean("case", number),
                inner_barcode=_ean("inner", number) if inner else "",
                outer_barcode=_ean("outer", number) if outer else "",
                description=f"{colour.capitalize()} {material} {item.noun} {size}",
                long_description=(
                    f"{style} {item.noun} in {colour} {material}, {size}. "
                    f"Packed {item.units_per_case} to a case."
                ),
                product_type=item.product_type,
                units_per_case=item.units_per_case,
                shelf_life_min=item.shelf_life[0] if item.shelf_life else None,
                shelf_life_max=item.shelf_life[1] if item.shelf_life else None,
                commodity_code=item.commodity_code,
                country_of_manufacture=country,
            )
        )
    return rows


def _ean(level: str, number: int) -> str:
    return ean13(f"{EAN_PREFIXES[level]}{number:06d}")


@transaction.atomic
def catalogue_seed(
    *,
    subdomain: str,
    products: int = 5000,
    seed: int = 1,
    reset: bool = False,
    progress: Progress | None = None,
) -> SeedSummary:
    """Create the demo catalogue of ``subdomain`` (created too if new); return what it holds.

    Raise ValidationError if ``subdomain`` is no slug, ValueError for a bad product count.
    """
    validate_slug(subdomain)
    if not 1 <= products <= MAX_PRODUCTS:
        raise ValueError(f"products must be between 1 and {MAX_PRODUCTS}.")
    tenant, _created = SandboxSubdomain.objects.get_or_create(
        slug=subdomain, defaults={"name": subdomain}
    )
    if reset:
        catalogue_delete(tenant)
    rng = random.Random(f"{seed}:accounts")
    account_rows, warehouse_rows = _account_rows(tenant), _warehouse_rows(tenant)
    warehouse_codes = [row.code for row in warehouse_rows]
    reach = {
        row.code: rng.sample(warehouse_codes, rng.randint(1, len(warehouse_codes)))
        for row in account_rows
    }
    items = product_rows(tenant, count=products, seed=seed)
    owners = _owners([row.code for row in items], [row.code for row in account_rows], seed)
    carrier_rows, customer_rows = _carrier_rows(tenant), _customer_rows(tenant, seed)
    order_type_rows = [
        OrderType(subdomain=tenant, code=code, name=name, duty_payable=duty)
        for code, name, duty in ORDER_TYPES
    ]
    services = sum(len(carrier[-1]) for carrier in CARRIERS)
    total = (
        len(account_rows) + len(warehouse_rows) + sum(len(codes) for codes in reach.values())
        + len(carrier_rows) + services + len(customer_rows) + len(order_type_rows)
        + len(items) + len(owners) + sum(len(reach[account]) for _code, account in owners)
    )  # fmt: skip
    writer = _Writer(tenant, total, progress)

    accounts = writer.insert(Account, account_rows, key="code")
    warehouses = writer.insert(Warehouse, warehouse_rows, key="code")
    writer.insert(
        AccountWarehouse,
        [
            AccountWarehouse(
                subdomain=tenant, account_id=accounts[account], warehouse_id=warehouses[code]
            )
            for account, codes in reach.items()
            for code in codes
        ],
    )
    carriers = writer.insert(Carrier, carrier_rows, key="code")
    writer.insert(CarrierService, _service_rows(tenant, carriers))
    writer.insert(Customer, customer_rows)
    writer.insert(OrderType, order_type_rows)
    product_ids = writer.insert(Product, items, key="code")
    writer.insert(
        AccountProduct,
        [
            AccountProduct(
                subdomain=tenant, account_id=accounts[account], product_id=product_ids[code]
            )
            for code, account in owners
        ],
    )
    writer.insert(
        StockBalance,
        list(_stock_rows(tenant, owners, accounts, warehouses, product_ids, reach, seed)),
    )
    _planner_statistics_refresh()
    return writer.summary()


def catalogue_delete(tenant: SandboxSubdomain) -> None:
    """Delete the demo catalogue of ``tenant``."""
    for model in CATALOGUE_MODELS:
        model._default_manager.filter(subdomain=tenant).delete()


def _planner_statistics_refresh() -> None:
    """Tell the query planner how big the tables now are.

    SQLite never gathers statistics itself; without them it filters products by subdomain and
    scans, where an ``all_codes`` lookup could use the five code indexes at once.
    """
    with connection.cursor() as cursor:
        for model in CATALOGUE_MODELS:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _Writer:
    """Insert rows in batches, skipping those already there, and report progress."""

    def __init__(self, tenant: SandboxSubdomain, total: int, progress: Progress | None) -> None:
        self.tenant = tenant
        self.total = total
        self.progress = progress
        self.done = 0
        self.created: dict[str, int] = {}
        self.totals: dict[str, int] = {}

    def insert[M: TenantRow](
        self, model: type[M], rows: Sequence[M], *, key: str | None = None
    ) -> dict[str, int]:
        """Insert the ``rows`` not there yet; return {key: id} of the tenant's rows if ``key``."""
        manager = model._default_manager
        before = manager.filter(subdomain=self.tenant).count()
        for batch in batched(rows, BATCH_SIZE):
            # A unique constraint per natural key makes a second run insert nothing.
            manager.bulk_create(batch, ignore_conflicts=True)
            self.done += len(batch)
            if self.progress:
                self.progress(self.done, self.total)
        after = manager.filter(subdomain=self.tenant).count()
        label = str(model._meta.verbose_name_plural)
        self.created[label] = after - before
        self.totals[label] = after
        if key is None:
            return {}
        return dict(manager.filter(subdomain=self.tenant).values_list(key, "pk"))

    def summary(self) -> SeedSummary:
        return SeedSummary(self.tenant.slug, self.totals, self.created)


def _account_rows(tenant: SandboxSubdomain) -> list[Account]:
    return [
        Account(
            subdomain=tenant,
            code=code,
            name=name,
            is_short_pickable=short,
            dispatch_strategy=strategy,
            vat_number=vat,
            external_system_reference1=f"ERP-{code}",
        )
        for code, name, short, strategy, vat in ACCOUNTS
    ]


def _warehouse_rows(tenant: SandboxSubdomain) -> list[Warehouse]:
    return [
        Warehouse(
            subdomain=tenant,
            code=code,
            name=name,
            site_id=site,
            address_1=street,
            address_3=town,
            address_4=county,
            postcode=postcode,
            country_code="GB",
        )
        for code, name, site, street, town, county, postcode in WAREHOUSES
    ]


def _carrier_rows(tenant: SandboxSubdomain) -> list[Carrier]:
    return [
        Carrier(
            subdomain=tenant,
            code=code,
            name=name,
            description=f"{name} parcel services",
            carrier_type=kind,
            carrier_externally_registered=external,
            external_system_reference1=f"CARRIER-{code}",
        )
        for code, name, kind, external, _services in CARRIERS
    ]


def _service_rows(tenant: SandboxSubdomain, carriers: dict[str, int]) -> list[CarrierService]:
    return [
        CarrierService(
            subdomain=tenant,
            carrier_id=carriers[carrier],
            code=code,
            name=name,
            active=active,
            is_default=default,
        )
        for carrier, _name, _kind, _external, services in CARRIERS
        for code, name, active, default in services
    ]


def _customer_rows(tenant: SandboxSubdomain, seed: int) -> list[Customer]:
    rng = random.Random(f"{seed}:customers")
    rows = []
    for number, (name, kind) in enumerate(
        ((name, kind) for name in CUSTOMER_NAMES for kind in CUSTOMER_KINDS), start=1
    ):
        perishable = rng.random() < 0.3
        rows.append(
            Customer(
                subdomain=tenant,
                code=f"CUST-{number:04d}",
                name=f"{name} {kind} Ltd",
                external_system_reference1=f"CRM-{1000 + number}",
                shelf_life_min=rng.choice((30, 60, 90)) if perishable else None,
                shelf_life_max=365 if perishable else None,
            )
        )
    return rows


def _owners(codes: list[str], accounts: list[str], seed: int) -> list[tuple[str, str]]:
    """Return (product code, account code) pairs: one owner each, a second for about 1 in 10."""
    rng = random.Random(f"{seed}:owners")
    pairs = []
    for code in codes:
        first = rng.choice(accounts)
        pairs.append((code, first))
        if rng.random() < 0.1:
            second = rng.choice([account for account in accounts if account != first])
            pairs.append((code, second))
    return pairs


def _stock_rows(
    tenant: SandboxSubdomain,
    owners: list[tuple[str, str]],
    accounts: dict[str, int],
    warehouses: dict[str, int],
    products: dict[str, int],
    reach: dict[str, list[str]],
    seed: int,
) -> Iterator[StockBalance]:
    """Yield a balance for each owned product in each warehouse its account uses."""
    rng = random.Random(f"{seed}:stock")
    for code, account in owners:
        for warehouse in reach[account]:
            # About one line in eight is out of stock, so the desk sees zero availability.
            available = 0 if rng.random() < 0.125 else rng.randint(1, 2000)
            allocated, picked = rng.choice((0, 0, rng.randint(1, 120))), rng.randint(0, 40)
            yield StockBalance(
                subdomain=tenant,
                account_id=accounts[account],
                warehouse_id=warehouses[warehouse],
                product_id=products[code],
                available=available,
                allocated=allocated,
                ordered=rng.randint(0, 500),
                received=available + allocated + picked,
                picked=picked,
            )
