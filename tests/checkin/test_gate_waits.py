"""Gate waits measured by a gate's queue zone: Little's law over the queue area."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from smartexpo.checkin.api import waits_out
from smartexpo.checkin.selectors import gate_waits
from smartexpo.venue.models import Gate, Zone
from tests.checkin.queues import WAITS, instant, known_queue, queue_sensor, queue_zone
from tests.conftest import error_of, make_expo
from tests.crowd.conftest import at

DAY = dt.date(2019, 8, 26)


@pytest.fixture
def queue(expo):
    return queue_sensor(expo)


def test_waits_are_the_queues_person_time_and_its_people_first_in_first_out(queue, expo):
    known_queue(queue)
    table = gate_waits(expo=expo, day=DAY, at=instant("12:00:00"))
    assert table.slots == [dt.time(10, 0), dt.time(10, 15), dt.time(10, 30)]
    g1 = {g.gate.code: g for g in table.gates}["G1"]
    assert g1.measured
    first, second, third = g1.slots
    assert (first.waiting, first.left, first.wait_minutes, first.queue_end) == (16 / 15, 2, 8, 0)
    # Nobody left between 10:15 and 10:30: the wait is unknown, not zero.
    assert (second.waiting, second.left, second.wait_minutes, second.queue_end) == (
        10 / 15,
        0,
        None,
        1,
    )
    # 5 person-minutes in the slot, but the one who left had waited 15: first in, first out.
    assert (third.waiting, third.left, third.wait_minutes, third.queue_end) == (5 / 15, 1, 15, 0)
    # Over the day, Little's law: 31 person-minutes over 3 people out.
    assert g1.mean_wait_minutes == pytest.approx(31 / 3)
    assert g1.worst == third


def test_a_gate_without_a_queue_zone_has_no_figures_not_zero(queue, expo):
    known_queue(queue)
    table = gate_waits(expo=expo, day=DAY, at=instant("12:00:00"))
    n1 = {g.gate.code: g for g in table.gates}["G-N1"]
    assert not n1.measured
    assert (n1.mean_wait_minutes, n1.worst) == (None, None)
    assert [(s.waiting, s.left, s.wait_minutes, s.queue_end) for s in n1.slots] == [
        (None, None, None, None)
    ] * 3


def test_waits_up_to_an_instant_count_the_minutes_ended_by_it(queue, expo):
    known_queue(queue)
    table = gate_waits(expo=expo, day=DAY, at=instant("10:25:30"))
    g1 = {g.gate.code: g for g in table.gates}["G1"]
    assert [s.start for s in g1.slots] == [dt.time(10, 0), dt.time(10, 15)]
    # 10:15–10:25: one person for the five minutes since 10:20, over ten minutes.
    assert (g1.slots[1].waiting, g1.slots[1].queue_end) == (0.5, 1)
    assert g1.mean_wait_minutes == pytest.approx((16 + 5) / 2)


def test_no_movement_no_slots(queue, expo):
    table = gate_waits(expo=expo, day=DAY)
    assert table.slots == [] and all(g.slots == [] for g in table.gates)
    assert {g.gate.code: g.measured for g in table.gates} == {"G1": True, "G-N1": False}


def test_the_api_answers_the_selectors_figures(queue, organizer, expo):
    known_queue(queue)
    response = organizer.get(WAITS, {"day": "2019-08-26", "at": at("12:00:00")})
    assert response.status_code == 200, response.content
    body = response.json()
    expected = waits_out(gate_waits(expo=expo, day=DAY, at=instant("12:00:00")), instant("12:00"))
    assert body["gates"] == expected["gates"] and body["slots"] == ["10:00", "10:15", "10:30"]
    g1 = {g["gate"]: g for g in body["gates"]}["G1"]
    assert (g1["queue_zone"], g1["worst"]["slot"], g1["worst"]["wait_minutes"]) == (
        "Q-G1",
        "10:30",
        15.0,
    )
    assert {g["gate"]: g["queue_zone"] for g in body["gates"]}["G-N1"] is None


def test_the_api_refuses_bad_input_in_its_error_shape(queue, organizer, anonymous):
    assert anonymous.get(WAITS).status_code == 401
    assert queue.get(WAITS).status_code == 403
    bad = organizer.get(WAITS, {"at": "yesterday"})
    assert bad.status_code == 422 and "at" in error_of(bad)["detail"]["fields"]
    assert organizer.get(WAITS, {"day": "26/08/2019"}).status_code == 422


def test_a_queue_zone_must_be_of_kind_queue_and_of_the_gates_edition(expo):
    gate = Gate.objects.get(expo=expo, code="G1")
    gate.queue_zone = Zone.objects.get(expo=expo, code="N1")
    with pytest.raises(ValidationError) as wrong_kind:
        gate.full_clean()
    assert "kind gate queue" in str(wrong_kind.value.message_dict["queue_zone"])
    other = make_expo(slug="other-2019")
    gate.queue_zone = queue_zone(other)
    with pytest.raises(ValidationError) as stray:
        gate.full_clean()
    assert "queue_zone" in stray.value.message_dict
    gate.queue_zone = queue_zone(expo)
    gate.full_clean()
