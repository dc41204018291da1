"""The arithmetic of occupancy, vectorised: counts clamped at zero, alerts with hysteresis.

Every function works on many independent *segments* at once (a segment is one zone's count
period, or part of it), given as sorted segment numbers per element. A count follows
`c = max(0, c_prev + d)` step by step; its closed form (Lindley's recursion) is

    c_k = S_k + max(x, −min(S_1 … S_k))      with S_k = d_1 + … + d_k and x the count before,

so a whole segment is a cumulative sum and a cumulative minimum — no Python loop per step.
The alert follows the last threshold crossed: raised at `c ≥ raise_at`, cleared at
`c ≤ clear_at` (`raise_at > clear_at`, so a count can cross at most one of them).

The same functions answer a single instant and fold tens of millions of movements, so the
two can never disagree.
"""

from __future__ import annotations

import itertools

import numpy as np

# One netted movement inside a minute: µs since the minute's start, and the net change.
MOVE = np.dtype([("offset", "<i4"), ("net", "<i8")])
MINUTE_US = 60_000_000


def segment_starts(seg: np.ndarray) -> np.ndarray:
    """Boolean mask of the first element of each run of equal segment numbers."""
    starts = np.ones(len(seg), dtype=bool)
    if len(seg) > 1:
        starts[1:] = seg[1:] != seg[:-1]
    return starts


def _ranks(starts: np.ndarray) -> np.ndarray:
    """0, 0, 1, 1, 1, 2 …: the rank of each element's segment among the segments."""
    return np.cumsum(starts) - 1


def segmented_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative sums restarting at every segment start."""
    total = np.cumsum(values)
    if not len(values):
        return total
    start_index = np.flatnonzero(starts)
    before = np.concatenate(([0], total[start_index[1:] - 1])) if len(start_index) else []
    return total - np.repeat(before, np.diff(np.append(start_index, len(values))))


def segmented_cummin(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Cumulative minimums restarting at every segment start.

    Each later segment is shifted down by more than the spread of all values, so one global
    `minimum.accumulate` never carries a minimum across a segment start."""
    if not len(values):
        return values.copy()
    ranks = _ranks(starts)
    spread = int(values.max()) - int(values.min()) + 1
    if spread * (int(ranks[-1]) + 1) < 2**62:
        shift = ranks.astype(np.int64) * spread
        return np.minimum.accumulate(values - shift) + shift
    out = np.empty_like(values)  # pragma: no cover - counts beyond 2^62 / segments
    bounds = np.append(np.flatnonzero(starts), len(values))
    for a, b in itertools.pairwise(bounds):
        out[a:b] = np.minimum.accumulate(values[a:b])
    return out


def clamped_counts(delta: np.ndarray, starts: np.ndarray, initial: np.ndarray) -> np.ndarray:
    """The count after each step, never below zero; `initial` is each element's segment's
    count before its first step (repeated per element)."""
    sums = segmented_cumsum(delta.astype(np.int64), starts)
    lowest = segmented_cummin(sums, starts)
    return sums + np.maximum(initial, -lowest)


def previous_in_segment(values: np.ndarray, starts: np.ndarray, initial: np.ndarray):
    """Each element's predecessor in its segment, `initial` at a segment's first element."""
    out = np.empty_like(values)
    if len(values):
        out[1:] = values[:-1]
        out[starts] = initial[starts]
    return out


def alert_states(
    counts: np.ndarray,
    starts: np.ndarray,
    raise_at: np.ndarray,
    clear_at: np.ndarray,
    initial: np.ndarray,
) -> np.ndarray:
    """The alert after each step (hysteresis); the per-element arrays give each element's
    zone thresholds and its segment's alert before the first step."""
    marks = np.where(counts >= raise_at, 1, np.where(counts <= clear_at, -1, 0))
    index = np.arange(len(counts))
    last = np.maximum.accumulate(np.where(marks != 0, index, -1)) if len(counts) else index
    segment_first = np.maximum.accumulate(np.where(starts, index, 0)) if len(counts) else index
    crossed = last >= segment_first
    return np.where(crossed, marks[np.maximum(last, 0)] == 1, initial)


def pack_moves(offsets: np.ndarray, nets: np.ndarray) -> bytes:
    """A minute's netted movements as stored in `OccupancyMinute.moves`."""
    packed = np.empty(len(offsets), dtype=MOVE)
    packed["offset"], packed["net"] = offsets, nets
    return packed.tobytes()


def unpack_moves(blob: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(blob), dtype=MOVE)


def stored_moves(minutes, blobs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The movements of stored minutes (each minute's `pack_moves` blob), in the minutes'
    order: how many each minute holds, and each one's instant (µs since the epoch) and net
    change."""
    moves = [unpack_moves(b) for b in blobs]
    sizes = np.array([len(m) for m in moves], dtype=np.int64)
    stored = np.concatenate(moves) if moves else np.empty(0, dtype=MOVE)
    at = np.repeat(np.asarray(minutes, dtype=np.int64) * MINUTE_US, sizes) + stored["offset"]
    return sizes, at, stored["net"].astype(np.int64)
