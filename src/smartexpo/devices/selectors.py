"""Reads of devices: one device, or an edition's list."""

from __future__ import annotations

from smartexpo.core.errors import not_found
from smartexpo.devices.models import Device
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
