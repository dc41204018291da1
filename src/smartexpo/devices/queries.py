"""Devices' SQL: the one query behind every device-authenticated request."""

from __future__ import annotations

from smartexpo.core.db import driver_cursor, driver_sql, table
from smartexpo.core.models import ApiToken
from smartexpo.core.queries import STAMP_TABLE
from smartexpo.devices.models import Device

_sql: dict[str, str] = {}


def device_token_find(digest: str, role: str, stamp: str) -> tuple | None:
    """(token id, edition id, last used, device id, device kind, device name, version of the
    stamp `stamp`) of the live token with this digest and role, the device columns None when
    no device holds it, the version None when the stamp has no row.

    The stamp rides on the token's read, so that the busiest requests of an expo read the
    database once before their own work (`core.stamps`: it is read before any cached data)."""
    if "token" not in _sql:
        _sql["token"] = driver_sql(
            f"SELECT t.id, t.expo_id, t.last_used_at, d.id, d.kind, d.name, "
            f"(SELECT version FROM {STAMP_TABLE} WHERE name = %s) "
            f"FROM {table(ApiToken)} t "
            f"LEFT JOIN {table(Device)} d ON d.token_id = t.id "
            f"WHERE t.digest = %s AND t.role = %s AND t.revoked_at IS NULL"
        )
    with driver_cursor() as cursor:
        cursor.execute(_sql["token"], (stamp, digest, role))
        return cursor.fetchone()
