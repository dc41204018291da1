"""The matching rules of bench/eval_alerts.py: live hall alerts against predicted ones.

Pure functions on episodes (no database, no Django), so that the rules can be tested on
hand-made episodes (tests/crowd/test_eval_alerts_matching.py).

An episode is one alert of one hall in one count period: a *live* one (`crowd.models.CrowdAlert`:
raised at the movement that reached the threshold, ended by the movement that brought the
count down to the clear threshold or by the nightly reset) or a *predicted* one
(`crowd.predict.PredictedAlert`: raised and cleared at whole minutes; one still standing at
closing is ended by the reset there). Episodes of one hall and kind never overlap.

The rules (the report repeats them):

* A live alert is **predicted** when a predicted alert of the same hall and count period was
  raised at or before the live one and was still standing when the live one was raised
  (cleared at or after that instant, or not at all). Predicted alerts are never raised while
  the hall is at its threshold and stay up while it is there, so a prediction that foresaw the
  alert is standing at its raising. Its **lead** is the live raise minus the predicted raise
  (the earliest such prediction, if two touch); the live alert is **predicted at least 10
  minutes ahead** when the lead is 10 minutes or more. A prediction that had already cleared
  before the live alert does not count: the page no longer showed it.
* A predicted alert **came** when a live alert of the same hall and count period stood at
  some instant between the prediction's raise and its clearing (the closing if it was still
  up): raised within that window, or raised before it and not yet ended at its start (the
  hall was between the clear and the raise thresholds after a live alert and the forecast
  said it would climb back). It **never came** otherwise. Those where a live alert was raised
  within 30 minutes after the prediction cleared are counted apart ("came late", still in
  "never came"), to show how much the rule's strictness weighs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Iterable

AHEAD = dt.timedelta(minutes=10)
LATE = dt.timedelta(minutes=30)


@dataclasses.dataclass(frozen=True)
class Episode:
    """One alert of a hall: `end` is when it cleared or the reset ended it (never None: the
    evaluation reads whole days)."""

    hall: str
    period: dt.date
    raised: dt.datetime
    end: dt.datetime


@dataclasses.dataclass(frozen=True)
class LiveMatch:
    live: Episode
    predicted: Episode | None  # the prediction standing at its raise, if any

    @property
    def lead(self) -> dt.timedelta | None:
        return None if self.predicted is None else self.live.raised - self.predicted.raised

    @property
    def ahead(self) -> bool:
        """Predicted at least 10 minutes ahead."""
        return self.lead is not None and self.lead >= AHEAD


@dataclasses.dataclass(frozen=True)
class PredictedMatch:
    predicted: Episode
    came: bool
    came_late: bool  # never came, but a live alert was raised within 30 min of its clearing
    during_live: bool  # came only through a live alert already standing at its raise


def _by_key(episodes: Iterable[Episode]) -> dict[tuple[str, dt.date], list[Episode]]:
    found: dict[tuple[str, dt.date], list[Episode]] = {}
    for e in episodes:
        found.setdefault((e.hall, e.period), []).append(e)
    for items in found.values():
        items.sort(key=lambda e: e.raised)
    return found


def match_live(live: list[Episode], predicted: list[Episode]) -> list[LiveMatch]:
    """Each live alert with the prediction that stood at its raise (None: unforeseen)."""
    by_key = _by_key(predicted)
    out = []
    for alert in live:
        standing = [
            p
            for p in by_key.get((alert.hall, alert.period), [])
            if p.raised <= alert.raised <= p.end
        ]
        out.append(LiveMatch(alert, standing[0] if standing else None))
    return out


def match_predicted(predicted: list[Episode], live: list[Episode]) -> list[PredictedMatch]:
    """Each predicted alert, whether a live alert of its hall stood while it did."""
    by_key = _by_key(live)
    out = []
    for p in predicted:
        lives = by_key.get((p.hall, p.period), [])
        raised_within = any(p.raised <= a.raised <= p.end for a in lives)
        standing_at_raise = any(a.raised < p.raised <= a.end for a in lives)
        came = raised_within or standing_at_raise
        late = not came and any(p.end < a.raised <= p.end + LATE for a in lives)
        out.append(PredictedMatch(p, came, late, came and not raised_within))
    return out


def _minutes(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 60


def summary(live: list[LiveMatch], predicted: list[PredictedMatch]) -> dict:
    """The figures of a set of matches: live alerts, those predicted (any lead) and at least
    10 minutes ahead, predictions and those that never came, and the leads (minutes)."""
    leads = sorted(_minutes(m.lead) for m in live if m.lead is not None)
    n_live, n_pred = len(live), len(predicted)
    ahead = sum(m.ahead for m in live)
    never = sum(not m.came for m in predicted)
    return {
        "live": n_live,
        "predicted_any": len(leads),
        "ahead": ahead,
        "ahead_share": ahead / n_live if n_live else None,
        "predictions": n_pred,
        "never_came": never,
        "never_share": never / n_pred if n_pred else None,
        "came_late": sum(m.came_late for m in predicted),
        "during_live": sum(m.during_live for m in predicted),
        "lead_median_min": statistics.median(leads) if leads else None,
        "lead_min_min": leads[0] if leads else None,
        "lead_max_min": leads[-1] if leads else None,
    }


def miss_kind(match: LiveMatch, opens: dt.datetime) -> str:
    """Why a live alert was not predicted 10 minutes ahead, for the diagnosis: `unforeseen`
    (no prediction standing at its raise), `short lead` (one, under 10 minutes), each with
    `at opening` when the alert came within the first hour after the day's opening."""
    kind = "unforeseen" if match.predicted is None else "short lead"
    if match.live.raised - opens < dt.timedelta(hours=1):
        kind += " at opening"
    return kind
