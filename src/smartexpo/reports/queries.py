"""The reports' SQL: counts the dashboards and the big screen need that no lower app answers.

The visitors of an edition's days are counted in the database from the check-in log: an
edition of 700,000 visitors has a couple of million scans, of which only a few counts come back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection

from smartexpo.checkin.models import Direction, Reason, Scan, ScanResult
from smartexpo.core.db import placeholders, table


def _at(value: dt.datetime):
    """An aware datetime as the database compares it (SQLite: UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def visitors_by_day(
    *, expo_id: int, gate_ids: Sequence[int], bounds: Sequence[dt.datetime]
) -> list[int]:
    """The visitors admitted through these gates in each span between consecutive `bounds`
    (ascending instants: `len(bounds) - 1` spans, each from its bound until before the next):
    each ticket once per span however often it came in. An admission made offline and synced
    as a conflict counts too (the person came in all the same, as `checkin.selectors`'
    entries per gate count it).

    One statement over the index on (edition, scanned_at), whatever the number of spans."""
    spans = len(bounds) - 1
    if spans < 1:
        return []
    if not gate_ids:
        return [0] * spans
    # A scan before the first bound or at/after the last is filtered out by the WHERE; each
    # other one falls into the first span whose end is after it.
    cases = " ".join(f"WHEN s.scanned_at < %s THEN {i}" for i in range(spans))
    sql = (
        f"SELECT x.span, COUNT(DISTINCT x.ticket) FROM (SELECT CASE {cases} END AS span, "
        f"s.ticket_id AS ticket FROM {table(Scan)} s WHERE s.expo_id = %s "
        "AND s.scanned_at >= %s AND s.scanned_at < %s AND s.direction = %s "
        "AND s.ticket_id IS NOT NULL AND (s.result = %s OR s.reason = %s) "
        f"AND s.gate_id IN ({placeholders(len(gate_ids))})) x GROUP BY x.span"
    )
    params = [_at(b) for b in bounds[1:]]
    params += [expo_id, _at(bounds[0]), _at(bounds[-1]), Direction.IN]
    params += [ScanResult.ADMIT, Reason.CONFLICT, *gate_ids]
    counts = [0] * spans
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for span, n in cursor.fetchall():
            if span is not None:
                counts[int(span)] = int(n)
    return counts
