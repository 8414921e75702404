"""Every string a JSON value holds: what tests search for a value that must not be there."""

from typing import Any


def json_strings(value: Any) -> list[str]:
    """Return every string in a JSON value, its keys included, depth first."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [*value, *(text for item in value.values() for text in json_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []
