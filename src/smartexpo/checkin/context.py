"""What a scan is decided against, cached per process: keys, gates, ticket types' zones.

A scan must not cost queries for things that change a few times per edition. The context is
kept while the catalogue stamp is unchanged (`core.stamps`): every change of a key, gate, zone
or ticket type, made by any process, is seen by the next scan, so a scan that names something
the context lacks is refused without asking the database again.
"""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from smartexpo.core.stamps import READ, StampedCache
from smartexpo.tickets.models import SigningKey, TicketType
from smartexpo.tickets.ticket_secrets import load_public_key_b64
from smartexpo.venue.models import Expo, Gate, ZoneKind


@dataclasses.dataclass(frozen=True)
class GateInfo:
    id: int
    code: str
    zone_id: int
    zone: str
    room: bool = False  # a room's door: its scans admit into the programme's sessions


@dataclasses.dataclass(frozen=True)
class TypeInfo:
    id: int
    code: str
    zones: frozenset[str]


@dataclasses.dataclass(frozen=True)
class CheckinContext:
    expo_id: int
    tz: ZoneInfo
    keys: dict
    gates: dict[str, GateInfo]
    types: dict[int, TypeInfo]
    # type id → zone codes, what `rules.TicketFacts.zones` takes
    type_zones: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)


def checkin_context(expo: Expo, *, version=READ) -> CheckinContext:
    """The edition's check-in context as of the catalogue stamp `version` (read now unless
    given)."""
    return _contexts.get(expo.pk, version=version)


def _load(expo_id: int) -> CheckinContext:
    expo = Expo.objects.get(pk=expo_id)
    gates = {
        g.code: GateInfo(g.pk, g.code, g.zone_id, g.zone.code, g.zone.kind == ZoneKind.ROOM)
        for g in Gate.objects.filter(expo=expo).select_related("zone")
    }
    types = {
        t.pk: TypeInfo(t.pk, t.code, frozenset(z.code for z in t.zones.all()))
        for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")
    }
    keys = {k.kid: load_public_key_b64(k.public_key) for k in SigningKey.objects.filter(expo=expo)}
    return CheckinContext(
        expo.pk,
        ZoneInfo(expo.timezone),
        keys,
        gates,
        types,
        {t.id: t.zones for t in types.values()},
    )


_contexts: StampedCache[int, CheckinContext] = StampedCache(_load)
