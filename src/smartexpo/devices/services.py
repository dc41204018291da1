"""Writes of devices: creation with a token shown once, new bindings, revocation."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from smartexpo.core.errors import invalid
from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create, token_revoke
from smartexpo.devices.models import Device, DeviceKind
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
    *, expo: Expo, name: str, kind: str, gates=None, zones=None, gateless: bool = False
) -> tuple[Device, str]:
    """Create a scanner bound to gates, or a sensor bound to zones; return it and its token,
    which is shown only now (only its digest is stored). `gateless`: a scanner that serves no
    gate, so admits nobody (an exhibitor's lead device, which `leads` binds to it)."""
    if kind not in DeviceKind.values:
        raise invalid({"kind": f"One of: {', '.join(DeviceKind.values)}."})
    if gateless:
        if kind != DeviceKind.SCANNER:
            raise invalid({"kind": "Only a scanner may serve no gate."})
        if gates:
            raise invalid({"gates": "A device that captures leads serves no gate."})
        token, raw = token_create(role=Role.DEVICE, name=name, expo=expo)
        return Device.objects.create(expo=expo, name=token.name, kind=kind, token=token), raw
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
