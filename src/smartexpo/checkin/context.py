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
# A "fresh" reload is asked for by scans naming something unknown — which garbage can do on
# every request — so it happens at most this often.
MIN_RELOAD_INTERVAL = 1.0


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


def checkin_context(expo: Expo, *, fresh: bool = False, force: bool = False) -> CheckinContext:
    """The edition's check-in context, at most `CONTEXT_TTL` seconds old; with `fresh`, at
    most `MIN_RELOAD_INTERVAL` old (for a scan that names a key, gate or type not cached)."""
    ctx = _contexts.get(expo.pk)
    if ctx is not None and not force:
        age = time.monotonic() - ctx.loaded_at
        if age < (MIN_RELOAD_INTERVAL if fresh else CONTEXT_TTL):
            return ctx
    ctx = _load(expo)
    with _lock:
        _contexts[expo.pk] = ctx
    return ctx


def checkin_context_with_key(expo: Expo, ctx: CheckinContext, kid: int) -> CheckinContext:
    """`ctx`, or a reloaded context if `kid` is a key of the edition that `ctx` lacks (a key
    rotated in a moment ago). A key id nobody has costs one indexed query, not a reload."""
    if kid in ctx.keys:
        return ctx
    ctx = checkin_context(expo, fresh=True)
    if kid in ctx.keys or not SigningKey.objects.filter(expo_id=expo.pk, kid=kid).exists():
        return ctx
    return checkin_context(expo, force=True)


def _load(expo: Expo) -> CheckinContext:
    gates = {
        g.code: GateInfo(g.pk, g.code, g.zone_id, g.zone.code)
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
        time.monotonic(),
        {t.id: t.zones for t in types.values()},
    )


def forget_contexts() -> None:
    """Drop every cached context (tests; a process that changed gates or types)."""
    with _lock:
        _contexts.clear()
