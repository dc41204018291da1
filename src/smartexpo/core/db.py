"""The database driver's own cursor, for the few statements of the hottest paths.

One home for every app that needs it (check-in, the venue's folds, the cache stamps).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.db import connection


@contextlib.contextmanager
def driver_cursor():
    """A cursor of the database driver itself, on Django's connection and in its transaction.

    The hottest statements (a scan's three, say) skip Django's cursor layers (query
    conversion, error wrapping, debug hooks), a tenth of a scan's time; their SQL is written
    for the driver's parameter style below, and their parameters are adapted by the caller."""
    # What Django's own cursor() does first: a connection found broken is replaced.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        yield cursor
    except connection.Database.Error as exc:
        if not isinstance(exc, connection.Database.IntegrityError):
            # As Django's error wrapper does: the end of the request checks the connection.
            connection.errors_occurred = True
        raise
    finally:
        cursor.close()


def driver_sql(sql: str) -> str:
    """`%s` parameters in the driver's own style (SQLite's `?`)."""
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql


def date_value(value) -> dt.date | None:
    """A date column as a raw cursor hands it back, as a date: PostgreSQL's driver gives a date,
    SQLite's its ISO text (Django converts only in its own cursors), a NULL None."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
