"""The attendance forecast's statistics, on counts alone (no database): the booking curve's
multiplier, the show-up rates, the day's nowcast, and the draws that carry their uncertainty
into the 80 % intervals (docs/planning.md, "The attendance forecast").

The estimators are statsmodels' GLMs and scipy's distributions:

* **Bookings.** The edition's bookings of a ticket type in each day before the opening are
  Poisson with mean `m × (the previous edition's bookings that day)`: a quasi-Poisson GLM
  (log link, the previous edition's counts as offset, Pearson's χ² for the dispersion) on the
  days seen so far estimates `m`, the edition's size against the previous one's; the bookings
  still to come are `m` times the previous edition's after the same distance.
* **Show-up.** Whether a ticket valid on a day was admitted that day is binomial: a logistic
  GLM with a rate per ticket type and kind of day (first, middle, last), fitted on the previous
  edition's tickets and admissions. Kinds rather than dates carry over between editions of
  different lengths.
* **Nowcast.** During a day, its admissions so far are Poisson with mean `m × expected so far`;
  `m` has a gamma prior of mean 1 whose spread is the forecast's own, and the conjugate
  posterior gives today's multiplier.

Intervals come from `DRAWS` joint draws of the estimated parameters (normal on the GLMs' link
scale, with their covariance) and of the counts they govern (Poisson bookings, binomial
show-ups): the 10th and 90th percentiles.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
from scipy import stats

DRAWS = 2_000
# The nowcast's prior is never tighter than this coefficient of variation: the forecast's own
# spread assumes the previous edition's rates hold, and a day's demand can shift them all
# (weather, a famous guest, a shock); a tighter prior let a day 40 % busier than usual move
# its nowcast by a third of that by 11:00 (tests/planning/test_forecast.py).
NOWCAST_MIN_CV = 0.15
LOW_Q, HIGH_Q = 10.0, 90.0  # the 80 % interval
# The z of a central 80 % interval: an interval's half-width in standard deviations.
Z80 = stats.norm.ppf(0.9)


@dataclasses.dataclass(frozen=True)
class Interval:
    """A forecast value and its 80 % interval."""

    mid: float
    low: float
    high: float

    @classmethod
    def of(cls, draws: np.ndarray) -> Interval:
        low, mid, high = np.percentile(draws, [LOW_Q, 50.0, HIGH_Q])
        return cls(float(mid), float(low), float(high))

    @classmethod
    def exact(cls, value: float) -> Interval:
        return cls(float(value), float(value), float(value))


@dataclasses.dataclass(frozen=True)
class Multiplier:
    """An estimated multiplier on the log scale: its estimate and standard error."""

    log: float
    se: float

    def draws(self, rng: np.random.Generator, n: int = DRAWS) -> np.ndarray:
        return np.exp(rng.normal(self.log, self.se, n))


def booking_multipliers(
    observed: dict[str, np.ndarray], reference: dict[str, np.ndarray]
) -> dict[str, Multiplier]:
    """Per ticket type, the edition's bookings against the reference's (same days before the
    opening, the same bins in both arrays); one quasi-Poisson GLM with the type as factor.
    Types with no booking seen, or none in the reference's bins, are left out."""
    import statsmodels.api as sm

    codes = [c for c in observed if c in reference and observed[c][reference[c] > 0].sum() > 0]
    y, offset, columns = [], [], []
    for i, code in enumerate(codes):
        keep = reference[code] > 0
        y.append(observed[code][keep])
        offset.append(np.log(reference[code][keep]))
        columns.extend([i] * int(keep.sum()))
    if not codes:
        return {}
    design = np.zeros((len(columns), len(codes)))
    design[np.arange(len(columns)), columns] = 1.0
    endog = np.concatenate(y).astype(np.float64)
    model = sm.GLM(endog, design, family=sm.families.Poisson(), offset=np.concatenate(offset))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a perfect fit's zero dispersion: se 0, said below
        fit = model.fit(scale="X2")
    params, se = np.asarray(fit.params), np.asarray(fit.bse)
    return {
        code: Multiplier(float(params[i]), float(se[i]) if math.isfinite(se[i]) else 0.0)
        for i, code in enumerate(codes)
    }


@dataclasses.dataclass(frozen=True)
class ShowUpModel:
    """The fitted logistic model of show-up: one logit per (ticket type, kind of day) cell."""

    cells: tuple[tuple[str, str], ...]
    params: np.ndarray
    se: np.ndarray

    def knows(self, code: str) -> bool:
        return any(c == code for c, _k in self.cells)

    def cell_for(self, code: str, kind: str) -> int:
        """The cell to use for a day of `kind`: a two-day edition had no middle day, so the
        type's last day stands in (both come after the opening day's rush); a one-day edition
        only had a first day."""
        for wanted in (kind, "last", "middle", "first"):
            if (code, wanted) in self.cells:
                return self.cells.index((code, wanted))
        raise KeyError(code)

    def logit(self, code: str, kind: str) -> tuple[float, float]:
        """(estimate, standard error) of the show-up's logit."""
        i = self.cell_for(code, kind)
        return float(self.params[i]), float(self.se[i])


# A type that every holder (or no holder) used on a day has an infinite logit; held here, a
# rate within 0.005 % of 0 or 1, and its draws stay finite.
MAX_LOGIT = 10.0


def show_up_fit(rows: list[tuple[str, str, int, int]]) -> ShowUpModel | None:
    """The logistic GLM of (ticket type, kind of day, tickets valid, tickets admitted) rows,
    a parameter per (type, kind) cell; None without a row that had a ticket valid."""
    import statsmodels.api as sm

    rows = [r for r in rows if r[2] > 0]
    if not rows:
        return None
    cells = tuple(sorted({(r[0], r[1]) for r in rows}))
    design = np.zeros((len(rows), len(cells)))
    for i, (code, kind, _valid, _came) in enumerate(rows):
        design[i, cells.index((code, kind))] = 1.0
    came = np.array([min(r[3], r[2]) for r in rows], dtype=np.float64)
    valid = np.array([r[2] for r in rows], dtype=np.float64)
    endog = np.column_stack([came, valid - came])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a cell every holder or nobody used: separation
        fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
    params = np.clip(np.nan_to_num(np.asarray(fit.params)), -MAX_LOGIT, MAX_LOGIT)
    se = np.nan_to_num(np.asarray(fit.bse), nan=0.0, posinf=0.0)
    return ShowUpModel(cells, params, np.minimum(se, MAX_LOGIT))


def logit_draws(logit: float, se: float, rng: np.random.Generator, n: int = DRAWS) -> np.ndarray:
    """Rates drawn from a normal logit."""
    return 1.0 / (1.0 + np.exp(-rng.normal(logit, se, n)))


def rate_draws(
    rate: float, low: float, high: float, rng: np.random.Generator, n: int = DRAWS
) -> np.ndarray:
    """Rates whose logit is normal with the given 80 % interval (for the defaults)."""
    lo, hi = math.log(low / (1 - low)), math.log(high / (1 - high))
    return logit_draws(math.log(rate / (1 - rate)), (hi - lo) / (2 * Z80), rng, n)


def binomial_draws(trials: np.ndarray, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One binomial draw per (trials, rate) pair: show-ups among registered tickets."""
    return rng.binomial(np.maximum(trials, 0).astype(np.int64), np.clip(rates, 0.0, 1.0))


def nowcast_multiplier(
    *, prior: Interval, seen: float, expected_so_far: float
) -> tuple[float, float] | None:
    """(shape, rate) of the gamma posterior of today's multiplier, from a prior of mean 1
    spread as `prior` (the day's forecast) and `seen` entries where `expected_so_far` were
    expected; None when nothing was expected yet (before the opening)."""
    if expected_so_far <= 0 or prior.mid <= 0:
        return None
    cv = max((prior.high - prior.low) / (2 * Z80 * prior.mid), NOWCAST_MIN_CV)
    shape = 1.0 / (cv * cv)
    return shape + seen, shape + expected_so_far


def gamma_draws(shape: float, rate: float, rng: np.random.Generator, n: int = DRAWS):
    """Draws of a gamma(shape, rate) multiplier."""
    return stats.gamma.rvs(shape, scale=1.0 / rate, size=n, random_state=rng)
