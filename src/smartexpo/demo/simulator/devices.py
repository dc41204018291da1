"""The twin's devices: a scanner at each entrance gate, a sensor in each hall (counting the
hall and its booths) and one at each counted gate queue, created once per edition through the
devices service.

They are found again by name, so running the twin twice reuses them; a revoked one is never
reused (a new one takes its name), and a sensor whose hall gained or lost booth zones since is
bound again to what the hall has now. Their tokens are not kept: the twin calls the check-in
and ingest services directly, as the API would after authenticating the device.
"""

from __future__ import annotations

import dataclasses

from smartexpo.demo.simulator.model import Venue
from smartexpo.devices.auth import Scanner, Sensor
from smartexpo.devices.models import Device, DeviceKind
from smartexpo.devices.services import device_create, device_set_bindings
from smartexpo.venue.models import Expo

SCANNER_NAME = "Digital twin scanner {code}"
SENSOR_NAME = "Digital twin sensor {code}"
QUEUE_SENSOR_NAME = "Digital twin sensor queue {code}"


@dataclasses.dataclass(frozen=True)
class TwinDevices:
    """The devices in the venue's order: `scanners[g]` for gate g, `sensors[h]` for hall h
    and after the halls' one for each counted gate queue (`Venue.queue_gates`), `doors[d]`
    for the door of forum room d (`sessions.RoomPlan.doors`)."""

    scanners: tuple[Scanner, ...]
    sensors: tuple[Sensor, ...]
    doors: tuple[Scanner, ...] = ()

    @property
    def names(self) -> list[str]:
        """Device names as the stream's `device` column indexes them: sensors, then the
        entrance scanners, then the door scanners (a scan's gate index after the sensors)."""
        return [s.name for s in (*self.sensors, *self.scanners, *self.doors)]


def _ensure(expo: Expo, live: dict[tuple[str, str], Device], kind: str, name: str, codes):
    device = live.get((kind, name))
    if device is None:
        field = "gates" if kind == DeviceKind.SCANNER else "zones"
        device, _token = device_create(expo=expo, name=name, kind=kind, **{field: list(codes)})
        return device
    bound = device.gates.all() if kind == DeviceKind.SCANNER else device.zones.all()
    if {b.code for b in bound} != set(codes):
        device_set_bindings(device=device, codes=list(codes))
    return device


def twin_devices_ensure(*, expo: Expo, venue: Venue, doors: tuple[str, ...] = ()) -> TwinDevices:
    """The twin's scanners and sensors for this edition, created or rebound as needed, and a
    scanner at each of the room doors `doors` (gate codes)."""
    live = {
        (d.kind, d.name): d
        for d in Device.objects.filter(
            expo=expo, revoked_at__isnull=True, name__startswith="Digital twin "
        )
        .prefetch_related("gates", "zones")
        .order_by("id")
    }
    scanners = []
    for gate in venue.gates:
        name = SCANNER_NAME.format(code=gate.code)
        device = _ensure(expo, live, DeviceKind.SCANNER, name, [gate.code])
        scanners.append(Scanner(device.pk, expo.pk, name, frozenset({gate.code})))
    sensors = []
    for hall in venue.halls:
        name = SENSOR_NAME.format(code=hall.code)
        codes = [hall.code, *hall.booths]
        device = _ensure(expo, live, DeviceKind.SENSOR, name, codes)
        sensors.append(Sensor(device.pk, expo.pk, name, frozenset(codes)))
    for g in venue.queue_gates:
        gate = venue.gates[g]
        name = QUEUE_SENSOR_NAME.format(code=gate.code)
        device = _ensure(expo, live, DeviceKind.SENSOR, name, [gate.queue])
        sensors.append(Sensor(device.pk, expo.pk, name, frozenset({gate.queue})))
    at_doors = []
    for code in doors:
        name = SCANNER_NAME.format(code=code)
        device = _ensure(expo, live, DeviceKind.SCANNER, name, [code])
        at_doors.append(Scanner(device.pk, expo.pk, name, frozenset({code})))
    return TwinDevices(tuple(scanners), tuple(sensors), tuple(at_doors))
