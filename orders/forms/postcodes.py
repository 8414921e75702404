"""UK postcodes as agents type them (``ls14ap``, ``Ls1  4ap``) in the one form Royal Mail writes.

Pure text in, text out. A postcode is an outward code (area and district: ``LS1``, ``SW1A``,
``M17``) and an inward code (sector and unit: ``4AP``), one space between. Other countries'
postcodes are free text: only a GB address is checked.
"""

import re
import unicodedata

# Area letters, a district (a digit, then a digit or a letter), then the inward code, whose
# letters are never C, I, K, M, O or V. GIR 0AA is Girobank's, the one that breaks the pattern.
UK_POSTCODE = re.compile(
    r"(?:[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-Z]?)[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA", re.ASCII
)
UK_COUNTRIES = frozenset({"GB"})
NOT_A_UK_POSTCODE = (
    "This is not a UK postcode: check it (it looks like LS1 4AP). For an address abroad, "
    "choose its country first."
)


def uk_postcode_normalise(text: str) -> str | None:
    """Return ``text`` as a UK postcode is written (``LS1 4AP``), or None if it is not one.

    Case, spaces and full-width characters do not matter; anything else does.
    """
    if not isinstance(text, str) or len(text) > 40:
        return None
    compact = "".join(unicodedata.normalize("NFKC", text).upper().split())
    if not UK_POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"
