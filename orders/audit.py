"""Reading the audit trail: what changed between two attempts to send an order."""

import json
from dataclasses import dataclass
from typing import Any

MISSING = "—"


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: str
    new: str


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def _shown(value: Any) -> str:
    return MISSING if value is None else json.dumps(value, ensure_ascii=False).strip('"')


def body_changes(old_body: str, new_body: str) -> list[FieldChange]:
    """Return the fields that differ between two request bodies, old → new, in path order.

    Paths drop the JSON:API envelope (``data.attributes.``, ``data.relationships.address.data.
    attributes.`` become nothing and ``address.``) so they read like the form's fields.
    """
    try:
        old, new = _flatten(json.loads(old_body)), _flatten(json.loads(new_body))
    except ValueError:
        return [] if old_body == new_body else [FieldChange("body", old_body, new_body)]
    changes = [
        FieldChange(_readable(path), _shown(old.get(path)), _shown(new.get(path)))
        for path in old.keys() | new.keys()
        if old.get(path) != new.get(path) or (path in old) != (path in new)
    ]
    return sorted(changes, key=lambda change: change.path)


def _readable(path: str) -> str:
    for envelope, short in (
        ("data.relationships.address.data.attributes.", "address."),
        ("data.attributes.", ""),
    ):
        if path.startswith(envelope):
            return short + path.removeprefix(envelope)
    return path
