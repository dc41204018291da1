"""The default shape of a day's arrivals at the entrance gates, shared by the forecast (which
falls back to it, and spreads capacity-bound periods by it) and the lane plan (which queues the
crowd waiting at the opening at once).

Scans never show when people came before the gates opened: they are all scanned from the
opening on, at the lanes' pace. So the share of a day's visitors already waiting at the opening
is an assumption, documented here and in docs/planning.md, not something learned.
"""

from __future__ import annotations

import numpy as np

# When the crowd at the gates before they open came: per cent of a day's entries in each half
# hour before the opening, the earliest first. They queue and are ready at the opening instant,
# a burst no lane plan spreads out, unless the lanes open early.
WAITING_ARRIVED: tuple[float, ...] = (2.0, 6.0)
WAITING_AT_OPENING = sum(WAITING_ARRIVED)

# The share (per cent) of a day's entries arriving in each half hour from the opening, split
# evenly over its two 15-minute periods. With WAITING_AT_OPENING they make 100.
DEFAULT_ARRIVALS: tuple[float, ...] = (
    15.0,
    16.0,
    12.5,
    9.0,
    6.5,
    4.5,
    3.5,
    3.5,
    5.0,
    5.0,
    3.5,
    2.5,
    2.0,
    1.5,
    1.0,
)

# Of the arrivals counted in a day's first 15-minute period, the share who were already
# waiting when the gates opened (8 of 15.5 %: about half).
FIRST_PERIOD_WAITING = WAITING_AT_OPENING / (WAITING_AT_OPENING + DEFAULT_ARRIVALS[0] / 2)


def default_curve(periods: int) -> np.ndarray:
    """A day's share of entries in each of its `periods` 15-minute periods from the opening,
    those waiting at the opening in the first one; the shares sum to 1."""
    halves = np.repeat(np.asarray(DEFAULT_ARRIVALS) / 2, 2)
    curve = np.zeros(periods)
    curve[: min(periods, len(halves))] = halves[:periods]
    curve[0] += WAITING_AT_OPENING
    return curve / curve.sum()


# Opening the lanes early is considered up to this many 15-minute periods before the opening
# (as far back as WAITING_ARRIVED reaches).
EARLY_PERIODS = 2 * len(WAITING_ARRIVED)


def waiting_when_early(periods: int) -> tuple[float, np.ndarray]:
    """Of the crowd that waits for a day's opening, the share already there when the lanes open
    `periods` 15-minute periods early (1 to EARLY_PERIODS), and the shares arriving in each of
    those early periods, the earliest first."""
    quarters = np.repeat(np.asarray(WAITING_ARRIVED) / 2, 2) / WAITING_AT_OPENING
    if not 1 <= periods <= len(quarters):
        raise ValueError(f"lanes open 1 to {len(quarters)} periods early")
    return float(quarters[: len(quarters) - periods].sum()), quarters[len(quarters) - periods :]
