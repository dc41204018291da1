"""The organiser's dashboard, section by section: each figure is the figure of the selector or
API the section links to, for the same instant, on the small test edition."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from smartexpo.checkin.selectors import entries_per_gate
from smartexpo.crowd import live
from smartexpo.crowd import selectors as crowd
from smartexpo.crowd.levels import level_of
from smartexpo.deals import selectors as deals
from smartexpo.leads.models import Lead
from smartexpo.planning import queries as planning_queries
from smartexpo.reports import dashboard_cache, dashboard_sections
from smartexpo.reports.dashboard_cache import dashboard_payload
from smartexpo.tickets.models import DayQuota, TicketDay
from smartexpo.venue.models import Expo
from tests.checkin.conftest import issue, make_types, result_of, scan, scanner_client
from tests.conftest import ApiClient
from tests.crowd.conftest import ev, fold, post
from tests.planning import forecast_world

pytestmark = pytest.mark.django_db

TZ = "+08:00"


def at(clock: str, day: str = "2019-08-26") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}{TZ}")


@pytest.fixture(autouse=True)
def fresh_dashboard():
    dashboard_cache.forget()
    yield
    dashboard_cache.forget()


@pytest.fixture
def sensor(expo):
    from smartexpo.devices.services import device_create

    _device, token = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    return ApiClient(token)


def crowd_in(sensor, zone: str, kind: str, people: int, when: str) -> None:
    """`people` movements into or out of a zone at one instant (events of at most 100)."""
    events = []
    while people > 0:
        n = min(people, 100)
        events.append(ev(zone, kind, f"2019-08-26T{when}{TZ}", n))
        people -= n
    post(sensor, events)


# --- registrations against the quotas -----------------------------------------------------------


def test_registrations_are_the_quotas_issued_and_sizes_per_type_and_day(expo):
    types = make_types(expo)
    for _ in range(3):
        issue(expo, code="day", days=("2019-08-26",))
    issue(expo, code="day", days=("2019-08-26", "2019-08-27"))
    issue(expo, code="pro", days=[d.isoformat() for d in expo.days])
    section = dashboard_payload(expo=expo, at=at("10:00:00"))["registrations"]

    assert section["days"] == [d.isoformat() for d in expo.days]
    by_code = {row["code"]: row for row in section["types"]}
    assert set(by_code) == {"day", "pro"}
    for code, tt in types.items():
        quotas = {q.day: q for q in DayQuota.objects.filter(ticket_type=tt)}
        for day, cell in zip(expo.days, by_code[code]["cells"], strict=True):
            quota = quotas.get(day)
            if quota is None:
                assert cell is None
            else:
                assert (cell["sold"], cell["size"]) == (quota.sold, quota.size)
    day_row = by_code["day"]
    assert [c["sold"] if c else None for c in day_row["cells"]] == [4, 1, None, None]
    assert day_row["sold"] == 5 and day_row["size"] == 200
    assert [c["sold"] for c in section["totals"]] == [5, 2, 1, 1]
    assert section["total"]["sold"] == sum(q.sold for q in DayQuota.objects.all())
    assert section["totals"][0]["percent"] == round(100 * 5 / (100 + 5000))


def test_the_registrations_match_what_the_ticket_types_api_says_is_available(expo, organizer):
    make_types(expo)
    issue(expo, code="day", days=("2019-08-27",))
    listed = organizer.get(f"/api/v1/expos/{expo.slug}/ticket-types").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    section = dashboard_payload(expo=expo, at=at("10:00:00"))["registrations"]
    rows = {row["code"]: row for row in section["types"]}
    for item in items:
        for day, cell in zip(section["days"], rows[item["code"]]["cells"], strict=True):
            if day in item["available"]:
                assert cell["size"] - cell["sold"] == item["available"][day]


# --- the booking curve -------------------------------------------------------------------------


@pytest.fixture
def world(db, taxonomy):
    rng = random.Random(3)
    previous = forecast_world.edition_make("w-2018", dt.date(2018, 8, 23), 3)
    forecast_world.register(previous, rng, 30, 6, 0)
    edition = forecast_world.edition_make("w-2019", dt.date(2019, 8, 26), 4, previous=previous)
    forecast_world.register(edition, rng, 36, 7, 10_000)
    return previous, edition


def ticket_days_booked(expo: Expo, until: dt.datetime) -> int:
    return TicketDay.objects.filter(expo=expo, valid=True, ticket__created_at__lte=until).count()


def ticket_days_booked_before(expo: Expo, before: dt.datetime) -> int:
    return TicketDay.objects.filter(expo=expo, valid=True, ticket__created_at__lt=before).count()


def test_the_booking_curve_is_the_forecasts_bookings_against_the_previous_edition(world):
    previous, edition = world
    opening = dashboard_sections.opening(edition)
    instant = opening - dt.timedelta(days=10, hours=3)
    section = dashboard_payload(expo=edition, at=instant)["bookings"]

    assert section["lead"] == 10
    rows = planning_queries.bookings(expo_id=edition.pk, opening=opening, until=instant)
    assert section["booked"] == sum(n for *_rest, n in rows)
    assert section["booked"] == ticket_days_booked(edition, instant)
    assert 0 < section["booked"] < TicketDay.objects.filter(expo=edition, valid=True).count()

    # The previous edition at the same distance from its own opening.
    theirs = dashboard_sections.opening(previous)
    # Booked 10 or more whole days before it: before its opening less 10 days.
    assert section["previous"]["slug"] == "w-2018"
    then = theirs - dt.timedelta(days=10)
    assert section["previous"]["booked"] == ticket_days_booked_before(previous, then)
    assert (
        section["previous"]["final"] == TicketDay.objects.filter(expo=previous, valid=True).count()
    )
    assert section["ratio"] == round(100 * section["booked"] / section["previous"]["booked"])
    chart = section["chart"]
    assert chart["mine"] and chart["previous"]


def test_an_edition_without_a_previous_one_shows_its_own_curve_alone(world):
    previous, _edition = world
    section = dashboard_payload(expo=previous, at=dashboard_sections.opening(previous))["bookings"]
    assert section["previous"] is None and section["ratio"] is None
    assert section["booked"] == TicketDay.objects.filter(expo=previous, valid=True).count()
    assert section["chart"]["previous"] == ""


def test_a_lead_is_floored_as_the_bookings_query_floors_it():
    opening = dt.datetime(2019, 8, 26, 9, tzinfo=dt.UTC)
    assert dashboard_sections.lead_days(opening, opening - dt.timedelta(minutes=1)) == 0
    assert dashboard_sections.lead_days(opening, opening) == -1
    assert dashboard_sections.lead_days(opening, opening - dt.timedelta(days=1)) == 0
    assert dashboard_sections.lead_days(opening, opening - dt.timedelta(days=1, seconds=1)) == 1


# --- today's admissions --------------------------------------------------------------------------


def test_admissions_are_the_control_rooms_entries_per_gate_and_quarter_hour(expo):
    make_types(expo)
    scanner = scanner_client(expo)
    plan = [("G1", "10:05:00"), ("G1", "10:10:00"), ("G-N1", "10:20:00"), ("G1", "11:59:00")]
    for gate, clock in plan:
        _ticket, secret = issue(expo, code="pro", days=[d.isoformat() for d in expo.days])
        answer = scan(scanner, secret, gate=gate, at=f"2019-08-26T{clock}{TZ}")
        assert result_of(answer)[0] == "admit", answer.content
    section = dashboard_payload(expo=expo, at=at("12:00:00"))["admissions"]

    table = entries_per_gate(expo=expo, day=dt.date(2019, 8, 26))
    assert section["day"] == "2019-08-26"
    assert [g["code"] for g in section["gates"]] == [g.code for g in table.gates]
    assert [(r["slot"], r["counts"], r["total"]) for r in section["rows"]] == [
        (f"{start:%H:%M}", counts, total) for start, counts, total in table.rows
    ]
    assert section["total"] == table.total == 4
    column = {g["code"]: i for i, g in enumerate(section["gates"])}
    slots = {r["slot"]: r["counts"] for r in section["rows"]}
    assert slots["10:00"][column["G1"]] == 2
    assert slots["10:15"][column["G1"]] == 0 and slots["10:15"][column["G-N1"]] == 1
    assert slots["11:45"][column["G1"]] == 1


def test_today_is_the_editions_day_in_its_time_zone(expo):
    # 23:30 UTC on the 26th is already the 27th in Shanghai.
    section = dashboard_payload(expo=expo, at=dt.datetime(2019, 8, 26, 23, 30, tzinfo=dt.UTC))
    assert section["admissions"]["day"] == "2019-08-27"


# --- halls -------------------------------------------------------------------------------------


def level_minutes_by_history(expo, zone, start, end) -> dict[str, int]:
    """The minutes at E and F, from the occupancy history sampled at each minute's last µs."""
    points = crowd.occupancy_history(
        expo=expo,
        zone=zone,
        start=start + dt.timedelta(seconds=59, microseconds=999_999),
        end=end,
        step_seconds=60,
    )
    letters = [level_of(p.count, zone.area10) for p in points if p.at < end]
    return {"E": letters.count("E"), "F": letters.count("F")}


def test_every_hall_shows_the_live_pages_count_level_and_its_minutes_at_e_and_f(expo, sensor):
    # Hall N1, 1,000 m²: 1,200 people (1.2 p/m², level E) from 10:00:30 to 10:20:30.
    crowd_in(sensor, "N1", "enter", 1200, "10:00:30")
    crowd_in(sensor, "N1", "exit", 700, "10:20:30")
    # Hall S1, 1,000 m²: 2,500 people (level F) from 10:10:30 to 10:15:30, then 1,100 (E).
    crowd_in(sensor, "S1", "enter", 2500, "10:10:30")
    crowd_in(sensor, "S1", "exit", 1400, "10:15:30")
    fold()
    instant = at("10:30:00")
    section = dashboard_payload(expo=expo, at=instant)["halls"]

    rows = {r["zone"]: r for r in section["halls"]}
    assert set(rows) == {"N1", "S1"}
    shown = {r["zone"]: r for r in live.live_state(expo=expo, chosen=instant).data["zones"]}
    for code, row in rows.items():
        for key in ("count", "capacity", "density", "level", "alert", "colour"):
            assert row[key] == shown[code][key]
    assert (rows["N1"]["count"], rows["N1"]["level"]) == (500, "C")
    assert (rows["S1"]["count"], rows["S1"]["level"]) == (1100, "E")
    assert (rows["N1"]["minutes_e"], rows["N1"]["minutes_f"]) == (20, 0)
    # S1: F for the minutes 10:10 to 10:14, E from 10:15 to 10:29.
    assert (rows["S1"]["minutes_e"], rows["S1"]["minutes_f"]) == (15, 5)

    zones = {z.code: z for z in crowd.zone_infos(expo_id=expo.pk).values()}
    start = at("09:00:00")
    for code, row in rows.items():
        expected = level_minutes_by_history(expo, zones[code], start, instant)
        assert (row["minutes_e"], row["minutes_f"]) == (expected["E"], expected["F"])


def test_minutes_at_e_count_only_the_minutes_ended_by_the_instant(expo, sensor):
    crowd_in(sensor, "N1", "enter", 1200, "10:00:30")
    fold()
    for clock, minutes in (("10:00:45", 0), ("10:01:00", 1), ("10:05:59", 5), ("10:06:00", 6)):
        halls = dashboard_payload(expo=expo, at=at(clock))["halls"]["halls"]
        n1 = next(h for h in halls if h["zone"] == "N1")
        assert n1["minutes_e"] == minutes, clock
    # The next day's count period starts again from nobody.
    halls = dashboard_payload(expo=expo, at=at("10:30:00", "2019-08-27"))["halls"]["halls"]
    assert all(h["count"] == 0 and h["minutes_e"] == 0 for h in halls)


# --- alerts ------------------------------------------------------------------------------------


def test_live_and_predicted_alerts_are_the_live_pages_and_kept_apart(expo, sensor):
    crowd_in(sensor, "N1", "enter", 600, "10:00:30")  # over the safe capacity of 500
    for minute in range(0, 30, 2):  # S1 filling steadily: a trend towards its threshold
        crowd_in(sensor, "S1", "enter", 30, f"10:{minute:02d}:10")
    fold()
    instant = at("10:30:00")
    section = dashboard_payload(expo=expo, at=instant)["alerts"]

    assert section["live"] == live.alerts_out(expo=expo, at=instant)
    assert section["predicted"] == live.predicted_alerts_out(expo=expo, at=instant)
    assert section["live"]["active_count"] == 1
    assert [a["zone"] for a in section["live"]["active"]] == ["N1"]
    assert "N1" not in {a["zone"] for a in section["predicted"]["active"]}


# --- forums, meetings, leads, deals --------------------------------------------------------------


def test_leads_count_those_captured_by_the_instant_and_on_its_day(expo):
    make_types(expo)
    huawei = expo.test_exhibitors["huawei"]
    toyota = expo.test_exhibitors["toyota"]
    times = [
        (huawei, at("16:00:00", "2019-08-25")),
        (huawei, at("10:00:00")),
        (toyota, at("11:00:00")),
        (toyota, at("15:00:00")),  # after the instant
    ]
    for exhibitor, when in times:
        ticket, _secret = issue(expo, code="day")
        Lead.objects.create(
            expo=expo,
            exhibitor=exhibitor,
            registration=ticket.registration,
            serial=ticket.serial,
            captured_at=when,
        )
    section = dashboard_payload(expo=expo, at=at("12:00:00"))["activity"]
    assert section["leads"] == {"total": 3, "today": 2, "exhibitors": 2}


def test_forums_and_meetings_without_a_programme_or_sessions_count_nothing(expo):
    section = dashboard_payload(expo=expo, at=at("12:00:00"))["activity"]
    assert section["forums"]["sessions"] == 0 and section["forums"]["no_shows"] == 0
    assert section["meetings"] == {"scheduled": 0, "ended": 0, "held": 0, "one_side": 0}


def test_the_deals_tally_is_the_signed_tally(expo):
    payload = dashboard_payload(expo=expo, at=at("12:00:00"))
    assert payload["deals"] == deals.tally(expo=expo)
    assert payload["deals"]["projects"] == 0


# --- the clock ---------------------------------------------------------------------------------


def test_by_default_the_dashboard_is_at_the_editions_demo_clock(expo):
    from django.utils import timezone

    expo.clock_offset = at("10:00:00") - timezone.now()
    expo.save()
    payload = dashboard_payload(expo=Expo.objects.get(pk=expo.pk))
    shown = dt.datetime.fromisoformat(payload["at"])
    assert abs(shown - at("10:00:00")) < dt.timedelta(minutes=1)
    assert payload["at"].endswith("+08:00")
    assert payload["admissions"]["day"] == "2019-08-26"


def test_the_level_minutes_of_no_hall_are_none(expo):
    assert dashboard_sections.hall_level_minutes(expo=expo, at=at("10:00:00"), halls=[]) == {}
