"""Predicted crowd alerts: the forecast's arithmetic on constructed histories, the same
hysteresis as live alerts, the day pattern and its fallbacks, and no peeking at later
movements (docs/crowd-prediction.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from smartexpo.crowd import predict
from smartexpo.crowd.fold import Movements, movements_fold
from smartexpo.crowd.periods import to_us
from smartexpo.venue.models import Zone, ZoneKind

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DAY1 = dt.date(2019, 8, 26)
DAY2 = dt.date(2019, 8, 27)


def t(clock: str, day: dt.date = DAY1) -> dt.datetime:
    """A local instant of the test edition (Shanghai, no daylight saving)."""
    return dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=SHANGHAI)


def fold_moves(expo, moves: list[tuple[str, dt.datetime, int]]) -> None:
    """Fold movements (zone code, instant, ± people) into the edition's history, as the
    sensors' path does."""
    codes = {z.code: z.pk for z in Zone.objects.filter(expo=expo)}
    with transaction.atomic():
        movements_fold(
            expo=expo,
            moves=Movements.of(
                [codes[z] for z, _at, _d in moves],
                [to_us(a) for _z, a, _d in moves],
                [d for _z, _a, d in moves],
            ),
        )


def rising(zone: str, start: dt.datetime, minutes: int, per_minute: int):
    """`per_minute` people entering `zone` at each of `minutes` whole minutes from `start`."""
    return [(zone, start + dt.timedelta(minutes=m), per_minute) for m in range(minutes)]


def only(alerts, zone="S1"):
    return [a for a in alerts if a.zone.code == zone]


def test_a_rising_hall_is_predicted_with_the_minutes_to_its_threshold(expo):
    # Hall S1: capacity 500 (threshold 500, clears at 450). Ten people a minute from 10:00
    # reach 500 at 10:49; the count at the boundary 10:m is 10 × m (movements strictly before
    # it), the trend over the last 30 minutes 10m / 30 until 10:30. At 10:25, 250 + 30 × 250 / 30
    # = 500: raised, expected at 10:55. From 10:30 the trend is 10 a minute.
    fold_moves(expo, rising("S1", t("10:00:00"), 50, 10))
    fold_moves(expo, [("S1", t("11:30:00"), -100)])  # 400 ≤ 450: the prediction clears
    [alert] = predict.predicted_alerts(expo=expo, day=DAY1)
    assert alert.zone.code == "S1" and alert.basis == predict.BASIS_TREND
    assert alert.raised_at == t("10:25:00")
    assert alert.expected_at == t("10:55:00")
    assert alert.lead_minutes == 30
    assert alert.cleared_at == t("11:31:00") and not alert.ended_by_reset
    # The state at 10:35:40: the prediction of 10:35 expects 500 in 15 minutes.
    [now] = predict.predicted_at(expo=expo, at=t("10:35:40"))
    assert now.active and now.cleared_at is None
    assert now.raised_at == t("10:25:00") and now.expected_at == t("10:55:00")
    assert now.minutes_to_threshold == 15
    assert now.forecast_peak == 350 + 30 * 10
    # Reached: 0 minutes to the threshold while the hall is at it.
    assert predict.predicted_at(expo=expo, at=t("11:00:00"))[0].minutes_to_threshold == 0
    # Not yet raised at 10:24:59.
    assert predict.predicted_at(expo=expo, at=t("10:24:59")) == []


def test_a_flat_hall_raises_no_predicted_alert(expo):
    # Halls filled slowly (no trend that would reach 500 within 30 minutes), then flat.
    fold_moves(expo, rising("N1", t("08:00:00"), 60, 5) + rising("S1", t("06:00:00"), 200, 2))
    assert predict.predicted_alerts(expo=expo, day=DAY1) == []
    forecast = predict.day_forecast(expo=expo, day=DAY1)
    three = list(forecast.minutes).index(to_us(t("15:00:00")) // 60_000_000)
    # A flat count is forecast flat: the highest forecast is the count itself.
    assert forecast.counts[:, three].tolist() == [300, 400]
    assert forecast.peak[:, three].tolist() == [300, 400]


def test_the_prediction_has_the_live_hysteresis_and_does_not_flap(expo):
    # Up to 480 quickly (predicted), then hovering between 455 and 485 for an hour: the
    # forecast keeps dipping below the threshold but never to 450, so the one predicted alert
    # stays raised; falling to 440 clears it, and hovering again below 500 raises nothing.
    moves = rising("S1", t("10:00:00"), 12, 40)
    for m in range(60):
        moves.append(("S1", t("10:15:00") + dt.timedelta(minutes=m), -25 if m % 2 else 25))
    moves.append(("S1", t("11:20:00"), -40))  # 480 → 440 (moves net to zero until then)
    for m in range(30):
        moves.append(("S1", t("11:30:00") + dt.timedelta(minutes=m), 20 if m % 2 else -20))
    fold_moves(expo, moves)
    forecast = predict.day_forecast(expo=expo, day=DAY1)
    k = [z.code for z in forecast.halls].index("S1")
    hovering = (forecast.minutes >= to_us(t("10:20:00")) // 60_000_000) & (
        forecast.minutes < to_us(t("11:20:00")) // 60_000_000
    )
    # Without hysteresis it would flap: the forecast is below the threshold at some minutes.
    assert (forecast.peak[k][hovering] < 500).any()
    assert forecast.peak[k][hovering].min() > 450
    [alert] = predict.predicted_alerts(expo=expo, day=DAY1)
    assert alert.raised_at < t("10:12:00")
    assert alert.cleared_at == t("11:21:00")


def test_the_days_pattern_predicts_a_surge_the_trend_cannot_see(expo):
    # Day 1: 100 people in S1 from 09:00, 400 more at 10:30 (live alert). Day 2: the same 100
    # and no trend at all; the pattern says +400 half an hour ahead of 10:31.
    day1 = [("S1", t("09:00:00"), 100), ("S1", t("10:30:00"), 400), ("S1", t("12:00:00"), -500)]
    fold_moves(expo, day1)
    fold_moves(expo, [("S1", t("09:00:00", DAY2), 100)])
    [alert] = predict.predicted_alerts(expo=expo, day=DAY2)
    assert alert.basis == predict.BASIS_EDITION
    assert alert.raised_at == t("10:01:00", DAY2)
    assert alert.expected_at == t("10:31:00", DAY2)
    # The surge never came on day 2: the pattern's own fall clears it by 12:01.
    assert alert.cleared_at is not None and alert.cleared_at <= t("12:01:00", DAY2)


def test_the_first_day_falls_back_to_the_previous_editions_pattern(expo, other_expo):
    expo.previous = other_expo
    expo.save()
    Zone.objects.create(
        expo=other_expo,
        code="S1",
        kind=ZoneKind.HALL,
        name_en="Hall S1",
        name_zh="S1馆",
        area_m2=Decimal(1000),
        capacity=500,
    )
    last_year = dt.date(2018, 8, 24)
    fold_moves(
        other_expo,
        [("S1", t("09:00:00", last_year), 100), ("S1", t("10:30:00", last_year), 400)],
    )
    fold_moves(expo, [("S1", t("09:00:00"), 100)])
    [alert] = predict.predicted_alerts(expo=expo, day=DAY1)
    assert alert.basis == predict.BASIS_PREVIOUS
    assert (alert.raised_at, alert.expected_at) == (t("10:01:00"), t("10:31:00"))
    # Without a previous edition: the trend alone, which sees nothing coming.
    expo.previous = None
    expo.save()
    assert predict.predicted_alerts(expo=expo, day=DAY1) == []


def test_no_peeking_later_movements_never_change_an_earlier_prediction(expo):
    fold_moves(expo, rising("S1", t("10:00:00"), 30, 10))
    before = predict.day_forecast(
        expo=expo, day=DAY1, until_minute=to_us(t("10:30:00")) // 60_000_000
    )
    state = predict.predicted_at(expo=expo, at=t("10:30:59"))
    # A movement at 10:30:00 exactly, and a surge afterwards: neither is before the boundary
    # 10:30, so neither changes what was predicted at or before it.
    fold_moves(expo, [("S1", t("10:30:00"), 200), *rising("S1", t("10:31:00"), 20, 30)])
    after = predict.day_forecast(
        expo=expo, day=DAY1, until_minute=to_us(t("10:30:00")) // 60_000_000
    )
    assert (before.peak == after.peak).all() and (before.alert == after.alert).all()
    assert predict.predicted_at(expo=expo, at=t("10:30:59")) == state
    # The whole day replayed gives the same answers at every minute as the instant's own.
    whole = predict.day_forecast(expo=expo, day=DAY1)
    n = len(after.minutes)
    assert (whole.peak[:, :n] == after.peak).all()
    assert (whole.alert[:, :n] == after.alert).all()
    for clock in ("10:25:00", "10:40:30", "11:10:00"):
        instant = t(clock)
        replayed = [
            (a.zone.code, a.raised_at, a.expected_at)
            for a in predict.predicted_alerts(expo=expo, day=DAY1)
            if a.raised_at <= instant
        ]
        live = [
            (a.zone.code, a.raised_at, a.expected_at)
            for a in predict.predicted_at(expo=expo, at=instant)
        ]
        assert live == replayed


def test_the_nightly_reset_ends_a_predicted_alert_at_closing(expo):
    fold_moves(expo, rising("S1", t("17:00:00"), 50, 10))
    [alert] = predict.predicted_alerts(expo=expo, day=DAY1)
    assert alert.ended_by_reset and alert.cleared_at == t("18:00:00")
    [now] = predict.predicted_at(expo=expo, at=t("18:00:00"))
    assert now.ended_by_reset
    assert predict.predicted_at(expo=expo, at=t("18:00:01")) == []  # the next period


def test_live_alerts_do_not_count_as_predicted(expo):
    # A hall that jumps to its capacity in one movement has a live alert; the prediction made
    # before saw nothing coming, and a hall at its threshold raises no predicted alert.
    fold_moves(expo, [("S1", t("10:00:00"), 500), ("S1", t("10:10:00"), -500)])
    assert predict.predicted_alerts(expo=expo, day=DAY1) == []


def test_days_outside_the_edition_are_not_forecast(expo):
    # The pattern of the edition's days would otherwise predict crowds after it.
    after = dt.date(2019, 8, 30)
    fold_moves(expo, [("S1", t("09:00:00"), 100), ("S1", t("10:30:00"), 400)])
    fold_moves(expo, [("S1", t("09:00:00", DAY2), 100), ("S1", t("09:00:00", after), 100)])
    assert predict.predicted_alerts(expo=expo, day=DAY2) != []  # in the edition: predicted
    assert predict.predicted_alerts(expo=expo, day=after) == []
    assert predict.predicted_at(expo=expo, at=t("10:10:00", after)) == []


def test_a_late_movement_on_a_pattern_day_is_in_the_next_answer(expo):
    # The pattern days' counts are kept per process while their totals hold still: a surge
    # folded later into day 1 (another process's fold, say) is in the next day-2 answer.
    fold_moves(expo, [("S1", t("09:00:00"), 100), ("S1", t("09:00:00", DAY2), 100)])
    assert predict.predicted_alerts(expo=expo, day=DAY2) == []
    fold_moves(expo, [("S1", t("10:30:00"), 400)])
    [alert] = predict.predicted_alerts(expo=expo, day=DAY2)
    assert alert.raised_at == t("10:01:00", DAY2)


def test_the_pattern_days_are_read_once_for_every_instant_of_a_day(expo, monkeypatch):
    # The page and the API ask for a new instant every minute: the pattern days' minutes are
    # read for the first and kept for the others, while their totals hold still.
    fold_moves(expo, [("S1", t("09:00:00"), 100), ("S1", t("09:00:00", DAY2), 100)])
    predict._pattern_counts.clear()
    read = []
    minute_counts = predict.queries.minute_counts

    def spy(zone_ids, period, before):
        read.append(period)
        return minute_counts(zone_ids, period, before)

    monkeypatch.setattr(predict.queries, "minute_counts", spy)
    for clock in ("10:00:00", "10:01:00", "14:30:00"):
        predict.predicted_at(expo=expo, at=t(clock, DAY2))
    assert read.count(DAY1) == 1
    assert read.count(DAY2) == 3


def test_skipping_the_quiet_night_changes_no_prediction(expo, monkeypatch):
    """The minutes before anything can be forecast are not computed (docs/crowd-prediction.md,
    "Cost"): the alerts and the forecast of every later minute are those of the whole period."""
    day1 = [("S1", t("09:00:00"), 100), ("S1", t("10:30:00"), 400), ("S1", t("12:00:00"), -500)]
    fold_moves(expo, day1)
    fold_moves(expo, [("S1", t("09:00:00", DAY2), 100), ("N1", t("09:40:00", DAY2), 450)])
    quick = predict.day_forecast(expo=expo, day=DAY2)
    quick_alerts = predict.predicted_alerts(expo=expo, day=DAY2)
    monkeypatch.setattr(predict, "_quiet_minutes", lambda *args: 0)
    whole = predict.day_forecast(expo=expo, day=DAY2)
    assert len(quick.minutes) < len(whole.minutes) / 2  # the night was skipped
    skipped = len(whole.minutes) - len(quick.minutes)
    assert not whole.peak[:, :skipped].any() and not whole.alert[:, :skipped].any()
    assert (whole.minutes[skipped:] == quick.minutes).all()
    assert (whole.peak[:, skipped:] == quick.peak).all()
    assert (whole.alert[:, skipped:] == quick.alert).all()
    assert predict.predicted_alerts(expo=expo, day=DAY2) == quick_alerts
    assert len(quick_alerts) >= 1
    # Before anything moved, nothing is computed and nothing predicted.
    monkeypatch.undo()
    assert predict.predicted_at(expo=expo, at=t("08:00:00", DAY2)) == []
