"""Devices' SQL: the one query behind every device-authenticated request."""

from __future__ import annotations

from smartexpo.core.db import driver_cursor, driver_sql, table
from smartexpo.core.models import ApiToken
from smartexpo.devices.models import Device

_sql: dict[str, str] = {}


def device_token_find(digest: str, role: str) -> tuple | None:
    """(token id, edition id, last used, device id, device kind, device name) of the live
    token with this digest and role, the device columns None when no device holds it."""
    if "token" not in _sql:
        _sql["token"] = driver_sql(
            f"SELECT t.id, t.expo_id, t.last_used_at, d.id, d.kind, d.name "
            f"FROM {table(ApiToken)} t "
            f"LEFT JOIN {table(Device)} d ON d.token_id = t.id "
            f"WHERE t.digest = %s AND t.role = %s AND t.revoked_at IS NULL"
        )
    with driver_cursor() as cursor:
        cursor.execute(_sql["token"], (digest, role))
        return cursor.fetchone()
