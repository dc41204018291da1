"""Crowd's SQL statements: the pending movements, the fold's reads and writes, the frames.

Each function runs one statement (or one kind of statement) on the cursor it is given, so the
caller decides the transaction; `core.db` supplies the parameter style, placeholders and the
differences between the databases.
"""

from __future__ import annotations

from collections.abc import Sequence

from smartexpo.core.db import driver_sql, table
from smartexpo.crowd.models import PendingMovement

_sql: dict[str, str] = {}


def _pending_insert_sql() -> str:
    if "pending_insert" not in _sql:
        _sql["pending_insert"] = driver_sql(
            f"INSERT INTO {table(PendingMovement)} (expo_id, zone_id, at_us, delta, visitor) "
            "VALUES (%s, %s, %s, %s, %s)"
        )
    return _sql["pending_insert"]


def pending_insert(cursor, rows: Sequence[tuple]) -> None:
    """Insert pending movements `(expo_id, zone_id, at_us, delta, visitor)` on a driver cursor."""
    if len(rows) == 1:
        cursor.execute(_pending_insert_sql(), rows[0])
    else:
        cursor.executemany(_pending_insert_sql(), rows)
