"""The edition the venue benchmark imports into and reads back: its slug, its venue zone and
API prefix, its timezone, opening hours and zones from the database, and instants on its local
clock written the ways the database and the API take them.

Every other part of bench/venue.py speaks of the same edition and the same instants, so they
live here once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from benchlib import BenchError

EXPO = "sce-2019"
VENUE_ZONE = "CIEC"  # the venue zone the entrance gates admit into
API = f"/api/v1/expos/{EXPO}/venue"
US = 1_000_000


def connect_ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True)


def expo_facts(db: Path) -> dict:
    con = connect_ro(db)
    try:
        row = con.execute(
            "SELECT id, timezone, opens_at, closes_at FROM venue_expo WHERE slug = ?", (EXPO,)
        ).fetchone()
        if row is None:
            raise BenchError(f"no edition {EXPO} in {db}")
        expo_id, tz, opens, closes = row
        zones = dict(con.execute("SELECT id, code FROM venue_zone WHERE expo_id = ?", (expo_id,)))
    finally:
        con.close()
    return {
        "id": expo_id,
        "tz": ZoneInfo(tz),
        "opens": dt.time.fromisoformat(opens),
        "closes": dt.time.fromisoformat(closes),
        "zones": zones,
    }


def local(day: str, at: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), at, tzinfo=tz)


def to_us(instant: dt.datetime) -> int:
    delta = instant - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def scan_time(instant: dt.datetime) -> str:
    """An instant as the check-in log stores `scanned_at` on SQLite (UTC text), to compare."""
    return instant.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")


def q(instant: dt.datetime) -> str:
    """An instant for a query string, the offset's `+` URL-encoded."""
    return instant.isoformat().replace("+", "%2B")
