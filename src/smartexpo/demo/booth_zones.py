"""Counting zones for the demo's booths: one zone of kind booth per booth with an exhibitor.

Booth sensors count visitors in these zones (footfall, dwell time, unique visitors), so each
exhibitor's stand is a space with an area and a safe capacity like a hall.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from smartexpo.demo.layout import BoothSpot, PlannedExhibitor
from smartexpo.demo.upsert import upsert
from smartexpo.venue.models import Booth, Expo, Zone, ZoneKind

# Booth zones come after the venue (0), the halls (1-17), the conference centre and its rooms
# (30-38), so that every list of zones shows the big spaces first.
BOOTH_ZONE_POSITION = 100


def booth_capacity(area_m2: Decimal) -> int:
    """A booth's safe standing capacity: one person per m² of its footprint, at least four.

    Stands, counters and exhibits take roughly half of a booth, so one person per m² of the
    whole footprint is about two per m² of the floor left free: a busy but moving crowd,
    below the walkway's level of service E (2.17 p/m²) that raises an alert. The floor of four
    keeps a tiny stand (a 2 m × 2 m table) countable as more than its own staff."""
    return max(4, int(area_m2))


def seed_booth_zones(
    *,
    expo: Expo,
    zones: dict[str, Zone],
    spots: list[BoothSpot],
    planned: list[PlannedExhibitor],
    booths: dict[str, Booth],
) -> None:
    """A counting zone (kind booth, in its hall) for every booth with an exhibitor, linked by
    `Booth.zone`; a booth that is free again loses its zone."""
    hall_order = {code: z.position for code, z in zones.items() if z.kind == ZoneKind.HALL}
    owned = sorted(
        (s for s in spots if s.owner is not None), key=lambda s: (hall_order[s.hall], s.code)
    )
    rows = []
    for n, s in enumerate(owned):
        owner = planned[s.owner]
        area = Decimal(str(s.width)) * Decimal(str(s.depth))
        rows.append(
            Zone(
                expo=expo,
                code=s.code,
                kind=ZoneKind.BOOTH,
                hall=zones[s.hall],
                name_en=f"Booth {s.code} ({owner.name_en})",
                name_zh=f"{s.code}展位（{owner.name_zh}）",
                area_m2=area,
                capacity=booth_capacity(area),
                position=BOOTH_ZONE_POSITION + n,
            )
        )
    upsert(
        Zone,
        rows,
        ["expo", "code"],
        ["kind", "hall", "name_en", "name_zh", "area_m2", "capacity", "position"],
    )
    codes = [s.code for s in owned]
    by_code = dict(
        Zone.objects.filter(expo=expo, kind=ZoneKind.BOOTH, code__in=codes).values_list(
            "code", "pk"
        )
    )
    changed = []
    for code, booth in booths.items():
        zone_id = by_code.get(code)
        if booth.zone_id != zone_id:
            booth.zone_id = zone_id
            changed.append(booth)
    Booth.objects.bulk_update(changed, ["zone"], batch_size=500)
    _booth_zones_prune(expo, codes)


STOP = (models.PROTECT, models.RESTRICT)


def _booth_zones_prune(expo: Expo, codes: list[str]) -> None:
    """Delete the booth zones of an earlier plan, except those something refers to with
    PROTECT (sensor events recorded in them are history and keep their zone)."""
    stale = Zone.objects.filter(expo=expo, kind=ZoneKind.BOOTH).exclude(code__in=codes)
    stale_ids = list(stale.values_list("pk", flat=True))
    if not stale_ids:
        return
    deletable = Zone.objects.filter(pk__in=stale_ids)
    # Hidden relations too: sensor events, scans and the crowd's rows use related_name="+".
    for rel in Zone._meta.get_fields(include_hidden=True):
        if rel.auto_created and not rel.concrete and getattr(rel, "on_delete", None) in STOP:
            # Only the stale ids are looked up, through the referring table's zone index.
            used = rel.related_model.objects.filter(**{f"{rel.field.name}__in": stale_ids})
            deletable = deletable.exclude(pk__in=used.values(rel.field.attname))
    deletable.delete()
