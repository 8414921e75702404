"""Order lines pasted from a spreadsheet or an e-mail: "code<TAB>quantity", one a line.

Pure text in, lines out: no Clarus, no database. What the codes name is the catalogue's job
(``catalogue.product_codes_resolve``).
"""

import re
from dataclasses import dataclass

# Spreadsheets paste tabs; e-mails bring commas, semicolons or columns lined up with spaces. A
# line with a tab is split on tabs only, so that "2,5" in a spreadsheet's cell stays one number.
SEPARATOR = re.compile(r";|,|\s{2,}")
# "3", "2.5", "2,5" (a decimal comma survives only when the line is tab-separated), "x3", "3x";
# ASCII digits only, as the quantity box takes them.
QUANTITY = re.compile(r"^(?:[x×]\s*)?([0-9]+(?:[.,][0-9]+)?)(?:\s*(?:x|×|pcs?|units?|ea))?$", re.I)
HEADER_CODES = {
    "sku",
    "code",
    "product",
    "product code",
    "item",
    "item code",
    "barcode",
    "ean",
    "upc",
    "gtin",
    "part",
    "part number",
    "article",
}
HEADER_QUANTITIES = {"qty", "quantity", "quantities", "amount", "units", "count", "pcs", "number"}
# A line's product box holds at most this much (OrderLineForm.product).
MAX_CODE = 100


@dataclass(frozen=True)
class PastedLine:
    """One pasted line: the code as typed, and its quantity ("" when none was readable)."""

    code: str
    quantity: str


def pasted_lines_parse(text: str) -> list[PastedLine]:
    """Return the lines of pasted text, skipping blank lines and a header row."""
    lines: list[PastedLine] = []
    for raw in text.splitlines():
        fields = _fields(raw)
        if not fields:
            continue
        code, rest = fields[0], fields[1:]
        quantity = _quantity(rest[0]) if rest else ""
        if not lines and _is_header(code, rest):
            continue
        lines.append(PastedLine(code=code[:MAX_CODE], quantity=quantity))
    return lines


def _fields(raw: str) -> list[str]:
    line = raw.strip()
    if not line:
        return []
    parts = line.split("\t") if "\t" in line else SEPARATOR.split(line)
    fields = [field.strip() for field in parts if field.strip()]
    if len(fields) == 1 and len(line.split()) == 2 and _quantity(line.split()[1]):
        # "MUG-BLK-0010 3": a code has no spaces, so one space before a number separates too.
        fields = line.split()
    return fields


def _quantity(text: str) -> str:
    match = QUANTITY.match(text.strip())
    return match[1].replace(",", ".") if match else ""


def _is_header(code: str, rest: list[str]) -> bool:
    """Return whether the first line names its columns ("SKU<TAB>Qty") instead of a product."""
    if rest and _quantity(rest[0]):
        return False
    heading = " ".join(code.lower().replace("_", " ").split()).rstrip(":")
    named_quantity = bool(rest) and rest[0].lower().rstrip(".:") in HEADER_QUANTITIES
    return heading in HEADER_CODES or named_quantity
