"""The deals' SQL statements: the read of an edition's ledger head.

Every public deals answer is kept under the head (`memo`), so every request reads it first; on
the driver's own cursor (`core.db`) that read costs a fraction of the ORM's query building,
which was a third of a kept page's time under load (bench/RESULTS.md, "Deals ledger").
"""

from __future__ import annotations

from smartexpo.core.db import driver_cursor, driver_sql
from smartexpo.deals.models import Ledger

_head_sql: str | None = None


def ledger_head(expo_id: int) -> tuple[int, str] | None:
    """(seq, head) of the edition's ledger row, or None before its first entry."""
    global _head_sql
    if _head_sql is None:
        table = Ledger._meta.db_table
        _head_sql = driver_sql(f"SELECT seq, head FROM {table} WHERE expo_id = %s")
    with driver_cursor() as cursor:
        cursor.execute(_head_sql, (expo_id,))
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])
