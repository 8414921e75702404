"""gunicorn's logger without webhook secrets: ``--logger-class clarus_admin.gunicorn_logging.
RedactingLogger`` (docs/deploy.md).

gunicorn's access-log format has no way to leave part of a path out: every atom that carries it
(``%(r)s``, ``%(U)s``, ``%({raw_uri}e)s``, …) is redacted here, whatever format is configured,
and so is its error log ("Error handling request /…").
"""

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from clarus_admin.log_redaction import WebhookSecretFilter, redact_webhook_secrets


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        if not any(isinstance(each, WebhookSecretFilter) for each in self.error_log.filters):
            self.error_log.addFilter(WebhookSecretFilter())

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {
            name: redact_webhook_secrets(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
