"""`GET /api/v1/expos/{expo}/planning/forecast`: the attendance forecast for organisers, the
same numbers as the service, clear errors for a bad instant, refused to anyone else."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.planning.forecast import attendance_forecast
from tests.conftest import ApiClient

from .forecast_world import world_make

URL = "/api/v1/expos/w-2019/planning/forecast"


@pytest.fixture
def world(db):
    return world_make()


def test_the_forecast_as_of_an_instant(organizer, world):
    answer = organizer.get(URL, {"as_of": "2019-08-25T09:00+08:00"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["expo"] == "w-2019" and body["previous"] == "w-2018"
    assert body["as_of"] == "2019-08-25T09:00:00+08:00"
    assert [d["day"] for d in body["days"]] == [
        "2019-08-26",
        "2019-08-27",
        "2019-08-28",
        "2019-08-29",
    ]
    assert body["notes"] == []
    service = attendance_forecast(
        expo=world.edition, as_of=dt.datetime(2019, 8, 25, 1, tzinfo=dt.UTC)
    )
    first = body["days"][0]
    assert first["state"] == "forecast" and first["admitted_so_far"] is None
    assert first["admissions"]["mid"] == round(service.days[0].admissions.mid, 1)
    assert first["admissions"]["low"] < first["admissions"]["mid"] < first["admissions"]["high"]
    assert {g["gate"] for g in body["gates"]} == {"G-N", "G-E"}
    north = next(g for g in body["gates"] if g["gate"] == "G-N")
    assert north["periods"][0]["start"] == "2019-08-26T09:00:00+08:00"
    assert len(north["periods"]) == 4 * 36
    assert {s["basis"] for s in body["show_up"]} == {"previous"}


@pytest.mark.parametrize("value", ["soon", "2019-08-25T09:00", "2019-02-30T09:00+08:00"])
def test_a_bad_instant_is_invalid(organizer, world, value):
    answer = organizer.get(URL, {"as_of": value})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid"
    assert "as_of" in answer.json()["error"]["detail"]["fields"]


def test_organisers_only(world):
    assert ApiClient().get(URL).status_code == 401
    _t, raw = token_create(role=Role.DEVICE, name="Scanner", expo=world.edition)
    assert ApiClient(raw).get(URL).status_code == 403


def test_an_unknown_edition_is_not_found(organizer, world):
    answer = organizer.get("/api/v1/expos/nope/planning/forecast")
    assert answer.status_code == 404
