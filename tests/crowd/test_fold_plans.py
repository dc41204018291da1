"""A fold planned one group of count periods at a time (the batch path's way) stores exactly
what one plan of all the movements stores."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from smartexpo.crowd.fold import Movements, fold_apply, fold_apply_all, fold_plan, fold_plans
from smartexpo.crowd.models import CrowdAlert, OccupancyFrame, OccupancyMinute, ZoneDay
from smartexpo.crowd.periods import periods_of, to_us
from smartexpo.venue.models import Zone

TZ = dt.timezone(dt.timedelta(hours=8))
# Four days from 17:00 local on the first: every closing (18:00) has movements either side.
START = dt.datetime(2019, 8, 26, 17, 0, tzinfo=TZ)
SPAN_US = 3 * 86_400_000_000 + 2 * 3_600_000_000

movement = st.tuples(
    st.sampled_from(["N1-B", "S1", "V"]),
    # Either a few distinct minutes around the closings, or anywhere in the span.
    st.sampled_from([0, 59, 60, 61, 24 * 60 + 59, 24 * 60 + 61, 48 * 60 + 60]).map(
        lambda m: m * 60_000_000
    )
    | st.integers(0, SPAN_US),
    st.integers(-40, 40).filter(bool),
)
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def moves_of(expo, moves) -> Movements:
    zones = dict(Zone.objects.filter(expo=expo).values_list("code", "id"))
    return Movements.of(
        [zones[z] for z, _us, _d in moves],
        [to_us(START) + us for _z, us, _d in moves],
        [d for _z, _us, d in moves],
        [abs(hash((z, us))) % 1000 if d > 0 else 0 for z, us, d in moves],
    )


def stored() -> dict[str, list]:
    def rows(model, fields=None):
        fields = fields or [f.attname for f in model._meta.fields if f.attname != "id"]
        found = model.objects.values_list(*fields)
        return sorted(tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in found)

    alert = ["zone_id", "raised_at", "ends_at", "ended_by_reset", "peak_count", "reason"]
    return {
        "minutes": rows(OccupancyMinute),
        "days": rows(ZoneDay),
        "frames": rows(OccupancyFrame),
        "alerts": rows(CrowdAlert, alert),
    }


def folded(expo, earlier, later, per_plan: int | None) -> dict[str, list]:
    """What is stored after folding `earlier` (one plan), then `later`: as one plan, or as
    plans of `per_plan` movements."""
    with transaction.atomic():
        fold_apply(fold_plan(expo=expo, moves=moves_of(expo, earlier)))
        moves = moves_of(expo, later)
        if per_plan is None:
            fold_apply(fold_plan(expo=expo, moves=moves))
        else:
            plans = fold_plans(expo=expo, moves=moves, per_plan=per_plan)
            report = fold_apply_all(plans)
            assert report.movements == len(later)
        result = stored()
        transaction.set_rollback(True)
    return result


@PROPERTY
@given(
    earlier=st.lists(movement, max_size=30),
    later=st.lists(movement, min_size=1, max_size=80),
    per_plan=st.integers(1, 40),
    seed=st.integers(),
)
@example(
    # An alert ended by the first closing, one raised and cleared on the next day.
    earlier=[("N1-B", 3_000_000_000, 40)],
    later=[
        ("N1-B", 3_500_000_000, 30),
        ("S1", 80_000_000_000, 35),
        ("S1", 80_000_000_001, 35),
        ("S1", 81_000_000_000, -30),
    ],
    per_plan=1,
    seed=0,
)
def test_plans_of_whole_periods_store_what_one_plan_stores(expo, earlier, later, per_plan, seed):
    Zone.objects.filter(expo=expo, code__in=["N1-B", "S1"]).update(capacity=60)
    random.Random(seed).shuffle(later)
    one = folded(expo, earlier, later, None)
    assert folded(expo, earlier, later, per_plan) == one
    if (earlier, seed) == ([("N1-B", 3_000_000_000, 40)], 0):
        assert sorted(a[3] for a in one["alerts"]) == [False, True]  # both endings


def test_plans_hold_whole_periods_and_at_least_the_movements_asked(expo):
    # Five movements a day over four days: plans of at least eight are two days each.
    moves = [
        (z, day * 86_400_000_000 + k * 600_000_000 + 3_900_000_000, 1)
        for day in range(4)
        for k, z in enumerate(["N1-B", "S1", "V", "S1", "V"])
    ]
    with transaction.atomic():
        plans = fold_plans(expo=expo, moves=moves_of(expo, moves), per_plan=8)
        transaction.set_rollback(True)
    assert [p.movements for p in plans] == [10, 10]
    days = [set(p.frames.starts) for p in plans]
    assert len(days[0]) == 2 and len(days[1]) == 2 and not days[0] & days[1]
    whole = moves_of(expo, moves)
    assert len(set(periods_of(whole.at_us, tz=expo.tz, closes_at=expo.closes_at))) == 4
    with transaction.atomic():
        assert len(fold_plans(expo=expo, moves=whole, per_plan=len(moves))) == 1
        transaction.set_rollback(True)
