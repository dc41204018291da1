"""The default shape of a day's arrivals at the entrance gates, shared by the forecast (which
falls back to it, and spreads capacity-bound periods by it) and the lane plan (which queues the
crowd waiting at the opening at once).

Scans never show when people came before the gates opened: they are all scanned from the
opening on, at the lanes' pace. So the share of a day's visitors already waiting at the opening
is an assumption, documented here and in docs/planning.md, not something learned.
"""

from __future__ import annotations

import numpy as np

# The share (per cent) of a day's entries at the gates before they open: they queue and are
# ready at the opening instant, a burst no lane plan spreads out.
WAITING_AT_OPENING = 8.0

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
