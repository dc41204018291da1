"""Distinct visitors per zone and day, counted without keeping anybody's trail.

Sensors may tag an event with a pseudonymous visitor tag (a 5G device pseudonym, a badge's
hash), and a gate admission carries its ticket (`ticket_visitor`). SmartExpo keeps neither
the tag nor a per-visitor record: the tag is hashed with a key derived from the
installation's secret, and the hash only updates a HyperLogLog sketch of the
zone's day (4,096 one-byte registers: exact for a handful, about 1 % standard error up to a
few thousand visitors thanks to linear counting, 1.6 % beyond). Sketches merge by taking
register maxima, so late, resent or re-ordered events count each visitor once.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import numpy as np
import polars as pl
from django.conf import settings

PRECISION = 12
REGISTERS = 1 << PRECISION
_REST_BITS = 64 - PRECISION
_key: bytes | None = None


def _hash_key() -> bytes:
    global _key
    if _key is None:
        _key = hashlib.sha256(b"smartexpo-visitor-tag:" + settings.SECRET_KEY.encode()).digest()
    return _key


def visitor_hash(tag: str) -> int:
    """A keyed 64-bit hash of a visitor tag, as a signed integer (never 0: 0 means none)."""
    digest = hashlib.blake2b(tag.encode("utf-8"), digest_size=8, key=_hash_key()).digest()
    value = int.from_bytes(digest, "big", signed=True)
    return value or 1


def ticket_visitor(ticket_id: int) -> int:
    """The visitor hash of a ticket's holder: a gate admission counts its ticket once a day
    among a zone's distinct visitors, as a sensor's tag does."""
    return visitor_hash(f"ticket:{ticket_id}")


def hashed(values: pl.Series, hash_of: Callable[[object], int]) -> pl.Series:
    """Each value's hash as Int64 (null for null), each distinct value hashed once and joined
    back on the one column: `replace_strict` with the 650,000 tags of the reference expo took
    16 s, the join 1.5 s."""
    distinct = values.drop_nulls().unique()
    table = pl.DataFrame(
        {"value": distinct, "hash": [hash_of(v) for v in distinct.to_list()]},
        schema={"value": values.dtype, "hash": pl.Int64},
    )
    found = values.to_frame("value").join(table, on="value", how="left", maintain_order="left")
    return found.get_column("hash")


def empty_sketch() -> np.ndarray:
    return np.zeros(REGISTERS, dtype=np.uint8)


def sketch_from_bytes(blob) -> np.ndarray:
    if not blob:
        return empty_sketch()
    return np.frombuffer(bytes(blob), dtype=np.uint8).copy()


def sketch_add(sketch: np.ndarray, hashes: np.ndarray) -> None:
    """Add hashed visitors (signed 64-bit, 0 ignored) to a sketch, in place."""
    hashes = hashes[hashes != 0].view(np.uint64)
    if not len(hashes):
        return
    index = (hashes >> np.uint64(_REST_BITS)).astype(np.intp)
    rest = hashes & np.uint64((1 << _REST_BITS) - 1)
    # frexp's exponent is the bit length, exact here: the rest has 52 bits, a double's mantissa
    # holds 53.
    bit_length = np.frexp(rest.astype(np.float64))[1]
    rank = (_REST_BITS - bit_length + 1).astype(np.uint8)
    np.maximum.at(sketch, index, rank)


def sketch_estimate(sketch: np.ndarray) -> int:
    """The estimated number of distinct visitors in a sketch."""
    zeros = int(np.count_nonzero(sketch == 0))
    if zeros == REGISTERS:
        return 0
    alpha = 0.7213 / (1 + 1.079 / REGISTERS)
    raw = alpha * REGISTERS * REGISTERS / float(np.sum(np.ldexp(1.0, -sketch.astype(np.int64))))
    if raw <= 2.5 * REGISTERS and zeros:
        return round(REGISTERS * math.log(REGISTERS / zeros))
    return round(raw)
