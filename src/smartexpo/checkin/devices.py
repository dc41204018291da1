"""Scanner and sensor devices: creation with a token shown once, revocation, authentication."""

from __future__ import annotations

import dataclasses
import time

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from smartexpo.checkin.models import Device, DeviceKind
from smartexpo.core.db import driver_cursor, driver_sql
from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.stamps import READ, StampedCache
from smartexpo.core.tokens import token_create, token_digest, token_revoke
from smartexpo.venue.models import Expo, Gate, Zone

MAX_BINDINGS = 500


def _codes(values, what: str, field: str) -> list[str]:
    if not isinstance(values, list | tuple) or not values:
        raise invalid({field: f"At least one {what} code is required."})
    if len(values) > MAX_BINDINGS:
        raise invalid({field: f"At most {MAX_BINDINGS} codes."})
    if not all(isinstance(v, str) for v in values):
        raise invalid({field: "A list of codes is expected."})
    return list(dict.fromkeys(values))


@transaction.atomic
def device_create(
    *, expo: Expo, name: str, kind: str, gates=None, zones=None
) -> tuple[Device, str]:
    """Create a scanner bound to gates, or a sensor bound to zones; return it and its token,
    which is shown only now (only its digest is stored)."""
    if kind not in DeviceKind.values:
        raise invalid({"kind": f"One of: {', '.join(DeviceKind.values)}."})
    if kind == DeviceKind.SCANNER:
        codes = _codes(gates, "gate", "gates")
        found = {g.code: g for g in Gate.objects.filter(expo=expo, code__in=codes)}
        field, model_name = "gates", "gate"
    else:
        codes = _codes(zones, "zone", "zones")
        found = {z.code: z for z in Zone.objects.filter(expo=expo, code__in=codes)}
        field, model_name = "zones", "zone"
    if unknown := [c for c in codes if c not in found]:
        raise invalid({field: f"Unknown {model_name} codes: {', '.join(unknown)}."})
    token, raw = token_create(role=Role.DEVICE, name=name, expo=expo)
    device = Device.objects.create(expo=expo, name=token.name, kind=kind, token=token)
    getattr(device, field).set([found[c] for c in codes])
    return device, raw


@transaction.atomic
def device_set_bindings(*, device: Device, codes: list[str]) -> Device:
    """Replace the gates (scanner) or zones (sensor) a device serves."""
    if device.kind == DeviceKind.SCANNER:
        codes = _codes(codes, "gate", "gates")
        found = {g.code: g for g in Gate.objects.filter(expo=device.expo, code__in=codes)}
        field = "gates"
    else:
        codes = _codes(codes, "zone", "zones")
        found = {z.code: z for z in Zone.objects.filter(expo=device.expo, code__in=codes)}
        field = "zones"
    if unknown := [c for c in codes if c not in found]:
        raise invalid({field: f"Unknown codes: {', '.join(unknown)}."})
    getattr(device, field).set([found[c] for c in codes])
    device.updated_at = timezone.now()
    device.save(update_fields=["updated_at"])
    return device


@transaction.atomic
def device_revoke(*, device: Device) -> Device:
    """Revoke a device: its token is refused (401) from the next request on."""
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    token_revoke(token=device.token)
    return device


def device_get(*, expo: Expo, pk) -> Device:
    """One device of the edition, or `not_found`."""
    try:
        return Device.objects.select_related("token").get(expo=expo, pk=int(pk))
    except (Device.DoesNotExist, ValueError, TypeError):
        raise not_found("device") from None


def device_list(*, expo: Expo):
    """The edition's devices in creation order, with their token (last contact) and bindings."""
    return (
        Device.objects.filter(expo=expo)
        .select_related("token")
        .prefetch_related("gates", "zones")
        .order_by("id")
    )


# --- authentication of a scan ----------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Scanner:
    """The authenticated device behind a scan request."""

    device_id: int
    expo_id: int
    name: str
    gates: frozenset[str]


def _bindings_load(key: tuple[int, str]) -> frozenset[str]:
    device_id, kind = key
    if kind == DeviceKind.SCANNER:
        through, field = Device.gates.through, "gate__code"
    else:
        through, field = Device.zones.through, "zone__code"
    return frozenset(through.objects.filter(device_id=device_id).values_list(field, flat=True))


# The codes of the gates or zones each device serves, by (device id, kind).
_bindings: StampedCache[tuple[int, str], frozenset[str]] = StampedCache(_bindings_load)
_AUTH_SQL: str | None = None


def _auth_sql() -> str:
    global _AUTH_SQL
    if _AUTH_SQL is None:
        qn = connection.ops.quote_name
        _AUTH_SQL = driver_sql(
            f"SELECT t.id, t.expo_id, t.last_used_at, d.id, d.kind, d.name "  # noqa: S608
            f"FROM {qn(ApiToken._meta.db_table)} t "
            f"LEFT JOIN {qn(Device._meta.db_table)} d ON d.token_id = t.id "
            f"WHERE t.digest = %s AND t.role = %s AND t.revoked_at IS NULL"
        )
    return _AUTH_SQL


def bearer_of(request: HttpRequest) -> str | None:
    """The raw bearer token of a request, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip() or len(value) > 200:
        return None
    return value.strip()


def scanner_for_request(request: HttpRequest, *, expo: Expo, version=READ) -> Scanner:
    """The scanner device whose token the request carries, for this edition, with the codes
    of the gates it serves (as of the catalogue stamp `version`, read now unless given)."""
    device_id, name, codes = _device_for_request(request, expo, DeviceKind.SCANNER, version)
    return Scanner(device_id, expo.pk, name, codes)


@dataclasses.dataclass(frozen=True)
class Sensor:
    """The authenticated device behind a sensor-events request."""

    device_id: int
    expo_id: int
    name: str
    zones: frozenset[str]


def sensor_for_request(request: HttpRequest, *, expo: Expo, version=READ) -> Sensor:
    """The sensor device whose token the request carries, for this edition, with the codes of
    the zones it reports on (as of the catalogue stamp `version`, read now unless given)."""
    device_id, name, codes = _device_for_request(request, expo, DeviceKind.SENSOR, version)
    return Sensor(device_id, expo.pk, name, codes)


_WHAT = {
    DeviceKind.SCANNER: "Only a scanner device may scan tickets.",
    DeviceKind.SENSOR: ("Only a sensor device may report venue events."),
}


def _device_for_request(request: HttpRequest, expo: Expo, kind: str, version):
    """(device id, name, codes of its gates or zones) for the request's device token.

    One indexed query per request, so a revocation is refused at once; the device's gates or
    zones are cached while the catalogue stamp is unchanged (`core.stamps`)."""
    raw = bearer_of(request)
    if raw is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    with driver_cursor() as cursor:
        cursor.execute(_auth_sql(), (token_digest(raw), str(Role.DEVICE)))
        row = cursor.fetchone()
    if row is None:
        # Not a live device token; an organiser's or exhibitor's token is a 403, not a 401.
        if ApiToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).exists():
            raise SmartExpoError("forbidden", _WHAT[kind])
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    token_id, expo_id, last_used, device_id, device_kind, name = row
    if expo_id != expo.pk:
        raise SmartExpoError("forbidden", "This token belongs to another edition.")
    if device_id is None or device_kind != kind:
        raise SmartExpoError("forbidden", _WHAT[kind])
    _touch(token_id, last_used)
    return device_id, name, _bindings.get((device_id, kind), version=version)


_last_touch: dict[int, float] = {}


def _touch(token_id: int, last_used) -> None:
    """Record the device's last contact about once a minute (organisers see it), not on every
    scan: a write per scan would double the database's work."""
    now = time.monotonic()
    if now - _last_touch.get(token_id, -1e9) < 60:
        return
    _last_touch[token_id] = now
    ApiToken.objects.filter(pk=token_id).update(last_used_at=timezone.now())


def forget_device_caches() -> None:
    """Drop the cached gates, zones and last-contact times (tests, whose ids start over)."""
    _bindings.clear()
    _last_touch.clear()
