"""The gates' waits say the same on the dashboard, in the post-show report and in the API, for
the same instant (`checkin.selectors.gate_waits`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from smartexpo.checkin.selectors import gate_waits
from smartexpo.reports import dashboard_cache, edition
from smartexpo.reports.dashboard_cache import dashboard_payload
from smartexpo.reports.dashboard_render import context
from tests.checkin.queues import WAITS, instant, known_queue, queue_sensor

pytestmark = pytest.mark.django_db

DAY = dt.date(2019, 8, 26)


@pytest.fixture(autouse=True)
def fresh_dashboard():
    dashboard_cache.forget()
    yield
    dashboard_cache.forget()


@pytest.fixture
def queue(expo):
    return queue_sensor(expo)


def test_dashboard_report_and_api_say_the_same_waits(queue, organizer, expo):
    known_queue(queue)
    at = instant("12:00:00")
    with translation.override("en"):
        payload = dashboard_payload(expo=expo, at=at)
    section = payload["admissions"]["waits"]
    api = organizer.get(WAITS, {"day": "2019-08-26", "at": at.isoformat()})
    assert api.status_code == 200, api.content
    body = api.json()
    assert [g["code"] for g in section["gates"]] == [g["gate"] for g in body["gates"]]
    assert [r["slot"] for r in section["rows"]] == body["slots"] == ["10:00", "10:15", "10:30"]
    assert [r["minutes"] for r in section["rows"]] == [
        [g["slots"][i]["wait_minutes"] for g in body["gates"]] for i in range(3)
    ]
    assert section["means"] == [g["mean_wait_minutes"] for g in body["gates"]]
    table = gate_waits(expo=expo, day=DAY, at=at)
    g1 = next(g for g in table.gates if g.gate.code == "G1")
    rows = edition.gate_wait_rows(expo=expo, at=at, days=[DAY])
    assert rows["unmeasured"] == []  # G1 is the only entrance gate, and it is counted
    assert rows["waits"] == [
        {
            "code": "G1",
            "day": "2019-08-26",
            "mean_minutes": g1.mean_wait_minutes,
            "worst_minutes": 15.0,
            "worst_at": "10:30",
            "left": 3,
        }
    ]
    with translation.override("en"):
        html = render_to_string("reports/dashboard_admissions.html", context(expo, payload))
    assert "measured by each gate's queue sensor" in html
    assert "15.0 (10:30)" in html and "/gates/waits?day=2019-08-26" in html
