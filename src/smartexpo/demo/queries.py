"""The demo's raw SQL: writes at demo scale that the ORM would compile row by row."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection

from smartexpo.core.db import is_sqlite, table
from smartexpo.tickets.models import Registration

PROFILE_COLUMNS = ("interests", "sectors", "intents", "company", "title", "share")


def _json(values: list[str]):
    if is_sqlite():
        return json.dumps(values, ensure_ascii=False)
    return connection.ops.adapt_json_value(values, None)


def registration_profiles_set(rows: Sequence[tuple]) -> None:
    """Set the networking profile of registrations: rows of (interests, sectors, intents,
    company, title, share, registration id), lists as lists. One prepared UPDATE over all."""
    if not rows:
        return
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in PROFILE_COLUMNS)
    sql = f"UPDATE {table(Registration)} SET {sets} WHERE id = %s"
    params = [
        (_json(tags), _json(sectors), _json(intents), company, title, _json(share), pk)
        for tags, sectors, intents, company, title, share, pk in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
