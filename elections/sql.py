"""Helpers for the few statements of the voting hot path written in SQL by hand (the cast, the ballot page): names
from the models' metadata, Django's placeholders made named, and a cursor whose values the server binds."""

import functools
from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[Model], field: str, *, qualified: bool = True) -> str:
    """A field's column as quoted SQL, with its table unless ``qualified`` is off (an INSERT's list of columns)."""
    name = connection.ops.quote_name(model._meta.get_field(field).column)
    return f"{table(model)}.{name}" if qualified else name


def named_placeholders(sql: str, params: Sequence, *, prefix: str) -> tuple[str, dict]:
    """Django's ``%s`` placeholders as named ones (``%(prefix_0)s``…), for a statement with named placeholders."""
    names = [f"{prefix}_{index}" for index in range(len(params))]
    pieces = sql.split("%s")
    if len(pieces) != len(names) + 1:
        raise ValueError(f"{len(params)} parameters for {len(pieces) - 1} placeholders: {sql}")
    named = pieces[0] + "".join(f"%({name})s{piece}" for name, piece in zip(names, pieces[1:], strict=True))
    return named, dict(zip(names, params, strict=True))


#: psycopg prepares a statement once its connection's threshold is set (Django leaves it off, for connection poolers
#: in transaction mode); this one is never reached, so only the statements asked for here are prepared.
_ONLY_WHEN_ASKED = 2**31


@functools.cache
def _prepared_cursor_class() -> type:
    import psycopg

    class PreparedCursor(psycopg.Cursor):
        """Prepares each statement on its connection the first time and executes it by name after that, so that
        PostgreSQL neither parses nor (once its plan cache settles on the generic plan) plans it again."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            raw = self.connection
            threshold = raw.prepare_threshold
            raw.prepare_threshold = _ONLY_WHEN_ASKED
            try:
                return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)
            finally:
                raw.prepare_threshold = threshold

        def _send_query_prepared(self, name, pgq, *, binary=None):
            # psycopg keeps the statement it ran (which Django's query log reads) only when it runs it unprepared.
            self._query = pgq
            return super()._send_query_prepared(name, pgq, binary=binary)

    return PreparedCursor


def server_bound_cursor():
    """A cursor of Django's connection whose values the server binds (Django's own cursors write them into the
    SQL text), wrapped like Django's cursors: the same errors, and counted in the query log when that is on. Each
    statement is prepared on the connection at its first execution and executed by name after that: these are the
    few statements of the voting hot path that run once per voter (the connection lives for ``CONN_MAX_AGE``; a
    rollback forgets them and they are prepared again). PostgreSQL only (psycopg 3)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _prepared_cursor_class()(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
