"""The session store (settings.SESSION_ENGINE): Django's database sessions, read with a statement compiled once.

Every signed-in request reads its session row. Django's store builds that query anew each time through the ORM,
which took about three times the Python of sending the statement itself (make bench, issue 16: about 0.4 ms a
request). Here the same SELECT is compiled once per process and database, with a marker for each of its two values,
and sent as it is with the request's session key and the time; the row read and its decoding are Django's. Writing,
creating, cycling and deleting sessions are Django's own, untouched.
"""

from __future__ import annotations

import datetime
import logging
from functools import cache

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db import connections, router
from django.utils import timezone

# Stand for the session key and the time in the statement compiled once; neither can be a real value.
_KEY_MARKER = "core.sessions:session-key-marker"
_TIME_MARKER = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The unexpired session with this key, as Django's store reads it (``session_key`` and ``expire_date >
        now``), or None, forgetting the key as Django does."""
        model = self.model
        alias = router.db_for_read(model)
        connection = connections[alias]
        statement, key_at, time_at = _session_statement(model, alias)
        expire_date = model._meta.get_field("expire_date")
        values = [None, None]
        values[key_at] = self.session_key
        values[time_at] = expire_date.get_db_prep_value(timezone.now(), connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute(statement, values)
                row = cursor.fetchone()
        except SuspiciousOperation as error:
            logging.getLogger(f"django.security.{error.__class__.__name__}").warning(str(error))
            row = None
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0])


@cache
def _session_statement(model, alias: str) -> tuple[str, int, int]:
    """Django's own SELECT of the session's data for a key and a time, and where the two values go in it."""
    queryset = model._default_manager.using(alias).filter(
        session_key=_KEY_MARKER, expire_date__gt=_TIME_MARKER).values_list("session_data")
    statement, parameters = queryset.query.get_compiler(alias).as_sql()
    parameters = list(parameters)
    marker_time = model._meta.get_field("expire_date").get_db_prep_value(_TIME_MARKER, connections[alias])
    if len(parameters) != 2 or parameters.count(_KEY_MARKER) != 1 or parameters.count(marker_time) != 1:
        raise RuntimeError("The session's statement must name the key and the time once each.")
    return statement, parameters.index(_KEY_MARKER), parameters.index(marker_time)
