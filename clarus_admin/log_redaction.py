"""Keep webhook secrets out of the logs.

The secret of a tenant's webhook address is a segment of its path (``/webhooks/clarus/<subdomain>
/<secret>/``, clarus_admin/urls.py), so every line that names the path would carry it: the
development server's request lines (``django.server``), Django's "Not Found: /…" warnings
(``django.request``) and gunicorn's access log (clarus_admin/gunicorn_logging.py). Each of them
shows ``[redacted]`` in its place.
"""

import logging
import re

REDACTED = "[redacted]"
# The subdomain segment is kept (it names the tenant, not the key); the secret segment ends at
# the next slash, query, quote or space.
_WEBHOOK_SECRET = re.compile(r"(/webhooks/clarus/[^/\s?#\"]+/)[^/\s?#\"]+")


def redact_webhook_secrets(text: str) -> str:
    """Return ``text`` with the secret of every webhook path in it replaced."""
    return _WEBHOOK_SECRET.sub(rf"\1{REDACTED}", text)


class WebhookSecretFilter(logging.Filter):
    """Rewrite a record whose message names a webhook path, without the secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            # A record that cannot be formatted is the handler's to report, as it would be.
            return True
        redacted = redact_webhook_secrets(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
