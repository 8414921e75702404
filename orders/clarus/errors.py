"""Reading what Clarus says when it refuses: the fields its 422 errors name (CONTRACT.md §3.2)."""

from orders.clarus.documents import ADDRESS_ATTRIBUTES, HEADER_ATTRIBUTES
from orders.domain import FieldRef

# A line's attributes and the desk's line field each stands for.
_LINE_FIELDS = {".product_id": "product_id", ".order_quantity": "quantity"}


def source_target(source: str | None) -> FieldRef | None:
    """Return the field of the keyed order a Clarus error ``source`` names, or None if unknown.

    Sources look like ``reference``, ``lines_changes[2].order_quantity`` or ``address.postcode``;
    ``lines_changes[n]…`` (the dashboard's grouping of every line) names a line's field on no
    line in particular.
    """
    if not source:
        return None
    if source in HEADER_ATTRIBUTES:
        return FieldRef("header", source)
    if source.startswith("address."):
        attribute = source.removeprefix("address.")
        for name, each in ADDRESS_ATTRIBUTES.items():
            if each == attribute:
                return FieldRef("address", name)
        return None
    if source.startswith("lines_changes["):
        index_text, _, rest = source.removeprefix("lines_changes[").partition("]")
        if not (index_text.isdigit() or index_text == "n"):
            return None
        line_field = _LINE_FIELDS.get(rest)
        if line_field is None:
            return None
        return FieldRef("line", line_field, int(index_text) if index_text.isdigit() else None)
    return None
