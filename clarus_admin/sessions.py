"""The desk's session engine (``SESSION_ENGINE``): Django's database sessions, read with one
statement written as SQL.

Every signed-in request reads its session. Django's store reads it through the ORM
(``Session.objects.get``), whose building of the query costs several times the reading; this
store sends the same ``SELECT`` as text. Everything else (the table, the encoding, saving,
expiry, ``clearsessions``) is Django's own.
"""

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

_statements: dict[tuple[str, str], str] = {}


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        """Return the session's data if its row exists and has not expired, else nothing.

        As Django's store does, a key that finds no session is dropped, so the session that a
        request then saves gets a new key (never one the browser chose).
        """
        if self.session_key is None:
            return {}
        model = self.model
        using = router.db_for_read(model)
        connection = connections[using]
        statement = _statements.get((using, connection.vendor))
        if statement is None:
            quote = connection.ops.quote_name
            statement = _statements[(using, connection.vendor)] = (
                f"SELECT {quote('session_data')} FROM {quote(model._meta.db_table)} "
                f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
            )
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(statement, [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
