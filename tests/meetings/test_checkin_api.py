"""Check-in at a business meeting (docs/meetings-checkin.md): a side scanning the other checks
in both; a table scanner the side it scans; the graces around a slot; refusals."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.meetings.models import Meeting
from smartexpo.tickets.models import Ticket
from smartexpo.venue.models import Booth
from tests.checkin.conftest import make_types
from tests.conftest import ApiClient
from tests.leads.conftest import booth_device, visitor
from tests.meetings.checkin_world import (
    CHECKIN,
    TEN,
    exhibitor_client,
    meeting,
    participant,
    session,
    staff_pass,
    table_scanner,
)

pytestmark = pytest.mark.django_db

AT = (TEN + dt.timedelta(minutes=5)).isoformat()


@pytest.fixture
def world(expo):
    """Huawei meets visitor V at table 4 at 10:00; V meets visitor W at 10:20 at table 4."""
    make_types(expo)
    huawei = expo.test_exhibitors["huawei"]
    v, w = visitor(expo), visitor(expo)
    sess = session(expo)
    ph = participant(expo, exhibitor=huawei)
    pv = participant(expo, registration=v.registration)
    pw = participant(expo, registration=w.registration)
    return {
        "session": sess,
        "huawei": huawei,
        "v": v,
        "w": w,
        "hv": meeting(sess, pv, ph, slot=3, table=4),
        "vw": meeting(sess, pv, pw, slot=4, table=4),
        "ph": ph,
        "pv": pv,
    }


def test_an_exhibitor_scanning_the_visitor_checks_in_both_sides_once(world):
    huawei = exhibitor_client(world["huawei"])
    answer = huawei.post(CHECKIN, {"secret": world["v"].secret, "at": AT})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    hv = world["hv"]
    assert body["request"] == hv.request_id
    assert body["session"] == world["session"].code
    assert (body["table"], body["booth"]) == (4, None)
    refs = [{"exhibitor": world["huawei"].pk}, {"registration": world["v"].registration.pk}]
    assert sorted([body["a"], body["b"]], key=str) == sorted(refs, key=str)
    assert body["a_checked_in"] and body["b_checked_in"]
    first = Meeting.objects.get(pk=hv.pk)
    # Idempotent: a second scan later answers the same and keeps the first instants.
    later = (TEN + dt.timedelta(minutes=8)).isoformat()
    again = huawei.post(CHECKIN, {"secret": world["v"].secret, "at": later})
    assert again.status_code == 200
    assert again.json() == body
    assert Meeting.objects.get(pk=hv.pk).a_checked_in_at == first.a_checked_in_at
    assert Meeting.objects.get(pk=world["vw"].pk).a_checked_in_at is None


def test_a_lead_device_scans_for_its_exhibitor(world, expo):
    _device, tablet = booth_device(expo)
    answer = tablet.post(CHECKIN, {"secret": world["v"].secret, "at": AT})
    assert answer.status_code == 200, answer.content
    assert answer.json()["a_checked_in"] and answer.json()["b_checked_in"]


def test_a_visitor_scanning_a_staff_pass_checks_in_the_exhibitor_meeting(world, expo):
    crew = staff_pass(expo, world["huawei"])
    answer = world["v"].holder.post(CHECKIN, {"secret": crew.secret, "at": AT})
    assert answer.status_code == 200, answer.content
    assert answer.json()["request"] == world["hv"].request_id
    assert answer.json()["a_checked_in"] and answer.json()["b_checked_in"]


def test_visitors_scan_each_other_for_their_meeting(world):
    at = (TEN + dt.timedelta(minutes=25)).isoformat()
    answer = world["w"].holder.post(CHECKIN, {"secret": world["v"].secret, "at": at})
    assert answer.status_code == 200, answer.content
    assert answer.json()["request"] == world["vw"].request_id
    assert answer.json()["a_checked_in"] and answer.json()["b_checked_in"]


def test_the_meeting_on_now_is_chosen_within_the_graces(world):
    huawei = exhibitor_client(world["huawei"])
    secret = world["v"].secret
    # 9 minutes early counts (the grace before is 10); 11 minutes early does not.
    early = huawei.post(
        CHECKIN, {"secret": secret, "at": (TEN - dt.timedelta(minutes=11)).isoformat()}
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "no_meeting_now"
    ok = huawei.post(CHECKIN, {"secret": secret, "at": (TEN - dt.timedelta(minutes=9)).isoformat()})
    assert ok.status_code == 200
    # Ended 6 minutes ago: past the grace after (5).
    late = huawei.post(
        CHECKIN, {"secret": secret, "at": (TEN + dt.timedelta(minutes=26)).isoformat()}
    )
    assert late.json()["error"]["code"] == "no_meeting_now"


def test_a_table_scanner_checks_in_only_the_side_it_scans(world, expo):
    _id, token = table_scanner(world["session"], table=4)
    scanner = ApiClient(token)
    # V has two meetings at table 4: at 10:19 the one running (10:00), not the next (10:20).
    at = (TEN + dt.timedelta(minutes=19)).isoformat()
    answer = scanner.post(CHECKIN, {"secret": world["v"].secret, "at": at})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["request"] == world["hv"].request_id
    v_side = "a" if world["pv"].pk < world["ph"].pk else "b"
    other = "b" if v_side == "a" else "a"
    assert body[f"{v_side}_checked_in"] and not body[f"{other}_checked_in"]
    # The exhibitor's side: by a staff pass of Huawei.
    crew = staff_pass(expo, world["huawei"])
    answer = scanner.post(CHECKIN, {"secret": crew.secret, "at": at})
    assert answer.status_code == 200, answer.content
    assert answer.json()["a_checked_in"] and answer.json()["b_checked_in"]


def test_a_table_scanner_of_another_table_or_session_finds_no_meeting(world, expo):
    _id, token = table_scanner(world["session"], table=5)
    answer = ApiClient(token).post(CHECKIN, {"secret": world["v"].secret, "at": AT})
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "no_meeting_now"
    _id, token = table_scanner(session(expo))
    answer = ApiClient(token).post(CHECKIN, {"secret": world["v"].secret, "at": AT})
    assert answer.json()["error"]["code"] == "no_meeting_now"
    # A scanner of the whole area (no table) finds it.
    _id, token = table_scanner(world["session"])
    assert (
        ApiClient(token).post(CHECKIN, {"secret": world["v"].secret, "at": AT}).status_code == 200
    )


def test_refusals(world, expo, organizer, device):
    huawei = exhibitor_client(world["huawei"])
    bad = huawei.post(CHECKIN, {"secret": "not-a-ticket", "at": AT})
    assert bad.status_code == 422
    assert "secret" in bad.json()["error"]["detail"]["fields"]
    future = huawei.post(CHECKIN, {"secret": world["v"].secret, "at": "2099-01-01T10:00:00+08:00"})
    assert future.status_code == 422
    Ticket.objects.filter(registration=world["v"].registration).update(status="revoked")
    revoked = huawei.post(CHECKIN, {"secret": world["v"].secret, "at": AT})
    assert (revoked.status_code, revoked.json()["error"]["code"]) == (409, "revoked")
    w = world["w"].secret
    assert organizer.post(CHECKIN, {"secret": w, "at": AT}).status_code == 403
    assert device.post(CHECKIN, {"secret": w, "at": AT}).status_code == 403  # a gate scanner
    assert ApiClient().post(CHECKIN, {"secret": w, "at": AT}).status_code == 401
    # Toyota has no meeting with W.
    toyota = exhibitor_client(expo.test_exhibitors["toyota"])
    assert toyota.post(CHECKIN, {"secret": w, "at": AT}).json()["error"]["code"] == "no_meeting_now"
    # A side never checks itself in: its own ticket, or its own staff pass.
    crew = staff_pass(expo, world["huawei"])
    assert huawei.post(CHECKIN, {"secret": crew.secret, "at": AT}).status_code == 403
    assert world["w"].holder.post(CHECKIN, {"secret": w, "at": AT}).status_code == 403
    assert Meeting.objects.filter(a_checked_in_at__isnull=False).count() == 0


def test_the_organiser_creates_table_scanners(world, expo, organizer, exhibitor):
    url = f"/api/v1/expos/test-2019/meetings/sessions/{world['session'].code}/devices"
    answer = organizer.post(url, {"name": "Table 4", "table": 4})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["session"], body["table"]) == (world["session"].code, 4)
    assert (
        ApiClient(body["token"]).post(CHECKIN, {"secret": world["v"].secret, "at": AT}).status_code
        == 200
    )
    assert organizer.post(url, {"name": "Table 99", "table": 99}).status_code == 422
    assert exhibitor.post(url, {"name": "Mine"}).status_code == 403
    missing = "/api/v1/expos/test-2019/meetings/sessions/nope/devices"
    assert organizer.post(missing, {"name": "X"}).status_code == 404
    # Revoked with the other devices: its token is refused from then on.
    assert organizer.delete(f"/api/v1/expos/test-2019/devices/{body['id']}").status_code in (
        200,
        204,
    )
    assert (
        ApiClient(body["token"]).post(CHECKIN, {"secret": world["v"].secret, "at": AT}).status_code
        == 401
    )


def test_an_exhibitor_scans_another_exhibitors_staff_pass_at_its_booth(expo):
    make_types(expo)
    huawei, toyota = expo.test_exhibitors["huawei"], expo.test_exhibitors["toyota"]
    sess = session(expo)
    booth = Booth.objects.filter(expo=expo).order_by("code").first()
    m = meeting(sess, participant(expo, exhibitor=huawei), participant(expo, exhibitor=toyota))
    Meeting.objects.filter(pk=m.pk).update(table=None, booth=booth)
    crew = staff_pass(expo, huawei)
    answer = exhibitor_client(toyota).post(CHECKIN, {"secret": crew.secret, "at": AT})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["table"], body["booth"]) == (None, booth.code)
    assert body["a_checked_in"] and body["b_checked_in"]
