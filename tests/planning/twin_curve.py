"""Expected arrivals per 15 minutes from the twin's arrival curve (demo/simulator/model.py)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np

from smartexpo.demo.simulator.model import ARRIVAL_CURVE

TZ = ZoneInfo("Asia/Shanghai")
# The twin's gates share the arrivals in proportion to their lanes (model.gates_queue).
TWIN_GATES = {"G-N": 24, "G-S": 24, "G-E": 12, "G-W": 12}


def day_starts(day: dt.date, *, first=dt.time(8, 0), periods=40) -> list[dt.datetime]:
    """15-minute periods from 08:00 (the curve starts an hour before the 09:00 opening)."""
    begin = dt.datetime.combine(day, first, tzinfo=TZ)
    return [begin + dt.timedelta(minutes=15 * k) for k in range(periods)]


def day_profile(total: float, periods: int = 40) -> np.ndarray:
    """`total` arrivals spread over 15-minute periods from 08:00 as the curve's half hours say."""
    weights = np.zeros(periods)
    for k in range(periods):
        minute = k * 15 - 60  # minutes from the 09:00 opening
        weights[k] = next((w for start, w in ARRIVAL_CURVE if start <= minute < start + 30), 0.0)
    return total * weights / weights.sum()


def edition(days: int, per_day: float, gates=TWIN_GATES):
    """(period starts, expected per gate) for `days` days of `per_day` admissions."""
    starts = [s for d in range(days) for s in day_starts(dt.date(2019, 8, 26 + d))]
    share = np.array(list(gates.values()), dtype=np.float64)
    share /= share.sum()
    expected = {
        code: np.tile(day_profile(per_day * share[g]), days) for g, code in enumerate(gates)
    }
    return starts, expected
