"""Reads of devices: one device, or an edition's list."""

from __future__ import annotations

from smartexpo.core.errors import not_found
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.venue.models import Expo


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


def devices_by_name(*, expo: Expo, kind: str) -> dict[str, tuple[int, frozenset[str]]]:
    """The edition's live devices of a kind by name, each with its id and the codes of the
    gates (scanners) or zones (sensors) it serves: how a recorded stream names its devices."""
    found: dict[str, tuple[int, frozenset[str]]] = {}
    devices = Device.objects.filter(expo=expo, kind=kind, revoked_at__isnull=True)
    for device in devices.prefetch_related("zones", "gates").order_by("id"):
        bound = device.zones.all() if kind == DeviceKind.SENSOR else device.gates.all()
        found[device.name] = (device.pk, frozenset(b.code for b in bound))
    return found
