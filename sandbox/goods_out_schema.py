"""What Clarus's spec allows in a goods-out create, as data the validator walks.

Follows the constraints of the spec's ``GoodsOutAttributes``, ``GoodsOutLineChange`` and ``Address``
schemas; tests/sandbox/test_contract.py checks these tables against the spec itself.
"""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["string", "integer", "number", "boolean", "datetime"]


@dataclass(frozen=True)
class Rule:
    """What the spec allows for one member."""

    kind: Kind
    nullable: bool = True
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    exclusive_minimum: bool = False
    format: Literal["email", "country"] | None = None


STRING = Rule("string")
INTEGER = Rule("integer")
BOOLEAN = Rule("boolean")
DATETIME = Rule("datetime")
DISPATCH_STRATEGY = Rule("string", choices=("manual", "auto", "load", "shipment", "auto_shipment"))
PACK_STRATEGY = Rule("string", choices=("disabled", "pack_by_line", "pack_by_unit"))
LINE_CHANGE_TYPES = ("ADD", "UPDATE", "DESTROY")


def _custom_slots(*, datetime_ranges: bool = False) -> dict[str, Rule]:
    """Return the generic string/integer/datetime/boolean 1 to 5 slots and external references."""
    slots: dict[str, Rule] = {}
    for n in range(1, 6):
        slots |= {f"string{n}": STRING, f"integer{n}": INTEGER, f"boolean{n}": BOOLEAN}
        slots[f"datetime{n}"] = DATETIME
        if datetime_ranges:
            slots |= {f"datetime{n}_from": DATETIME, f"datetime{n}_to": DATETIME}
    for n in range(1, 4):
        slots[f"external_system_reference{n}"] = STRING
    return slots


# Spec schema GoodsOutAttributes.
HEADER_RULES: dict[str, Rule] = {
    "goods_out_type": Rule(
        "string", nullable=False, choices=("sales_order", "work_order", "crossdock")
    ),
    "account_id": Rule("integer", nullable=False),
    "reference": Rule("string", nullable=False, max_length=50),
    "expected_date_of_dispatch": Rule("datetime", nullable=False),
    "actual_date_of_dispatch": DATETIME,
    "warehouse_id": INTEGER,
    "customer_id": INTEGER,
    "carrier_id": INTEGER,
    "carrier_service_id": INTEGER,
    "priority": Rule("integer", minimum=1, maximum=99),
    "order_type_id": INTEGER,
    "dispatch_strategy": DISPATCH_STRATEGY,
    "pack_strategy": PACK_STRATEGY,
    "pick_type": Rule("string", choices=("standard", "tote")),
    "delivery_notes": STRING,
    "order_notes": STRING,
    "pick_notes": STRING,
    "packing_notes": Rule("string", max_length=255),
    "load_reference": STRING,
    "pick_reference": STRING,
    "drop_sequence": Rule("integer", minimum=0),
    "location_id": INTEGER,
    "integration_id": INTEGER,
    "original_delivery_address_id": INTEGER,
    "goods_out_status_id": INTEGER,
    "short_order_lines_description": STRING,
    "short_order_lines_reason_code_id": INTEGER,
    **_custom_slots(),
}
HEADER_REQUIRED = ("goods_out_type", "account_id", "reference", "expected_date_of_dispatch")

# Spec schema GoodsOutLineChange.attributes.
LINE_RULES: dict[str, Rule] = {
    "product_id": Rule("integer", nullable=False),
    "order_quantity": Rule("number", nullable=False, minimum=0, exclusive_minimum=True),
    "order_quantity_dimension": Rule(
        "string", choices=("length", "area", "volume", "weight", "none")
    ),
    "ordered_configurations_quantity": Rule("number", minimum=0, exclusive_minimum=True),
    "stock_configuration": Rule("string", choices=("unit", "case", "inner", "outer")),
    "stock_description": STRING,
    "stock_to_pick_id": INTEGER,
    "storage_unit_reference": STRING,
    "goods_in_receipt_line_id": INTEGER,
    "carrier_id": INTEGER,
    "carrier_service_id": INTEGER,
    "dispatch_strategy": DISPATCH_STRATEGY,
    "pack_strategy": PACK_STRATEGY,
    "alt_line_number": STRING,
    "alt_line_reference": STRING,
    "alt_line_note": STRING,
    "alt_product_code": STRING,
    **_custom_slots(datetime_ranges=True),
}
# Clarus: the docs call these "required for ADD" without listing them in the schema (§2.4).
LINE_ADD_REQUIRED = ("product_id", "order_quantity")

# Spec schema Address.
ADDRESS_RULES: dict[str, Rule] = {
    "name": STRING,
    **{f"address_{n}": Rule("string", max_length=80) for n in range(1, 6)},
    "postcode": Rule("string", max_length=10),
    "country_code": Rule("string", max_length=6, format="country"),
    "email_address": Rule("string", max_length=254, format="email"),
    "phone_number": Rule("string", max_length=50),
    "external_system_reference1": STRING,
    "external_system_reference2": STRING,
    "external_system_reference3": STRING,
}
ADDRESS_READ_ONLY = ("code",)
# Clarus: the address goes under relationships, never in attributes (CONTRACT.md §2.2).
MISPLACED_ADDRESS_KEYS = frozenset(
    {"address", "delivery_address", *ADDRESS_RULES, *ADDRESS_READ_ONLY} - set(HEADER_RULES)
)
