"""The matching rules of the predicted alerts' evaluation (bench/eval_alerts_match.py), on
hand-made episodes."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[2] / "bench" / "eval_alerts_match.py"
_spec = importlib.util.spec_from_file_location("eval_alerts_match", PATH)
match = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = match  # its dataclasses look their module up there
_spec.loader.exec_module(match)

DAY = dt.date(2019, 8, 26)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(hh: int, mm: int, ss: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm, ss), tzinfo=TZ)


def ep(hall: str, raised: dt.datetime, end: dt.datetime, day: dt.date = DAY):
    return match.Episode(hall, day, raised, end)


def test_a_live_alert_is_ahead_with_a_prediction_standing_10_minutes_before():
    live = [ep("N1", at(10, 20, 30), at(10, 50))]
    predicted = [ep("N1", at(10, 10), at(10, 55))]
    [m] = match.match_live(live, predicted)
    assert m.predicted == predicted[0]
    assert m.lead == dt.timedelta(minutes=10, seconds=30)
    assert m.ahead


def test_a_lead_under_10_minutes_is_predicted_but_not_ahead():
    [m] = match.match_live(
        [ep("N1", at(10, 19, 59), at(10, 50))], [ep("N1", at(10, 10), at(11, 0))]
    )
    assert m.predicted is not None and not m.ahead
    assert match.miss_kind(m, opens=at(9, 0)) == "short lead"


def test_a_prediction_cleared_before_the_live_raise_does_not_count():
    live = [ep("N1", at(10, 30, 1), at(10, 50))]
    [m] = match.match_live(live, [ep("N1", at(10, 0), at(10, 30))])
    assert m.predicted is None and not m.ahead
    assert match.miss_kind(m, opens=at(10, 0)) == "unforeseen at opening"
    # Cleared exactly at the raise: still standing then.
    [m] = match.match_live([ep("N1", at(10, 30), at(10, 50))], [ep("N1", at(10, 0), at(10, 30))])
    assert m.ahead


def test_another_hall_or_day_never_matches():
    live = [ep("N1", at(10, 30), at(10, 50))]
    others = [
        ep("N2", at(10, 0), at(11, 0)),
        ep("N1", at(10, 0, day=DAY + dt.timedelta(days=1)), at(11, 0), DAY + dt.timedelta(1)),
    ]
    [m] = match.match_live(live, others)
    assert m.predicted is None
    assert [p.came for p in match.match_predicted(others, live)] == [False, False]


def test_a_prediction_came_when_a_live_alert_is_raised_while_it_stands():
    predicted = [ep("N1", at(10, 0), at(10, 40)), ep("N1", at(12, 0), at(12, 20))]
    live = [ep("N1", at(10, 40), at(11, 0)), ep("N1", at(12, 45), at(13, 0))]
    first, second = match.match_predicted(predicted, live)
    assert first.came and not first.during_live
    assert not second.came and second.came_late  # 25 minutes after it cleared


def test_a_live_alert_more_than_30_minutes_after_is_not_late_but_never():
    [m] = match.match_predicted(
        [ep("N1", at(12, 0), at(12, 20))], [ep("N1", at(12, 50, 1), at(13, 0))]
    )
    assert not m.came and not m.came_late


def test_a_prediction_raised_while_a_live_alert_still_stands_came():
    # The hall is back under its threshold but not yet at the clear level: the live alert
    # stands, and the forecast says it will climb again.
    [m] = match.match_predicted([ep("N1", at(11, 0), at(11, 20))], [ep("N1", at(10, 0), at(11, 5))])
    assert m.came and m.during_live


def test_summary_counts_shares_and_the_median_lead():
    predicted = [
        ep("N1", at(10, 0), at(10, 40)),
        ep("N2", at(10, 0), at(10, 30)),
        ep("N3", at(14, 0), at(14, 10)),
    ]
    live = [
        ep("N1", at(10, 20), at(10, 50)),  # lead 20 min
        ep("N2", at(10, 5), at(10, 50)),  # lead 5 min
        ep("N4", at(15, 0), at(15, 10)),  # unforeseen
    ]
    s = match.summary(match.match_live(live, predicted), match.match_predicted(predicted, live))
    assert (s["live"], s["predicted_any"], s["ahead"]) == (3, 2, 1)
    assert s["ahead_share"] == pytest.approx(1 / 3)
    assert (s["predictions"], s["never_came"]) == (3, 1)
    assert s["never_share"] == pytest.approx(1 / 3)
    assert s["lead_median_min"] == pytest.approx(12.5)


def test_summary_of_nothing_has_no_shares():
    s = match.summary([], [])
    assert s["ahead_share"] is None and s["never_share"] is None
    assert s["lead_median_min"] is None
