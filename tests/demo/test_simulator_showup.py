"""The twin's show-up process on its own (no database): binomial visits per (day, class),
deterministic per seed, and a demand shock that raises its day."""

from __future__ import annotations

import numpy as np
import pytest

from smartexpo.demo.simulator import showup
from smartexpo.demo.simulator.tickets import TicketPool
from tests.demo.test_simulator_model import demo_like_venue

# Valid tickets per (day, class): public-day tickets of each day, then the four passes (valid
# every day).
PUBLIC = (20_000, 16_000, 14_000, 18_000)
PASSES = (3_000, 500, 500, 2_000)


def pool(public=PUBLIC, passes=PASSES) -> TicketPool:
    cells = {}
    for d, n in enumerate(public):
        cells[(d, 0)] = np.arange(n)
        for c, p in enumerate(passes, start=1):
            cells[(d, c)] = np.arange(p)
    empty = np.zeros(0, dtype=np.int64)
    return TicketPool(empty, empty, [], [], [], [], cells)


def test_each_cell_is_its_tickets_times_the_rate_within_binomial_noise():
    venue = demo_like_venue()
    plan = showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=1)
    assert plan.shape == (4, 5)
    for d in range(4):
        for c, cls in enumerate(venue.classes):
            n = PUBLIC[d] if c == 0 else PASSES[c - 1]
            p = showup.show_up_rate(cls.code, d, 4)
            sd = np.sqrt(n * p * (1 - p))
            assert abs(plan[d, c] - n * p) < 5 * sd, (d, cls.code, plan[d, c], n * p)
    # The rates are the data's: a public ticket on a middle day, a staff pass on the first.
    assert showup.show_up_rate("public-day", 1, 4) == showup.SHOW_UP["public-day"]
    assert showup.show_up_rate("exhibitor-staff", 0, 4) == pytest.approx(
        showup.SHOW_UP["exhibitor-staff"] * showup.FIRST_DAY_EFFECT
    )


def test_over_many_seeds_a_cell_has_the_binomials_mean_and_variance():
    venue = demo_like_venue()
    small = pool(public=(400, 400, 400, 400), passes=(100, 100, 100, 100))
    draws = np.array(
        [
            showup.visits_draw(venue=venue, pool=small, days=range(1, 2), seed=s)[0, 0]
            for s in range(400)
        ]
    )
    p = showup.SHOW_UP["public-day"]
    assert draws.mean() == pytest.approx(400 * p, abs=1.5)
    # The sample variance of 400 draws is within ±30 % of the binomial's n p (1 − p).
    assert draws.var(ddof=1) == pytest.approx(400 * p * (1 - p), rel=0.3)


def test_the_same_seed_draws_the_same_and_a_day_does_not_depend_on_the_others():
    venue = demo_like_venue()
    every = showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=5)
    assert (every == showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=5)).all()
    assert (
        every[2:] == showup.visits_draw(venue=venue, pool=pool(), days=range(2, 4), seed=5)
    ).all()
    assert (every != showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=6)).any()


def test_a_shock_raises_its_day_only_and_the_rate_is_capped_at_one():
    venue = demo_like_venue()
    usual = showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=3)
    shocked = showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=3, shock={2: 1.3})
    assert (shocked[[0, 1, 3]] == usual[[0, 1, 3]]).all()
    n, p = PUBLIC[2], showup.show_up_rate("public-day", 2, 4) * 1.3
    assert abs(shocked[2, 0] - n * p) < 5 * np.sqrt(n * p * (1 - p))
    assert shocked[2].sum() > 1.2 * usual[2].sum()
    full = showup.visits_draw(venue=venue, pool=pool(), days=range(4), seed=3, shock={0: 5})
    assert full[0, 0] == PUBLIC[0] and (full[0, 1:] == PASSES).all()
    assert showup.show_up_rate("public-day", 0, 4, {0: 5}) == 1.0


def test_an_empty_cell_draws_nobody():
    venue = demo_like_venue()
    plan = showup.visits_draw(
        venue=venue, pool=pool(public=(0, 0, 0, 0), passes=(0, 0, 0, 0)), days=range(4), seed=1
    )
    assert not plan.any()


@pytest.mark.parametrize(
    ("shock", "message"), [({4: 1.3}, "day 5"), ({0: 0.0}, "above 0"), ({1: 11.0}, "at most 10")]
)
def test_a_shock_out_of_range_is_refused(shock, message):
    with pytest.raises(ValueError, match=message):
        showup.visits_draw(venue=demo_like_venue(), pool=pool(), days=range(4), seed=1, shock=shock)
