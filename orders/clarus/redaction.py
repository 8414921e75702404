"""A caller's personal data taken out of stored Clarus requests and answers, keeping their shape.

A stored body is JSON (or, for an answer that was not, text). Redaction keeps every key, every
list and every value that is not personal, and puts ``MARKER`` where a personal value was, so
the audit still shows which request went, with which lines, when and what Clarus said, without
the person (docs/personal-data.md). Two rules:

- by key: an address's attributes (``ADDRESS_ATTRIBUTES``, all but the country; ``name`` only
  inside an address, since products and accounts have names too) and the header's delivery and
  order notes, wherever they are in the document;
- by value: any text containing one of the person's known values (their name, address lines,
  email, phone as keyed) has that part replaced, wherever it is, a key's value or Clarus's
  error message ("postcode LS1 4AP is not valid").

Pure: no database, no HTTP.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from orders.clarus.documents import ADDRESS_ATTRIBUTES

MARKER = "[redacted]"

# Clarus: the Address attributes (CONTRACT.md §2.5) that name or reach a person.
PERSONAL_ADDRESS_ATTRIBUTES = frozenset(
    attribute for name, attribute in ADDRESS_ATTRIBUTES.items() if name != "country"
)
# Free text an agent types about the delivery and the order: it often names the caller
# ("leave with Mrs Patel at no. 4"). Pick and packing notes speak to the warehouse and stay.
PERSONAL_NOTE_ATTRIBUTES = frozenset({"delivery_notes", "order_notes"})
CLARUS_PERSONAL_KEYS = PERSONAL_ADDRESS_ATTRIBUTES | PERSONAL_NOTE_ATTRIBUTES
# A value shorter than this is not searched for inside other text: "A" or "UK" would mark half of
# every answer. It is still removed wherever its key says it is personal.
MIN_VALUE_LENGTH = 3
# The key that is personal only beside others of an address (a product's or account's name is
# not the caller's).
NAME_KEY = "name"


class Redactor:
    """Remove one person's values, by ``keys`` and by the known ``values``, from stored data."""

    def __init__(self, *, keys: Iterable[str], values: Iterable[str] = ()) -> None:
        self.keys = frozenset(keys)
        self.values = {value.strip() for value in values if isinstance(value, str)}
        # Longest first, so a value inside another (a surname inside the name) leaves no part.
        self._searched = sorted(
            (value for value in self.values if len(value) >= MIN_VALUE_LENGTH),
            key=len,
            reverse=True,
        )
        self._lowered = [value.lower() for value in self._searched]
        self._pattern: re.Pattern[str] | None = None

    def _personal_key(self, key: str, siblings: Iterable[str]) -> bool:
        if key != NAME_KEY:
            return key in self.keys
        return NAME_KEY in self.keys and any(
            other != NAME_KEY and other in self.keys for other in siblings
        )

    def collected(self, value: Any) -> set[str]:
        """Return the personal values ``value`` holds by key (what a later pass removes)."""
        found: set[str] = set()
        if isinstance(value, dict):
            for key, item in value.items():
                if self._personal_key(key, value) and isinstance(item, (str, int, float)):
                    if str(item).strip() and item != MARKER:
                        found.add(str(item).strip())
                else:
                    found |= self.collected(item)
        elif isinstance(value, list):
            for item in value:
                found |= self.collected(item)
        return found

    def collected_from_text(self, text: str) -> set[str]:
        try:
            return self.collected(json.loads(text))
        except ValueError:
            return set()

    def string(self, text: str) -> str:
        if not text or not self._searched:
            return text
        lowered = text.lower()
        if not any(value in lowered for value in self._lowered):
            return text
        # Compiled only for the few texts that hold a value: most hold none, and compiling for
        # every order was most of a batch's time.
        if self._pattern is None:
            self._pattern = re.compile(
                "|".join(re.escape(value) for value in self._searched), re.IGNORECASE
            )
        return self._pattern.sub(MARKER, text)

    def json(self, value: Any) -> Any:
        """Return ``value`` with its personal values replaced, keys and shape kept."""
        if isinstance(value, dict):
            return {
                key: (
                    MARKER
                    if self._personal_key(key, value)
                    and item not in (None, "", MARKER)
                    and not isinstance(item, (dict, list, bool))
                    else self.json(item)
                )
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.json(item) for item in value]
        if isinstance(value, str):
            return self.string(value)
        return value

    def text(self, text: str) -> str:
        """Return a stored body with its personal values replaced: as JSON if it is JSON."""
        if not text:
            return text
        try:
            parsed = json.loads(text)
        except ValueError:
            return self.string(text)
        redacted = self.json(parsed)
        if redacted == parsed:
            return text
        return json.dumps(redacted, separators=(",", ":"), ensure_ascii=False)
