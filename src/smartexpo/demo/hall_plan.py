"""Which hall each demo exhibitor stands in: a hall is given to one sector and holds its firms.

A visitor reading "Hall N3 · Intelligent manufacturing" expects robots there, not a bank, so
the halls are themed the way a real expo's are. Smart-vehicle makers fill the multi-function
hall M first (the car show); the 16 standard halls are then shared out among the sectors in
proportion to the floor their exhibitors need (`sector_halls`), in the sectors' order, so that
related sectors are neighbours. A sector's exhibitors are spread evenly over its halls,
Fortune Global 500 companies first. Should a sector's halls be full, its remaining exhibitors
go to the hall with the most room left: the plan always fits, and the hall's theme (the sector
most of its exhibitors belong to) is still its own sector's.
"""

from __future__ import annotations

from smartexpo.demo import catalogue_data as data
from smartexpo.demo import editions as facts
from smartexpo.demo.layout import SIZES, BoothSpot, PlannedExhibitor, fits, hall_cells, pack_hall

MULTI_SECTOR = "smart-vehicles"


def sector_halls(demand: dict[str, int], halls: list[str]) -> dict[str, list[str]]:
    """Halls per sector: each sector with demand (cells) gets one, and every further hall goes
    to the sector whose demand per hall is then the highest (ties: the sectors' order), which
    keeps the fullest sector's halls as empty as the number of halls allows. Halls are handed
    out in order, a sector's next to each other. With more sectors than halls, the smallest
    sectors get none (their exhibitors go where there is room)."""
    order = [code for code, _en, _zh in data.SECTORS if demand.get(code, 0) > 0]
    if len(order) > len(halls):
        order = sorted(order, key=lambda s: -demand[s])[: len(halls)]
        order.sort(key=[code for code, _en, _zh in data.SECTORS].index)
    count = dict.fromkeys(order, 1)
    for _ in range(len(halls) - len(order)):
        # The same comparison as demand / count, in integers: no rounding decides a hall.
        best = order[0]
        for s in order[1:]:
            if demand[s] * count[best] > demand[best] * count[s]:
                best = s
        count[best] += 1
    given: dict[str, list[str]] = {}
    it = iter(halls)
    for s in order:
        given[s] = [next(it) for _ in range(count[s])]
    return given


def allocate_booths(planned: list[PlannedExhibitor]) -> list[BoothSpot]:
    """The booths of every hall with their exhibitors (indexes into `planned`) and free ones."""
    halls = facts.hall_layout()
    by_code = {h["code"]: h for h in halls}
    sector_order = {code: i for i, (code, _en, _zh) in enumerate(data.SECTORS)}
    order = sorted(
        range(len(planned)),
        key=lambda i: (sector_order[planned[i].sector], not planned[i].fortune500, i),
    )
    members: dict[str, list[tuple[int, str]]] = {h["code"]: [] for h in halls}

    def room(code: str, size: str) -> bool:
        hall = by_code[code]
        return fits(hall["width"], hall["depth"], [s for _o, s in members[code]] + [size])

    def taken(code: str) -> int:
        return sum(SIZES[s] for _o, s in members[code])

    queue = []
    for i in order:
        if planned[i].sector == MULTI_SECTOR and room("M", planned[i].size):
            members["M"].append((i, planned[i].size))
        else:
            queue.append(i)
    standard = [h["code"] for h in halls if h["code"] != "M"]
    demand: dict[str, int] = {}
    for i in queue:
        demand[planned[i].sector] = demand.get(planned[i].sector, 0) + SIZES[planned[i].size]
    themed = sector_halls(demand, standard)
    for i in queue:
        size = planned[i].size
        own = [c for c in themed.get(planned[i].sector, []) if room(c, size)]
        if own:
            # The emptiest of the sector's halls (the first of equals): evenly spread.
            target = min(own, key=lambda c: (taken(c), standard.index(c)))
        else:
            spare = [c for c in [*standard, "M"] if room(c, size)]
            if not spare:
                raise ValueError("The demo's exhibitors do not fit in the venue's halls.")
            free = {
                c: hall_cells(by_code[c]["width"], by_code[c]["depth"]) - taken(c) for c in spare
            }
            target = max(spare, key=lambda c: free[c])
        members[target].append((i, size))
    spots: list[BoothSpot] = []
    for h in halls:
        spots.extend(pack_hall(h["code"], h["width"], h["depth"], members[h["code"]]))
    return spots
