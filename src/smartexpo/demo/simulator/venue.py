"""The twin's picture of an edition, read from the database: days and hours, entrance gates
with their lanes and queue zones, halls and their booth zones, and the ticket types visitors
hold."""

from __future__ import annotations

from collections import defaultdict

from smartexpo.core.errors import SmartExpoError
from smartexpo.demo.simulator import model as m
from smartexpo.tickets.models import DayQuota, TicketType
from smartexpo.venue.models import Expo, Zone, ZoneKind
from smartexpo.venue.selectors import entrance_gates


def venue_load(*, expo: Expo) -> m.Venue:
    """The model's `Venue` for an edition. A hall attracts visitors in proportion to the area
    its exhibitors take (its booth zones), and so does a booth, so that crowds spread as the
    stands do; a hall without booth zones counts as one small stand. A ticket type is a visitor
    class if it admits to the venue zone the entrance gates open into, and it comes on a day
    in proportion to that day's quota (a pass's quota times `PASS_SHOW_UP`)."""
    gates = entrance_gates(expo=expo)
    if not gates:
        raise SmartExpoError("invalid", "The edition has no entrance gate into a venue zone.")
    halls = list(Zone.objects.filter(expo=expo, kind=ZoneKind.HALL).order_by("position", "id"))
    if not halls:
        raise SmartExpoError("invalid", "The edition has no halls.")
    booths: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for hall_id, code, area in (
        # Only the counting zones of booths: one a reseed left behind (kept for its recorded
        # events) has no booth any more, and nobody visits it.
        Zone.objects.filter(expo=expo, kind=ZoneKind.BOOTH, hall__isnull=False, booth__isnull=False)
        .order_by("position", "id")
        .values_list("hall_id", "code", "area_m2")
    ):
        booths[hall_id].append((code, float(area)))
    venue_zones = {g.zone.code for g in gates}
    hall_codes = {h.code for h in halls}
    classes, type_ids = [], []
    for ticket_type in TicketType.objects.filter(expo=expo).prefetch_related("zones"):
        zones = {z.code for z in ticket_type.zones.all()}
        if venue_zones <= zones:
            classes.append(
                m.VisitorClass(
                    ticket_type.code, ticket_type.all_days, frozenset(zones & hall_codes)
                )
            )
            type_ids.append(ticket_type.pk)
    if not classes:
        raise SmartExpoError(
            "invalid",
            "The edition has no ticket type that admits into the venue "
            "(the demo's come with `smartexpo demo seed`).",
        )
    sizes = {
        (q.ticket_type_id, q.day): q.size
        for q in DayQuota.objects.filter(ticket_type_id__in=type_ids)
    }
    weights = tuple(
        tuple(
            sizes.get((type_id, day), 0) * (m.PASS_SHOW_UP if c.all_days else 1.0)
            for type_id, c in zip(type_ids, classes, strict=True)
        )
        for day in expo.days
    )
    return m.Venue(
        tz=expo.tz,
        days=tuple(expo.days),
        opens=expo.opens_at,
        closes=expo.closes_at,
        gates=tuple(
            m.Gate(g.code, max(1, g.lanes), g.queue_zone.code if g.queue_zone else None)
            for g in gates
        ),
        halls=tuple(
            m.Hall(
                h.code,
                max(1.0, sum(area for _code, area in booths[h.pk])),
                tuple(code for code, _area in booths[h.pk]),
                tuple(area for _code, area in booths[h.pk]),
            )
            for h in halls
        ),
        classes=tuple(classes),
        weights=weights,
    )
