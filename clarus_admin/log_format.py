"""How the desk's log lines look: one JSON object per line in production, readable text in
development (``DESK_LOG_FORMAT``; JSON by default when debug is off).

Every line carries the fields of the scope it was logged in (``orders.log_context``: request id,
tenant, user id, order id) and the structured fields its logger passed (``extra={"desk": {…}}``).
Webhook secrets are redacted from the message and any traceback (clarus_admin/log_redaction.py).
What may be logged is decided where lines are written: ids, statuses, durations, paths without
their query string; never a secret, a token, a header's value or a caller's personal data.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from clarus_admin.log_redaction import redact_webhook_secrets
from orders.log_context import log_context


def line_fields(record: logging.LogRecord) -> dict[str, Any]:
    """Return the fields of a record: its scope's, then its own structured ones."""
    fields: dict[str, Any] = {}
    scope = log_context()
    if scope is not None:
        fields.update(scope.fields())
    own = getattr(record, "desk", None)
    if isinstance(own, dict):
        fields.update({name: value for name, value in own.items() if value is not None})
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_webhook_secrets(record.getMessage()),
        }
        entry.update(line_fields(record))
        if record.exc_info:
            entry["exception"] = redact_webhook_secrets(self.formatException(record.exc_info))
        # ASCII only: a line break or separator character in a value stays escaped in the line.
        return json.dumps(entry, default=str, ensure_ascii=True)


class TextFormatter(logging.Formatter):
    """A readable line for development: the message, then ``name=value`` for each field."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = line_fields(record)
        if fields:
            line += " " + " ".join(f"{name}={value}" for name, value in fields.items())
        return redact_webhook_secrets(line)
