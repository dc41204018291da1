"""The post-show report's test edition: two days of the small test edition's show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from smartexpo.deals import breakdowns
from smartexpo.reports import screen
from smartexpo.venue.models import Booth, Zone
from tests.checkin.conftest import SYNC, issue, make_types, result_of, scan, scanner_client
from tests.crowd.conftest import ev, fold, huawei_booth_visits, post

TZ = "+08:00"
DAY1, DAY2 = "2019-08-26", "2019-08-27"


def at(clock: str, day: str = DAY1) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}{TZ}")


END = at("00:00:00", "2019-08-30")  # after the edition's last day
TEN = dt.datetime(2019, 8, 26, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def fresh_reports():
    screen.forget()
    breakdowns.forget()
    yield
    screen.forget()


@pytest.fixture
def sensor(expo):
    from smartexpo.devices.services import device_create
    from tests.conftest import ApiClient

    _device, token = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    return ApiClient(token)


def crowd_in(sensor, zone: str, kind: str, people: int, when: str, day: str = DAY1) -> None:
    events = []
    while people > 0:
        n = min(people, 100)
        events.append(ev(zone, kind, f"{day}T{when}{TZ}", n))
        people -= n
    post(sensor, events)


@pytest.fixture
def show(expo, sensor, fresh_reports):
    """Two days of the test edition: admissions at both gates (a re-entry, an offline
    conflict), hall N1 at level E for 20 minutes and S1 at F for 5, Huawei's booth visited,
    and hall S1 left with people at closing on day 2 (drift)."""
    make_types(expo)
    Booth.objects.filter(code="N1-001").update(zone=Zone.objects.get(code="N1-B"))
    scanner = scanner_client(expo)
    secrets = []
    plan = [
        (DAY1, "G1", "09:05:00"),
        (DAY1, "G1", "09:10:00"),
        (DAY1, "G1", "09:12:00"),
        (DAY1, "G-N1", "10:20:00"),
        (DAY2, "G1", "11:01:00"),
        (DAY2, "G-N1", "11:50:00"),
    ]
    for day, gate, clock in plan:
        _ticket, secret = issue(expo, code="pro", days=[d.isoformat() for d in expo.days])
        secrets.append(secret)
        answer = scan(scanner, secret, gate=gate, at=f"{day}T{clock}{TZ}")
        assert result_of(answer)[0] == "admit", answer.content
    # The first visitor goes out and in again on day 1: one visitor, two entries.
    scan(scanner, secrets[0], gate="G1", direction="out", at=f"{DAY1}T12:00:00{TZ}")
    scan(scanner, secrets[0], gate="G1", at=f"{DAY1}T13:00:00{TZ}")
    # Offline on day 2: the second visitor admitted twice in a row (already inside): a conflict.
    items = [
        {
            "secret": secrets[1],
            "gate": "G1",
            "direction": "in",
            "nonce": f"o{i}",
            "scanned_at": f"{DAY2}T10:0{i}:00{TZ}",
        }
        for i in range(2)
    ]
    synced = scanner.post(SYNC, {"scans": items})
    assert synced.status_code == 200
    assert [r.get("reason") for r in synced.json()["results"]] == [None, "conflict"]

    crowd_in(sensor, "N1", "enter", 1200, "10:00:30")
    crowd_in(sensor, "N1", "exit", 1200, "10:20:30")
    crowd_in(sensor, "S1", "enter", 2500, "10:10:30")
    crowd_in(sensor, "S1", "exit", 2500, "10:15:30")
    crowd_in(sensor, "S1", "enter", 300, "11:00:00", DAY2)
    crowd_in(sensor, "S1", "exit", 260, "16:00:00", DAY2)  # 40 still counted at closing
    post(sensor, huawei_booth_visits())
    fold()
    return expo


# --- the exhibitor report: three exhibitors of one hall and one sector ----------------------

# What another exhibitor's report must never show of ZTE and Lenovo (and of a visitor).
ZTE = {"name_en": "ZTE Zhongxing", "name_zh": "中兴通讯", "booth": "N1-002", "zone": "N1-C"}
LENOVO = {"name_en": "Lenovo Lianxiang", "name_zh": "联想集团", "booth": "N1-003", "zone": "N1-D"}


@pytest.fixture
def exhibitors_show(show):
    """The show, with ZTE and Lenovo next to Huawei in hall N1 and in its sector, each with
    a counted booth zone: ZTE visited twice on day 1 at 14:00, Lenovo four times on day 2 at
    15:00. Leads: Huawei two (rated 5 and 3), ZTE one (rated 4, with a note), Lenovo none.
    Huawei's meetings: one held, one with one side only, one cancelled. A published session
    with a speaker from Huawei and one from ZTE."""
    from smartexpo.devices.services import device_create
    from smartexpo.exhibitors.models import ExhibitorStatus
    from smartexpo.exhibitors.services import booth_assign, exhibitor_create
    from smartexpo.meetings.models import RequestStatus
    from smartexpo.programme.services.editing import forum_create, session_create, speaker_create
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.venue.models import ZoneKind
    from tests.conftest import ApiClient
    from tests.leads.conftest import visitor
    from tests.meetings.checkin_world import meeting, participant, session

    expo = show
    huawei = expo.test_exhibitors["huawei"]
    hall = expo.test_halls["N1"]
    for firm in (ZTE, LENOVO):
        zone = Zone.objects.create(
            expo=expo, code=firm["zone"], kind=ZoneKind.BOOTH, hall=hall,
            name_en="Booth area", name_zh="展位区", area_m2=36, capacity=20, position=12,
        )  # fmt: skip
        Booth.objects.filter(expo=expo, code=firm["booth"]).update(zone=zone)
        made = exhibitor_create(
            expo=expo, slug=firm["name_en"].split()[0].lower(), name_en=firm["name_en"],
            name_zh=firm["name_zh"], sector=huawei.sector, status=ExhibitorStatus.APPROVED,
        )  # fmt: skip
        booth_assign(booth=Booth.objects.get(expo=expo, code=firm["booth"]), exhibitor=made)
        expo.test_exhibitors[made.slug] = made
    _device, token = device_create(
        expo=expo, name="Booths C and D", kind="sensor", zones=[ZTE["zone"], LENOVO["zone"]]
    )
    booths = ApiClient(token)
    post(booths, [ev(ZTE["zone"], "enter", f"{DAY1}T14:00:00{TZ}", 2)])
    post(booths, [ev(ZTE["zone"], "exit", f"{DAY1}T14:30:00{TZ}", 2)])
    post(booths, [ev(LENOVO["zone"], "enter", f"{DAY2}T15:10:00{TZ}", 4)])
    post(booths, [ev(LENOVO["zone"], "exit", f"{DAY2}T15:20:00{TZ}", 4)])
    fold()

    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create

    def lead(slug: str, rating: int, note: str = "") -> None:
        _t, raw = token_create(
            role=Role.EXHIBITOR, name="Staff", exhibitor=expo.test_exhibitors[slug]
        )
        person = visitor(expo, name=f"Visitor of {slug} Secretname")
        answer = ApiClient(raw).post(
            "/api/v1/expos/test-2019/leads",
            {
                "secret": person.secret,
                "rating": rating,
                "note": note,
                "captured_at": f"{DAY1}T12:00:00{TZ}",
            },
        )
        assert answer.status_code in (200, 201), answer.content

    lead("huawei", 5)
    lead("huawei", 3)
    lead("zte", 4, "ZTE private note about a buyer")

    sess = session(expo)
    mine = participant(expo, exhibitor=huawei)
    others = [participant(expo, registration=visitor(expo).registration) for _ in range(3)]
    held = meeting(sess, mine, others[0], slot=3, table=1)
    held.a_checked_in_at = held.b_checked_in_at = held.starts_at
    held.save()
    one_side = meeting(sess, mine, others[1], slot=4, table=1)
    one_side.a_checked_in_at = one_side.starts_at
    one_side.save()
    cancelled = meeting(sess, others[2], mine, slot=5, table=1)
    cancelled.request.status = RequestStatus.CANCELLED
    cancelled.request.save()

    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    ours = speaker_create(expo=expo, name_en="Mei Ling", name_zh="美玲", affiliation_en=" huawei ")
    theirs = speaker_create(
        expo=expo, name_en="Zhou Secretspeaker", name_zh="周秘", affiliation_en=ZTE["name_en"]
    )
    for title, speaker, hour in (("5G for factories", ours, 10), ("Routers at scale", theirs, 14)):
        session_create(
            expo=expo, forum="main", room="R1", title_en=title, title_zh=f"{title}（中文）",
            starts_at=at(f"{hour}:00:00"), ends_at=at(f"{hour}:45:00"), format="talk",
            speakers=[speaker.pk],
        )  # fmt: skip
    programme_publish(expo=expo, actor="test", confirm=True)
    return expo


def signed_in(username: str, **flags) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-for-tests", **flags)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def organiser(db) -> Client:
    return signed_in("ops", is_staff=True)


@pytest.fixture
def on_day_one(expo):
    """The edition's demo clock at 10:00 on its first day."""
    expo.clock_offset = TEN - timezone.now()
    expo.save()
    return expo
