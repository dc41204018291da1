"""The public big screen: its figures are the lower apps' own (occupancy, the check-in log, the
published programme, the deals' signed tally) at the screen's instant, in both languages, for
anyone, kept a few seconds for every screen at once."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.db.models import Q
from django.test import Client

from smartexpo.checkin.models import Direction, Reason, Scan, ScanResult
from smartexpo.deals.services.deals import deal_create
from smartexpo.devices.services import device_create
from smartexpo.programme.services.editing import forum_create, session_create
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.reports import screen
from smartexpo.tickets.services.registration import registration_create
from smartexpo.venue import services as venue_services
from smartexpo.venue.models import Expo, Zone, ZoneKind
from tests.checkin.conftest import (
    PRO_DAYS,
    SYNC,
    issue,
    make_types,
    result_of,
    scan,
    scanner_client,
)
from tests.conftest import ApiClient, rid
from tests.deals.test_services import deal_data

pytestmark = pytest.mark.django_db

CST = zoneinfo.ZoneInfo("Asia/Shanghai")
PAGE = "/expos/test-2019/reports/screen/"
PAGE_ZH = "/zh-hans/expos/test-2019/reports/screen/"
DATA = PAGE + "data.json"
TUESDAY_NOON = dt.datetime(2019, 8, 27, 12, 0, tzinfo=CST)


@pytest.fixture(autouse=True)
def fresh_screen():
    screen.forget()
    yield
    screen.forget()


def at(day: int, hour: int, minute: int = 0) -> str:
    return dt.datetime(2019, 8, day, hour, minute, tzinfo=CST).isoformat()


def set_clock(expo, when=TUESDAY_NOON) -> Expo:
    venue_services.demo_clock_set(expo=Expo.objects.get(pk=expo.pk), at=when)
    return Expo.objects.get(pk=expo.pk)


def admissions(expo) -> dict:
    """Visitors at the entrance gate G1 on 26 and 27 August, and one through hall N1's gate."""
    make_types(expo)  # `day`: 26–27 August, the venue; `pro`: every day, the venue and N1
    scanner = scanner_client(expo)
    _t, a = issue(expo)
    _t, b = issue(expo)
    _t, c = issue(expo, days=("2019-08-27",))
    _t, p = issue(expo, code="pro", days=PRO_DAYS)
    _t, q = issue(expo, code="pro", days=PRO_DAYS)
    _t, late = issue(expo, days=("2019-08-26",))
    for secret, gate, direction, when, expected in [
        (a, "G1", "in", at(26, 10), "admit"),
        (a, "G1", "out", at(26, 10, 30), "admit"),
        (a, "G1", "in", at(26, 11), "admit"),  # back in: still one visitor that day
        (b, "G1", "in", at(26, 10, 5), "admit"),
        (b, "G1", "in", at(26, 10, 6), "reject"),  # already inside: refused, not counted
        (p, "G1", "in", at(26, 10, 20), "admit"),
        (c, "G1", "in", at(27, 9, 30), "admit"),
        (p, "G1", "in", at(27, 11), "admit"),  # a new day: a visitor of that day too
        (q, "G-N1", "in", at(27, 11, 5), "admit"),  # straight into a hall: no entrance gate
        (c, "G1", "in", at(27, 13), "reject"),  # after the screen's instant anyway
    ]:
        answer = scan(scanner, secret, gate=gate, direction=direction, at=when)
        assert result_of(answer)[0] == expected
    # Let in offline on a day its pass is not valid: synced as a conflict, a visitor all the same.
    body = {"secret": late, "gate": "G1", "direction": "in", "nonce": "late-1"}
    synced = scanner.post(SYNC, {"scans": [{**body, "scanned_at": at(27, 10)}]})
    assert synced.json()["results"][0]["reason"] == "conflict"
    return {"scanner": scanner}


def sensor_counts(expo, events) -> None:
    _device, token = device_create(
        expo=expo, name="Hall doors", kind="sensor", zones=sorted({e[0] for e in events})
    )
    client = ApiClient(token)
    body = {
        "events": [
            {"id": f"e{i}", "zone": zone, "kind": "enter", "at": when, "count": n}
            for i, (zone, n, when) in enumerate(events)
        ]
    }
    answer = client.post(f"/api/v1/expos/{expo.slug}/venue/events", body)
    assert answer.json()["accepted"] == len(events), answer.content


def programme(expo) -> dict:
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    made = {}
    for key, start, end, title in [
        ("past", (26, 10), (26, 11), "Opening keynote"),
        ("running", (27, 11), (27, 12, 30), "Smart cities"),
        ("next", (27, 14), (27, 15), "AI in manufacturing"),
        ("later", (27, 15, 30), (27, 16, 30), "Digital Silk Road"),
        ("tomorrow", (28, 9, 30), (28, 10, 30), "Connected vehicles"),
    ]:
        made[key], _warnings = session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=title,
            title_zh=f"{title}（中文）",
            starts_at=dt.datetime.fromisoformat(at(*start)),
            ends_at=dt.datetime.fromisoformat(at(*end)),
        )
    programme_publish(expo=expo, actor="test", confirm=True)
    # Not published: never on the screen.
    made["draft"], _w = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Draft session",
        starts_at=dt.datetime.fromisoformat(at(27, 17)),
        ends_at=dt.datetime.fromisoformat(at(27, 18)),
    )
    return made


def scanned_visitors(expo, start: dt.datetime, end: dt.datetime) -> int:
    """The same count as the screen's, by the ORM from the check-in log: tickets let in
    through the gates into the venue (admitted, or admitted offline and synced as a conflict)."""
    return (
        Scan.objects.filter(
            Q(result=ScanResult.ADMIT) | Q(reason=Reason.CONFLICT),
            expo=expo,
            direction=Direction.IN,
            gate__zone__kind=ZoneKind.VENUE,
            scanned_at__gte=start,
            scanned_at__lt=end,
            ticket__isnull=False,
        )
        .values("ticket_id")
        .distinct()
        .count()
    )


def test_the_figures_are_what_the_selectors_and_the_api_say_at_the_screens_instant(
    expo, organizer, anonymous
):
    admissions(expo)
    sensor_counts(expo, [("S1", 300, at(27, 11, 30)), ("N1", 40, at(27, 11, 40))])
    sessions = programme(expo)
    deal_create(expo=expo, data=deal_data(amount="1000.00"))
    deal_create(expo=expo, data=deal_data(amount="2500000.50", at_expo=False))
    set_clock(expo)

    answer = Client().get(DATA)
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/json")
    data = answer.json()
    instant = dt.datetime.fromisoformat(data["clock"]["at"])
    assert dt.timedelta(0) <= instant - TUESDAY_NOON < dt.timedelta(minutes=1)
    assert data["clock"]["source"] == "demo"
    assert data["clock"]["timezone"] == "Asia/Shanghai"
    assert data["clock"]["date"] == "2019-08-27"
    assert data["clock"]["open"] is True

    # Visitors: a, b and p on the 26th; c, p and the synced `late` on the 27th.
    monday = dt.datetime(2019, 8, 26, tzinfo=CST)
    tuesday = dt.datetime(2019, 8, 27, tzinfo=CST)
    assert data["visitors"] == {"today": 3, "total": 6, "day": "2019-08-27"}
    assert data["visitors"]["today"] == scanned_visitors(expo, tuesday, instant)
    assert data["visitors"]["total"] == scanned_visitors(expo, monday, tuesday) + 3

    # Halls: the occupancy API's counts and levels at the same instant.
    occupancy = organizer.get(f"/api/v1/expos/{expo.slug}/venue/occupancy?at={instant.isoformat()}")
    zones = {z["zone"]: z for z in occupancy.json()["zones"]}
    shown = data["halls"]["busiest"] + data["halls"]["quietest"]
    assert [h["zone"] for h in shown] == ["S1", "N1"]  # 300 of 500, then 41 of 500
    for hall in shown:
        row = zones[hall["zone"]]
        assert (hall["count"], hall["capacity"], hall["level"]) == (
            row["count"],
            row["capacity"],
            row["level"],
        )
        assert hall["percent"] == round(100 * row["count"] / row["capacity"])
        assert hall["name"] == row["name"]
    assert zones["N1"]["count"] == 41  # the sensors' 40 and q through the hall's gate
    assert data["halls"]["counted"] == 2

    # Sessions: the public API's published sessions starting from the instant on, in order.
    listed = anonymous.get(f"/api/v1/expos/{expo.slug}/sessions?limit=100").json()["items"]
    coming = [s for s in listed if dt.datetime.fromisoformat(s["starts_at"]) >= instant]
    assert [s["id"] for s in data["sessions"]] == [s["id"] for s in coming]
    assert [s["id"] for s in data["sessions"]] == [
        sessions["next"].pk,
        sessions["later"].pk,
        sessions["tomorrow"].pk,
    ]
    first = data["sessions"][0]
    assert first["title"] == {"en": "AI in manufacturing", "zh": "AI in manufacturing（中文）"}
    assert (first["time"], first["today"], first["room"]) == ("14:00", True, "R1")
    assert first["room_name"] == {"en": "Forum Room 1", "zh": "第一论坛厅"}
    assert (data["sessions"][2]["date"], data["sessions"][2]["today"]) == ("2019-08-28", False)

    # Deals: the public signed tally, as the deals API gives it.
    tally = anonymous.get(f"/api/v1/expos/{expo.slug}/deals/tally").json()
    assert data["deals"]["projects"] == tally["projects"] == 2
    assert data["deals"]["amount"] == tally["amount"] == "2501000.50"
    assert data["deals"]["at_expo"] == tally["at_expo"] == 1
    assert data["deals"]["amount_text"] == "2,501,000.50"

    # The page shows the same figures, server-rendered.
    page = Client().get(PAGE).content.decode()
    assert 'id="visitors-today" data-value="3">3<' in page
    assert 'id="visitors-total" data-value="6">6<' in page
    assert 'data-zone="S1" data-level="A"' in page
    assert "AI in manufacturing" in page
    assert "¥2,501,000.50" in page


def test_a_day_without_the_expo_counts_nobody_today_and_the_edition_so_far(expo):
    admissions(expo)
    data = screen.screen_data(expo=set_clock(expo, dt.datetime(2019, 8, 25, 12, tzinfo=CST)))
    assert data["visitors"] == {"today": 0, "total": 0, "day": "2019-08-25"}
    assert data["clock"]["open"] is False
    screen.forget()
    after = screen.screen_data(expo=set_clock(expo, dt.datetime(2019, 9, 2, 12, tzinfo=CST)))
    assert after["visitors"] == {"today": 0, "total": 6, "day": "2019-09-02"}


def test_the_fullest_and_the_emptiest_halls_by_share_of_capacity(expo):
    # Eight halls of different sizes; a ninth without a capacity is never ranked.
    sizes = {"H1": 100, "H2": 1000, "H3": 400, "H4": 200, "H5": 800, "H6": 50}
    for i, (code, capacity) in enumerate(sizes.items()):
        Zone.objects.create(
            expo=expo,
            code=code,
            kind=ZoneKind.HALL,
            name_en=f"Hall {code}",
            area_m2=2000,
            capacity=capacity,
            position=20 + i,
        )
    Zone.objects.create(
        expo=expo, code="H0", kind=ZoneKind.HALL, name_en="Hall H0", area_m2=100, capacity=0
    )
    counts = {"H1": 90, "H2": 100, "H3": 300, "H4": 10, "H5": 400, "H6": 50, "N1": 0, "H0": 999}
    sensor_counts(expo, [(z, n, at(27, 10)) for z, n in counts.items() if n])
    data = screen.screen_snapshot(expo=set_clock(expo))  # folds the events first
    halls = data["halls"]
    # Shares: H6 1.0, H1 0.9, H3 0.75, H5 0.5, H2 0.1, H4 0.05, N1 0, S1 0 (equal: by code).
    assert [h["zone"] for h in halls["busiest"]] == ["H6", "H1", "H3"]
    assert [h["zone"] for h in halls["quietest"]] == ["N1", "S1", "H4"]
    assert [h["percent"] for h in halls["busiest"]] == [100, 90, 75]
    assert halls["counted"] == 8
    # 999 people on 100 m² is level F, but H0 has no capacity to share.
    assert "H0" not in {h["zone"] for h in halls["busiest"] + halls["quietest"]}
    assert halls["busiest"][2]["level_name"] == {"en": "Free flow", "zh": "自由通行"}


def test_both_languages_render_the_english_address_side_by_side(expo):
    set_clock(expo)
    english = Client().get(PAGE)
    assert english.status_code == 200
    text = english.content.decode()
    assert '<html lang="en">' in text
    for en, zh in [("Visitors today", "今日观众"), ("Next forum sessions", "即将开始的论坛活动")]:
        assert en in text and zh in text
    assert "Demo clock (not the real time)" in text

    chinese = Client().get(PAGE_ZH)
    assert chinese.status_code == 200
    text = chinese.content.decode()
    assert '<html lang="zh-Hans">' in text
    assert "今日观众" in text and "即将开始的论坛活动" in text
    assert "Visitors today" not in text and "Next forum sessions" not in text
    assert '"langs": ["zh"]' in text
    # The page's script polls the same JSON whatever the language.
    assert "/zh-hans/expos/test-2019/reports/screen/data.json" in text


def test_an_unknown_or_unpublished_edition_is_the_sites_404(expo):
    for address in ("/expos/nope/reports/screen/", "/zh-hans/expos/nope/reports/screen/"):
        answer = Client().get(address)
        assert answer.status_code == 404
        assert "web/404.html" in [t.name for t in answer.templates]
    missing = Client().get("/expos/nope/reports/screen/data.json")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    Expo.objects.filter(pk=expo.pk).update(is_published=False)
    assert Client().get(PAGE).status_code == 404
    assert Client().get(DATA).status_code == 404


def test_no_personal_data_on_the_page_or_in_its_json(expo):
    make_types(expo)
    scanner = scanner_client(expo)
    issued = registration_create(
        expo=expo,
        ticket_type="day",
        days=["2019-08-27"],
        name="Zebediah Quillfeather",
        email="zebediah.quillfeather@example.org",
        id_number=rid(77),
        phone="13800138000",
        company="Quillfeather Holdings",
    )
    ticket, secret = issued.tickets[0], issued.secrets[0]
    assert result_of(scan(scanner, secret, at=at(27, 10)))[0] == "admit"
    set_clock(expo)
    planted = [
        "Zebediah",
        "Quillfeather",
        "zebediah.quillfeather@example.org",
        "13800138000",
        rid(77),
        str(ticket.serial),
        secret,
    ]
    for address in (PAGE, PAGE_ZH, DATA):
        answer = Client().get(address)
        assert answer.status_code == 200
        text = answer.content.decode()
        for value in planted:
            assert value not in text, (address, value)
    assert screen.screen_data(expo=Expo.objects.get(pk=expo.pk))["visitors"]["today"] == 1


def test_one_computation_serves_every_screen_for_a_few_seconds(
    expo, django_assert_num_queries, monkeypatch
):
    make_types(expo)
    scanner = scanner_client(expo)
    _t, a = issue(expo, days=("2019-08-27",))
    edition = set_clock(expo)
    first = screen.screen_snapshot(expo=edition)
    assert first["visitors"]["today"] == 0
    with django_assert_num_queries(0):
        assert screen.screen_snapshot(expo=edition) is first
    assert result_of(scan(scanner, a, at=at(27, 11)))[0] == "admit"
    # Kept: the new visitor waits for the next computation…
    assert screen.screen_snapshot(expo=edition)["visitors"]["today"] == 0
    # …which comes once the answer is older than CACHE_SECONDS.
    monkeypatch.setattr(screen, "CACHE_SECONDS", 0.0)
    assert screen.screen_snapshot(expo=edition)["visitors"]["today"] == 1
    monkeypatch.setattr(screen, "CACHE_SECONDS", 60.0)
    # A demo clock moved is another answer at once.
    later = set_clock(expo, dt.datetime(2019, 8, 28, 12, tzinfo=CST))
    assert screen.screen_snapshot(expo=later)["clock"]["date"] == "2019-08-28"
    answer = Client().get(DATA)
    assert answer["Cache-Control"] == "public, max-age=60"


def test_the_days_that_are_over_are_counted_once_a_minute(expo, monkeypatch):
    make_types(expo)
    scanner = scanner_client(expo)
    _t, a = issue(expo)
    _t, b = issue(expo)
    assert result_of(scan(scanner, a, at=at(26, 10)))[0] == "admit"
    edition = set_clock(expo)
    monkeypatch.setattr(screen, "CACHE_SECONDS", 0.0)
    assert screen.screen_snapshot(expo=edition)["visitors"] == {
        "today": 0,
        "total": 1,
        "day": "2019-08-27",
    }
    # An offline admission of the day before, synced late: the total waits for the minute…
    body = {"secret": b, "gate": "G1", "direction": "in", "nonce": "late-b"}
    synced = scanner.post(SYNC, {"scans": [{**body, "scanned_at": at(26, 16)}]})
    assert synced.json()["results"][0]["result"] == "admit"
    assert screen.screen_snapshot(expo=edition)["visitors"]["total"] == 1
    # …while the day under way is counted at every computation.
    assert result_of(scan(scanner, a, at=at(27, 11)))[0] == "admit"
    assert screen.screen_snapshot(expo=edition)["visitors"] == {
        "today": 1,
        "total": 2,
        "day": "2019-08-27",
    }
    monkeypatch.setattr(screen, "PAST_DAYS_SECONDS", 0.0)
    assert screen.screen_snapshot(expo=edition)["visitors"]["total"] == 3


@pytest.mark.django_db(transaction=True)
def test_a_slow_computation_is_redone_on_a_thread_while_screens_get_the_last_one(
    expo, monkeypatch, settings
):
    make_types(expo)
    scanner = scanner_client(expo)
    _t, a = issue(expo, days=("2019-08-27",))
    edition = set_clock(expo)
    monkeypatch.setattr(screen, "CACHE_SECONDS", 3600.0)
    assert Client().get(DATA).json()["visitors"]["today"] == 0
    assert result_of(scan(scanner, a, at=at(27, 11)))[0] == "admit"
    # Every computation counts as slow: the poll that finds the answer out of date is answered
    # the last one at once, and the computation runs on a thread of its own.
    monkeypatch.setattr(screen, "CACHE_SECONDS", 0.0)
    settings.SCREEN_REBUILD_INLINE_SECONDS = 0
    assert Client().get(DATA).json()["visitors"]["today"] == 0
    screen.rebuilds_join(timeout=60)
    monkeypatch.setattr(screen, "CACHE_SECONDS", 3600.0)
    answer = Client().get(DATA).json()
    assert answer["visitors"]["today"] == 1
    # Still nothing personal: the thread's answer is the same public figures.
    assert set(answer) == set(screen.screen_data(expo=edition))
    # A demo clock moved is computed at once, in the request.
    later = set_clock(expo, dt.datetime(2019, 8, 28, 12, tzinfo=CST))
    assert Client().get(DATA).json()["clock"]["date"] == "2019-08-28"
    assert later.clock_offset is not None
