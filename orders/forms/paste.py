"""Order lines pasted from a spreadsheet or an e-mail: "code<TAB>quantity", one a line; and one
line typed into a product box with its quantity: "SKU x4", "4 x SKU", "SKU 4".

Pure text in, lines out: no Clarus, no database. What the codes name is the catalogue's job
(``catalogue.product_codes_resolve``).
"""

import dataclasses
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
# A quantity said with the product, in a box or on a pasted line: "4 x SKU", "4x SKU", "SKU x4",
# "SKU x 4" (or the multiplication sign for the x), and "SKU 4" when SKU is one word that reads
# as a code (a digit or a hyphen in it: "mug 350" stays words to search for).
# static/orders/lookups.js tells the same three apart, to know where Enter goes before the desk
# has answered.
NUMBER = r"([0-9]+(?:[.,][0-9]+)?)"
QUANTITY_FIRST = re.compile(rf"^{NUMBER}\s*[x×]\s+(\S.*)$", re.I)
QUANTITY_AFTER = re.compile(rf"^(.*?\S)\s+[x×]\s*{NUMBER}$", re.I)
CODE_THEN_NUMBER = re.compile(rf"^(\S*[0-9\-_/.]\S*)\s+{NUMBER}$")


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
        if len(fields) == 1:
            # "4 x SKU", "SKU x4": the quantity said in the line itself.
            code, quantity = dataclasses.astuple(line_text_parse(code))
        if not lines and _is_header(code, rest):
            continue
        lines.append(PastedLine(code=code[:MAX_CODE], quantity=quantity))
    return lines


def line_text_parse(text: str) -> PastedLine:
    """Return the product and the quantity one typed line names ("SKU x4" → SKU, 4).

    Text with no quantity in it is all product, with no quantity.
    """
    line = " ".join(text.split())
    for pattern, code_at, quantity_at in (
        (QUANTITY_FIRST, 2, 1),
        (QUANTITY_AFTER, 1, 2),
        (CODE_THEN_NUMBER, 1, 2),
    ):
        match = pattern.match(line)
        if match:
            code, number = match[code_at], match[quantity_at].replace(",", ".")
            if float(number) > 0:
                return PastedLine(code=code.strip()[:MAX_CODE], quantity=number)
    return PastedLine(code=line[:MAX_CODE], quantity="")


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
