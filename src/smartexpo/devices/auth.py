"""Who is scanning or reporting: a request's device token, checked on every request.

A scan or a sensor batch carries its device's bearer token. One indexed query finds the live
token and its device, so a revocation is refused at once; the codes of the gates or zones the
device serves are cached while the catalogue stamp is unchanged (`core.stamps`).
"""

from __future__ import annotations

import dataclasses
import time

from django.http import HttpRequest
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.stamps import CATALOGUE, READ, StampedCache
from smartexpo.core.tokens import token_digest
from smartexpo.devices import queries
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.venue.models import Expo
from smartexpo.venue.selectors import expo_get_cached


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
    raw, row = _token_row(request)
    return _device_checked(raw, row, expo, kind, version)


def scanner_and_edition(request: HttpRequest, *, slug: str) -> tuple[Expo, Scanner, int | None]:
    """The edition `slug`, the scanner whose token the request carries, and the catalogue
    stamp, read by the token's own statement: a scan reads the database once before its own
    work. Refusals are those of `expo_get_cached` then `scanner_for_request`, in that order."""
    raw, row = _token_row(request)
    if row is None:
        # Refused either way; an unknown edition is answered first, as for every request.
        expo = expo_get_cached(slug=slug)
        _device_checked(raw, row, expo, DeviceKind.SCANNER, READ)
    version = row[-1]
    expo = expo_get_cached(slug=slug, version=version)
    device_id, name, codes = _device_checked(raw, row, expo, DeviceKind.SCANNER, version)
    return expo, Scanner(device_id, expo.pk, name, codes), version


def _token_row(request: HttpRequest) -> tuple[str | None, tuple | None]:
    """The request's raw bearer token and its row (`queries.device_token_find`), or Nones."""
    raw = bearer_of(request)
    if raw is None:
        return None, None
    return raw, queries.device_token_find(token_digest(raw), str(Role.DEVICE), CATALOGUE)


def _device_checked(raw: str | None, row: tuple | None, expo: Expo, kind: str, version):
    """(device id, name, codes) of a token row for this edition and kind, or the refusal."""
    if raw is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    if row is None:
        # Not a live device token; an organiser's or exhibitor's token is a 403, not a 401.
        if ApiToken.objects.filter(digest=token_digest(raw), revoked_at__isnull=True).exists():
            raise SmartExpoError("forbidden", _WHAT[kind])
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    token_id, expo_id, last_used, device_id, device_kind, name, stamp = row
    if version is READ:
        # Read with the token, before any cached data: as good as a read of its own.
        version = stamp
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
