"""A FIFO queue in front of identical gate lanes with a fixed service time, in arrays (NumPy).

With identical lanes and a fixed service time `S`, visitor i (in arrival order) takes the lane
that visitor i − c left, so its start is the Lindley recursion

    start_i = max(ready_i, start_{i−c} + S)

which is a running maximum per lane: one `np.maximum.accumulate` over a (rows × c) matrix
serves a whole gate (`fifo_starts`; the digital twin's gates use exactly this function).

`lanes_queue` lets the number of open lanes change at the boundaries of fixed periods (a gate
plan opens lanes per 15 minutes). Its rules:

- before the first period no lane is open: early comers wait for it;
- when the count rises, the lanes added are closed ones, free from the boundary on; when it
  falls, the lanes kept are those that free up first, and a lane closed while busy finishes the
  visitor it is scanning (nobody is sent back into the queue);
- the last period's lanes stay open until the queue is empty (a plan's last period must keep
  at least one lane, or those still queuing are never served: their start is +inf).

Within a run of periods with the same count the recursion above holds, started from the lanes'
free times; a segment is solved at once and whoever has not started by its end is carried,
with the lanes' state, into the next one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

GREEN_GUIDE_LANE_RATE_PER_HOUR = 660  # people a lane scans an hour (the Green Guide)
LANE_SERVICE_S = 3600 / GREEN_GUIDE_LANE_RATE_PER_HOUR

__all__ = ["LANE_SERVICE_S", "fifo_starts", "lanes_queue"]


def fifo_starts(ready: np.ndarray, lanes: int, service_s: float = LANE_SERVICE_S) -> np.ndarray:
    """Service start of each visitor (same order as `ready`) with `lanes` always open."""
    n = len(ready)
    if n == 0:
        return ready.astype(np.float64)
    order = np.argsort(ready, kind="stable")
    rows = -(-n // lanes)
    grid = np.full(rows * lanes, np.inf)
    grid[:n] = ready[order]
    grid = grid.reshape(rows, lanes)
    k = (np.arange(rows, dtype=np.float64) * service_s)[:, None]
    starts = (np.maximum.accumulate(grid - k, axis=0) + k).ravel()[:n]
    out = np.empty(n, dtype=np.float64)
    out[order] = starts
    return out


def _segment(ready: np.ndarray, free: np.ndarray, service_s: float) -> np.ndarray:
    """Starts of sorted `ready` on lanes free from the sorted times `free` (the recursion with
    start_{−c+j} + S = free_j): max(running max of ready_r − rS, free_j) + rS."""
    n, c = len(ready), len(free)
    rows = -(-n // c)
    grid = np.full(rows * c, np.inf)
    grid[:n] = ready
    grid = grid.reshape(rows, c)
    k = (np.arange(rows, dtype=np.float64) * service_s)[:, None]
    # Two maxima rather than one sum: when every visitor comes after the lanes are free (a
    # constant plan) this is bit for bit `fifo_starts`.
    starts = np.maximum(np.maximum.accumulate(grid - k, axis=0) + k, free[None, :] + k)
    return starts.ravel()[:n]


def lanes_queue(
    ready: np.ndarray,
    *,
    start_s: float,
    period_s: float,
    lanes: Sequence[int],
    service_s: float = LANE_SERVICE_S,
) -> np.ndarray:
    """Service start of each visitor (same order as `ready`, seconds) when period k, from
    `start_s + k * period_s`, has `lanes[k]` lanes open (rules in the module's docstring)."""
    counts = np.asarray(lanes, dtype=np.int64)
    if len(counts) == 0 or counts.min() < 0:
        raise ValueError("lanes needs one non-negative count per period")
    n = len(ready)
    out = np.full(n, np.inf)
    if n == 0:
        return out
    order = np.argsort(ready, kind="stable")
    arrive = np.asarray(ready, dtype=np.float64)[order]
    # Runs of equal counts are one segment: the open set only changes when the count does.
    change = np.flatnonzero(np.diff(counts)) + 1
    firsts = np.concatenate(([0], change))
    seg_start = start_s + firsts * period_s
    seg_end = np.append(seg_start[1:], np.inf)
    total = int(counts.max())
    free = np.full(total, -np.inf)
    is_open = np.zeros(total, dtype=bool)
    done_starts = np.empty(n, dtype=np.float64)
    i = 0
    for first, begin, end in zip(firsts, seg_start, seg_end, strict=True):
        c = int(counts[first])
        eff = np.maximum(free, begin)
        opened = np.flatnonzero(is_open)
        if c < len(opened):
            keep = opened[np.argsort(eff[opened], kind="stable")[:c]]
            is_open[:] = False
            is_open[keep] = True
        elif c > len(opened):
            closed = np.flatnonzero(~is_open)
            is_open[closed[np.argsort(eff[closed], kind="stable")[: c - len(opened)]]] = True
        if c == 0:
            continue
        m = int(np.searchsorted(arrive, end, side="left"))
        if m <= i:
            continue
        chosen = np.flatnonzero(is_open)
        chosen = chosen[np.argsort(eff[chosen], kind="stable")]
        s = _segment(arrive[i:m], eff[chosen], service_s)
        # The starts never decrease; the first one at or after the end closes the segment.
        late = s >= end
        d = int(np.argmax(late)) if late.any() else len(s)
        done_starts[i : i + d] = s[:d]
        last = np.arange(max(0, d - c), d)
        free[chosen[last % c]] = s[last] + service_s
        i += d
        if i == n:
            break
    out[order[:i]] = done_starts[:i]
    return out
