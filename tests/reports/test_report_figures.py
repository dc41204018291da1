"""The post-show report's figures: each equals what the selector or API it is read from answers
for the same instant, on the small test edition (two days of admissions, sensors in the halls
and at Huawei's booth, offline conflicts) and on the forecast's two-edition world."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest

from smartexpo.checkin.selectors import entries_per_gate
from smartexpo.crowd import selectors as crowd
from smartexpo.crowd.periods import MINUTE_US, to_us
from smartexpo.deals import breakdowns
from smartexpo.planning.forecast import attendance_forecast
from smartexpo.reports import dashboard_activity, dashboard_sections, edition, screen
from tests.crowd.conftest import FOOTFALL
from tests.planning import forecast_world
from tests.reports.conftest import DAY1, DAY2, END, at

pytestmark = pytest.mark.django_db


def test_visitors_per_day_are_the_big_screens(show):
    report = edition.edition_report(expo=show, at=END)
    rows = report["visitors"]["days"]
    assert [r["day"] for r in rows] == [d.isoformat() for d in show.days]
    for row in rows:
        day = dt.date.fromisoformat(row["day"])
        last = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=show.tz)
        assert row["visitors"] == screen.visitors(expo=show, at=last)["today"]
    # Day 1: three through G1 (one of them twice); G-N1 admits into a hall, not the venue.
    # Day 2: the G1 admission and the offline one (the conflict is the same ticket again).
    assert [r["visitors"] for r in rows] == [3, 2, 0, 0]
    assert report["visitors"]["total"] == 5
    assert report["visitors"]["previous"] is None
    assert all(r["previous"] is None for r in rows)


def test_a_report_during_the_show_counts_up_to_its_instant(show):
    report = edition.edition_report(expo=show, at=at("09:11:00"))
    assert [r["visitors"] for r in report["visitors"]["days"]] == [2, None, None, None]
    assert report["gates"]["days"] == [DAY1]


def test_arrivals_per_gate_are_the_control_rooms_entries(show):
    section = edition.edition_report(expo=show, at=END)["gates"]
    assert section["days"] == [d.isoformat() for d in show.days]
    tables = [entries_per_gate(expo=show, day=d) for d in show.days]
    by_code = {g["code"]: g for g in section["gates"]}
    for i, table in enumerate(tables):
        for j, gate in enumerate(table.gates):
            assert by_code[gate.code]["days"][i] == table.totals[j]
    assert by_code["G1"]["days"][:2] == [4, 3]  # day 2: online, offline, conflict
    assert by_code["G-N1"]["days"][:2] == [1, 1]
    assert section["total"] == sum(t.total for t in tables) == 9
    # The busiest quarter hour of G1: 09:00 on day 1, three admissions.
    assert (by_code["G1"]["peak"], by_code["G1"]["peak_at"]) == (3, f"{DAY1} 09:00")
    assert by_code["G-N1"]["peak"] == 1


def test_halls_peaks_are_the_footfall_apis_and_their_minutes_cover_the_opening_hours(
    show, organizer
):
    section = edition.edition_report(expo=show, at=END)["halls"]
    rows = {h["code"]: h for h in section["halls"]}
    assert set(rows) == {"N1", "S1"}
    peaks: dict[str, list[tuple[int, str]]] = {"N1": [], "S1": []}
    for day in (d.isoformat() for d in show.days):
        for item in organizer.get(FOOTFALL, {"day": day, "kind": "hall"}).json()["items"]:
            peaks[item["zone"]].append((item["peak"], day))
    for code, row in rows.items():
        top = max(n for n, _day in peaks[code])
        assert row["peak"] == top
        assert row["peak_day"] == min(day for n, day in peaks[code] if n == top)
    # N1: the 1,200 of the sensors and one admitted through its own gate at 10:20.
    assert (rows["N1"]["peak"], rows["N1"]["peak_day"]) == (1201, DAY1)
    assert (rows["S1"]["peak"], rows["S1"]["peak_day"]) == (2500, DAY1)
    assert rows["N1"]["minutes"]["E"] == 20 and rows["N1"]["minutes"]["F"] == 0
    assert rows["S1"]["minutes"]["F"] == 5
    opening_minutes = (show.closes_at.hour - show.opens_at.hour) * 60
    for row in rows.values():
        assert sum(row["minutes"].values()) == opening_minutes * len(show.days)
    # Day 1's minutes at E and F equal the dashboard's at the closing (nothing before 09:00).
    close = dt.datetime.combine(show.starts_on, show.closes_at, tzinfo=show.tz)
    zones = [z for z in crowd.zone_infos(expo_id=show.pk).values() if z.kind == "hall"]
    dashboard = dashboard_sections.hall_level_minutes(expo=show, at=close, halls=zones)
    day1 = edition.halls(expo=show, at=close, footfall=edition.footfall_by_day(expo=show, at=close))
    for hall in day1["halls"]:
        zone = next(z for z in zones if z.code == hall["code"])
        assert hall["minutes"]["E"] == dashboard[zone.id]["E"]
        assert hall["minutes"]["F"] == dashboard[zone.id]["F"]


def test_the_level_minutes_count_nobody_as_level_a_before_the_first_movement(expo):
    zones = [z for z in crowd.zone_infos(expo_id=expo.pk).values() if z.kind == "hall"]
    start = to_us(at("09:00:00")) // MINUTE_US
    found = dashboard_sections.level_minutes(
        period=dt.date(2019, 8, 26), start=start, end=start + 30, halls=zones
    )
    assert all(
        minutes == {"A": 30, "B": 0, "C": 0, "D": 0, "E": 0, "F": 0} for minutes in found.values()
    )


def test_exhibitor_footfall_is_the_footfall_apis_per_booth(show, organizer):
    section = edition.edition_report(expo=show, at=END)["footfall"]
    assert len(section["booths"]) == 1
    booth = section["booths"][0]
    assert (booth["booth"], booth["zone"], booth["exhibitor"]["zh"]) == ("N1-001", "N1-B", "华为")
    visits, seconds = [], 0.0
    for day in section["days"]:
        items = organizer.get(FOOTFALL, {"day": day, "kind": "booth"}).json()["items"]
        item = next(i for i in items if i["zone"] == "N1-B")
        visits.append(item["visits"])
        seconds += (item["mean_dwell_seconds"] or 0) * item["visits"]
    assert booth["days"] == visits
    assert booth["visits"] == sum(visits) == 4
    assert booth["mean_dwell_minutes"] == round(seconds / sum(visits) / 60, 1)


def test_drift_is_the_count_left_at_closing_and_conflicts_are_counted_by_rule(show, organizer):
    quality = edition.edition_report(expo=show, at=END)["quality"]
    drifting = {(r["day"], r["zone"]): r["closing_count"] for r in quality["drift"]["rows"]}
    items = organizer.get(FOOTFALL, {"day": DAY2, "kind": "hall"}).json()["items"]
    s1 = next(i for i in items if i["zone"] == "S1")
    assert drifting[(DAY2, "S1")] == s1["closing_count"] == 40
    assert quality["drift"]["people"] == sum(abs(n) for n in drifting.values())
    sync = quality["sync"]
    assert sync["synced"] == 2 and sync["conflicts"] == 1
    assert [(r["rule"], r["count"]) for r in sync["by_rule"]] == [("already_inside", 1)]


def test_forums_meetings_and_deals_are_the_dashboards_and_the_tallys(show):
    report = edition.edition_report(expo=show, at=END)
    assert report["forums"]["totals"] == dashboard_activity.forums(expo=show, at=END)
    assert report["meetings"] == dashboard_activity.meetings(expo=show, at=END)
    tally = breakdowns.breakdown(expo=show)
    assert report["deals"]["projects"] == tally["projects"]
    assert [g["code"] for g in report["deals"]["by_sector"]] == [
        g["code"] for g in tally["by_sector"]
    ]


def two_editions():
    """The forecast's two-edition world: w-2018 over, w-2019 with its admissions."""
    rng = random.Random(5)
    previous = forecast_world.edition_make("w-2018", dt.date(2018, 8, 23), 3)
    forecast_world.register(previous, rng, 40, 8, 0)
    forecast_world.admit(previous, rng)
    this = forecast_world.edition_make("w-2019", dt.date(2019, 8, 26), 4, previous=previous)
    forecast_world.register(this, rng, 48, 10, 10_000)
    forecast_world.admit(this, rng)
    return previous, this


def test_visitors_against_the_eves_forecast_and_the_previous_edition(db, taxonomy, fresh_reports):
    previous, this = two_editions()
    report = edition.edition_report(expo=this, at=at("00:00:00", "2019-08-30"))
    section = report["visitors"]

    eve = dt.datetime(2019, 8, 26, tzinfo=this.tz)
    assert section["forecast_as_of"] == eve.isoformat()
    forecast = attendance_forecast(expo=this, as_of=eve)
    for row, day in zip(section["days"], forecast.days, strict=True):
        assert row["forecast"] == round(day.admissions.mid)
        assert (row["forecast_low"], row["forecast_high"]) == (
            round(day.admissions.low),
            round(day.admissions.high),
        )
    theirs = edition.visitors_per_day(expo=previous, at=at("00:00:00", "2018-08-26"))
    assert [r["previous"] for r in section["days"]] == [*theirs, None]
    assert section["previous_total"] == sum(theirs) > 0
    assert section["previous"]["slug"] == "w-2018"
    assert section["total"] == sum(r["visitors"] for r in section["days"]) > 0


@pytest.mark.django_db(transaction=True)  # committed: the section's own connection sees it
def test_outside_a_transaction_the_visitors_are_counted_beside_the_other_sections(
    taxonomy, fresh_reports, monkeypatch
):
    _previous, this = two_editions()
    threads: list[str] = []
    real = edition._visitors_beside

    def recorded(*args):
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(edition, "_visitors_beside", recorded)
    end = at("00:00:00", "2019-08-30")
    report = edition.edition_report(expo=this, at=end)
    assert len(threads) == 1 and threads[0] != threading.main_thread().name
    assert report["visitors"] == edition.visitors(expo=this, at=end)
    assert report["visitors"]["total"] > 0 and report["visitors"]["previous_total"] > 0
