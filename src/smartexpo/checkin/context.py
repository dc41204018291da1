"""What a scan is decided against, cached per process: keys, gates, ticket types' zones.

A scan must not cost queries for things that change a few times per edition. The context is
kept for a few seconds; a scan that names something the cached copy does not know (a key id
rotated in a moment ago, a new gate or ticket type) reloads it once before being refused.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from zoneinfo import ZoneInfo

from smartexpo.tickets.models import SigningKey, TicketType
from smartexpo.tickets.ticket_secrets import load_public_key_b64
from smartexpo.venue.models import Expo, Gate

CONTEXT_TTL = 5.0


@dataclasses.dataclass(frozen=True)
class GateInfo:
    id: int
    code: str
    zone_id: int
    zone: str


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
    loaded_at: float
    # type id → zone codes, the shape `offline.entry_rule` takes
    type_zones: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)


_contexts: dict[int, CheckinContext] = {}
_lock = threading.Lock()


def checkin_context(expo: Expo, *, fresh: bool = False) -> CheckinContext:
    """The edition's check-in context, at most `CONTEXT_TTL` seconds old (or reloaded)."""
    ctx = _contexts.get(expo.pk)
    if not fresh and ctx is not None and time.monotonic() - ctx.loaded_at < CONTEXT_TTL:
        return ctx
    gates = {
        g.code: GateInfo(g.pk, g.code, g.zone_id, g.zone.code)
        for g in Gate.objects.filter(expo=expo).select_related("zone")
    }
    types = {
        t.pk: TypeInfo(t.pk, t.code, frozenset(z.code for z in t.zones.all()))
        for t in TicketType.objects.filter(expo=expo).prefetch_related("zones")
    }
    keys = {k.kid: load_public_key_b64(k.public_key) for k in SigningKey.objects.filter(expo=expo)}
    ctx = CheckinContext(
        expo.pk,
        ZoneInfo(expo.timezone),
        keys,
        gates,
        types,
        time.monotonic(),
        {t.id: t.zones for t in types.values()},
    )
    with _lock:
        _contexts[expo.pk] = ctx
    return ctx


def forget_contexts() -> None:
    """Drop every cached context (tests; a process that changed gates or types)."""
    with _lock:
        _contexts.clear()
