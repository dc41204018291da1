"""The distinct-visitor sketch: near exact for a booth's day, within a few % for a hall's."""

from __future__ import annotations

import numpy as np

from smartexpo.crowd.visitors import (
    empty_sketch,
    sketch_add,
    sketch_estimate,
    visitor_hash,
)


def hashes(n: int, prefix: str = "v") -> np.ndarray:
    return np.array([visitor_hash(f"{prefix}{i}") for i in range(n)], dtype=np.int64)


def test_the_same_tag_always_hashes_alike_and_never_to_zero():
    assert visitor_hash("v1") == visitor_hash("v1") != visitor_hash("v2")
    assert visitor_hash("v1") != 0


def test_a_booths_visitors_are_counted_almost_exactly():
    # Linear counting's standard error is about 1 % here: four errors' worth of room.
    for n, room in ((1, 0), (7, 0), (100, 4), (1_000, 40)):
        sketch = empty_sketch()
        sketch_add(sketch, hashes(n))
        sketch_add(sketch, hashes(n))  # every visitor seen twice
        assert abs(sketch_estimate(sketch) - n) <= room


def test_a_halls_visitors_are_counted_within_a_few_percent():
    sketch = empty_sketch()
    sketch_add(sketch, hashes(60_000))
    assert abs(sketch_estimate(sketch) - 60_000) < 0.05 * 60_000


def test_sketches_merge_in_any_order():
    a, b = hashes(3_000, "a"), hashes(3_000, "b")
    one, two = empty_sketch(), empty_sketch()
    sketch_add(one, a)
    sketch_add(one, b)
    sketch_add(two, b)
    sketch_add(two, a[::-1])
    assert (one == two).all()
    assert sketch_estimate(empty_sketch()) == 0
