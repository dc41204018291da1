"""Both sides of meetings scanned at the same instant, on a live server running the
production WSGI application: every side is recorded (one conditional UPDATE per side, never a
saved row that overwrites the other side's), never a 500 — SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.meetings.models import Meeting
from tests.checkin.conftest import make_types
from tests.concurrency import call_json, race
from tests.leads.conftest import visitor
from tests.meetings.checkin_world import (
    TEN,
    exhibitor_client,
    meeting,
    participant,
    session,
    staff_pass,
    table_scanner,
)

pytestmark = pytest.mark.django_db(transaction=True)

AT = (TEN + dt.timedelta(minutes=3)).isoformat()


def test_both_sides_at_one_table_scanner_at_once_are_both_checked_in(production_server, expo):
    make_types(expo)
    url = f"{production_server}/api/v1/expos/test-2019/meetings/checkin"
    sess = session(expo)
    pairs = []
    for table in range(1, 6):
        one, two = visitor(expo), visitor(expo)
        pone = participant(expo, registration=one.registration)
        ptwo = participant(expo, registration=two.registration)
        pairs.append((meeting(sess, pone, ptwo, table=table), one, two))
    # Two scanners per table (one per side), released together.
    calls = []
    for m, one, two in pairs:
        for person in (one, two):
            _id, token = table_scanner(sess, table=m.table)
            calls.append(
                lambda t=token, s=person.secret: call_json(url, t, {"secret": s, "at": AT})
            )
    results = race(calls)
    assert [status for status, _body in results] == [200] * len(calls), results
    for m, _one, _two in pairs:
        m.refresh_from_db()
        assert m.a_checked_in_at is not None and m.b_checked_in_at is not None


def test_each_side_scanning_the_other_at_once(production_server, expo):
    make_types(expo)
    url = f"{production_server}/api/v1/expos/test-2019/meetings/checkin"
    sess = session(expo)
    huawei = expo.test_exhibitors["huawei"]
    crew = staff_pass(expo, huawei)
    ph = participant(expo, exhibitor=huawei)
    v = visitor(expo)
    m = meeting(sess, participant(expo, registration=v.registration), ph)
    token = exhibitor_client(huawei).token
    results = race(
        [
            lambda: call_json(url, token, {"secret": v.secret, "at": AT}),
            lambda: call_json(url, v.manage_token, {"secret": crew.secret, "at": AT}),
        ]
    )
    assert [status for status, _body in results] == [200, 200], results
    m.refresh_from_db()
    assert m.a_checked_in_at is not None and m.b_checked_in_at is not None
    assert Meeting.objects.count() == 1
