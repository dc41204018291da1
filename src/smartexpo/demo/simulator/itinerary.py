"""Inside the venue: each visitor's halls, in order, and the booths visited in each.

Everything is drawn for all of a day's visitors at once. A visitor's halls are a weighted
sample without replacement (the Gumbel top-k trick: sort log weight + Gumbel noise), limited to
the halls the ticket admits to; their number grows with the time the visitor has. The time
between the walk in and the walk out is shared out: transits along the concourse, then hall
visits in proportion to lognormal weights; inside a hall visit, booth dwell times are lognormal
and the aisles take the rest. Visits follow each other, so a visitor is never in two halls (or
two booths) at once, and every exit comes after its entry.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

from smartexpo.demo.simulator import model as m

if TYPE_CHECKING:
    from smartexpo.demo.simulator.interests import VisitorPreferences


@dataclasses.dataclass(frozen=True)
class Itinerary:
    """Hall visits (one row each, by visitor, in order) and booth visits (likewise)."""

    hall_visitor: np.ndarray
    hall: np.ndarray
    hall_enter: np.ndarray
    hall_exit: np.ndarray
    booth_visitor: np.ndarray
    booth_hall: np.ndarray
    booth_zone: np.ndarray  # index into `Venue.zone_codes`
    booth_enter: np.ndarray
    booth_exit: np.ndarray


def _allowed(venue: m.Venue) -> np.ndarray:
    """(classes × halls): which halls each visitor class may enter."""
    return np.array(
        [[h.code in c.halls for h in venue.halls] for c in venue.classes], dtype=bool
    ).reshape(len(venue.classes), len(venue.halls))


def _halls(rng, venue: m.Venue, cls: np.ndarray, avail: np.ndarray, weights=None):
    """(visitor per visit, hall per visit, visits per visitor). `weights`: (visitors × halls),
    each visitor's own; by default the halls' (their booths' area), the same for everybody."""
    allowed = _allowed(venue)[cls]
    if weights is None:
        weights = np.array([max(h.weight, 1e-9) for h in venue.halls], dtype=np.float64)[None, :]
    keys = np.log(np.maximum(weights, 1e-300)) + rng.gumbel(size=allowed.shape)
    keys[~allowed] = -np.inf
    order = np.argsort(-keys, axis=1, kind="stable")
    most = np.minimum(allowed.sum(axis=1), np.maximum(1, avail // m.MIN_HALL_SLOT_S))
    count = rng.poisson(avail / 3600 * m.HALLS_PER_HOUR)
    count = np.clip(count, 1, np.maximum(most, 1)).astype(np.int64)
    taken = np.arange(len(venue.halls))[None, :] < count[:, None]
    visitor = np.repeat(np.arange(len(cls), dtype=np.int32), count)
    return visitor, order[taken].astype(np.int16), count


def _booth_table(venue: m.Venue):
    """A cumulative table over every hall's booths: hall h's booths span (h, h + 1]."""
    cdf, offsets, count = [], [], []
    offset = len(venue.halls)
    for h, hall in enumerate(venue.halls):
        weights = np.asarray(hall.booth_weights, dtype=np.float64)
        offsets.append(offset)
        count.append(len(hall.booths))
        if len(weights):
            cdf.append(h + np.cumsum(weights) / weights.sum())
        offset += len(hall.booths)
    table = np.concatenate(cdf) if cdf else np.zeros(0)
    return table, np.array(offsets, dtype=np.int64), np.array(count, dtype=np.int64)


def itinerary(
    *,
    rng: np.random.Generator,
    venue: m.Venue,
    cls: np.ndarray,
    start: np.ndarray,
    avail: np.ndarray,
    prefs: VisitorPreferences | None = None,
) -> Itinerary:
    """The halls and booths of visitors of classes `cls` who are inside from `start` for
    `avail` seconds (both in seconds of the day). With `prefs` (the visitors' interests, in
    the order of `cls`), halls and booths follow each visitor's chances instead of area."""
    n = len(cls)
    weights = None if prefs is None else prefs.hall_weights()
    visitor, hall, count = _halls(rng, venue, cls, avail, weights)
    last = np.zeros(len(visitor), dtype=bool)
    last[np.cumsum(count) - 1] = True
    transit = np.where(last, 0.0, m.TRANSIT.sample(rng, len(visitor)))
    transit_total = np.bincount(visitor, transit, minlength=n)
    cap = m.TRANSIT_TIME_SHARE * avail
    squeeze = np.where(transit_total > cap, cap / np.maximum(transit_total, 1e-9), 1.0)
    transit *= squeeze[visitor]
    halls_time = avail - transit_total * squeeze
    share = m.HALL_SHARE.sample(rng, len(visitor))
    duration = halls_time[visitor] * share / np.bincount(visitor, share, minlength=n)[visitor]
    step = duration + transit
    enter = start[visitor] + m.within(step, visitor, count) - step
    leave = enter + duration

    table, offsets, booths_in = _booth_table(venue)
    per_visit = rng.poisson(m.BOOTHS_PER_HALL_VISIT, len(visitor))
    per_visit = np.minimum(per_visit, duration // m.MIN_BOOTH_SLOT_S).astype(np.int64)
    per_visit[booths_in[hall] == 0] = 0
    visit = np.repeat(np.arange(len(visitor), dtype=np.int64), per_visit)
    dwell = np.maximum(m.BOOTH_DWELL.sample(rng, len(visit)), m.MIN_BOOTH_S)
    dwell_total = np.bincount(visit, dwell, minlength=len(visitor))
    cap = m.BOOTH_TIME_SHARE * duration
    fit = np.where(dwell_total > cap, cap / np.maximum(dwell_total, 1e-9), 1.0)
    dwell *= fit[visit]
    # The aisles: what the booths leave of the visit, split at random before each booth and
    # after the last one.
    gap_weight = rng.exponential(size=len(visit))
    tail_weight = rng.exponential(size=len(visitor))
    gap_sum = np.bincount(visit, gap_weight, minlength=len(visitor)) + tail_weight
    aisles = duration - dwell_total * fit
    gap = aisles[visit] * gap_weight / gap_sum[visit]
    booth_exit = enter[visit] + m.within(gap + dwell, visit, per_visit)
    booth_hall = hall[visit]
    draw = rng.random(len(visit))
    if prefs is None:
        pick = np.searchsorted(table, booth_hall + draw, side="right")
    else:
        pick = prefs.pick(visitor[visit], booth_hall.astype(np.int64), draw)
    # `pick` indexes the table; the booth's zone index is the same position after the halls.
    zone = (pick + len(venue.halls)).astype(np.int32)
    # Guard against a float landing exactly on a hall's upper edge.
    upper = offsets[booth_hall] + booths_in[booth_hall] - 1
    zone = np.minimum(zone, upper).astype(np.int32)
    return Itinerary(
        hall_visitor=visitor,
        hall=hall,
        hall_enter=enter,
        hall_exit=leave,
        booth_visitor=visitor[visit],
        booth_hall=booth_hall,
        booth_zone=zone,
        booth_enter=booth_exit - dwell,
        booth_exit=booth_exit,
    )
