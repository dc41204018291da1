"""Races on a live server running the production WSGI application, with real concurrent
clients: an accept and a decline of one request at once (exactly one wins), and both sides of
a pair asking at once (exactly one request). SQLite and PostgreSQL alike, never a 500."""

from __future__ import annotations

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.meetings.models import MeetingRequest
from smartexpo.recommend.models import Dismissal
from tests.concurrency import call_json, race
from tests.meetings.conftest import exhibitor_client, opted_in, ref

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 4


def test_accept_and_decline_at_once_exactly_one_wins(production_server, expo, types):
    base = f"{production_server}/api/v1/expos/test-2019/meetings/requests"
    huawei = exhibitor_client(expo, "huawei").token
    _t, organizer = token_create(role=Role.ORGANIZER, name="Race organiser")
    for _round in range(ROUNDS):
        person = opted_in(expo)
        status, made = call_json(
            base,
            person.manage_token,
            {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want"},
        )
        assert status == 201, made
        url = f"{base}/{made['id']}"
        results = race(
            [
                lambda u=url: call_json(u + "/accept", organizer),
                lambda u=url: call_json(u + "/decline", huawei),
                lambda u=url: call_json(u + "/accept", huawei),
            ]
        )
        final = MeetingRequest.objects.get(pk=made["id"]).status
        assert final in ("accepted", "declined")
        for (status, body), action in zip(
            results, ("accepted", "declined", "accepted"), strict=True
        ):
            if action == final:
                assert status == 200 and body["status"] == final, results
            else:
                assert status == 409, results
                assert body["error"]["code"] == f"request_{final}", results
        assert Dismissal.objects.filter(registration=person.registration).exists() == (
            final == "declined"
        )


def test_both_sides_asking_at_once_make_one_request(production_server, expo, types):
    base = f"{production_server}/api/v1/expos/test-2019/meetings/requests"
    huawei = exhibitor_client(expo, "huawei").token
    for _round in range(ROUNDS):
        person = opted_in(expo)
        calls = [
            lambda p=person: call_json(
                base,
                p.manage_token,
                {"to": ref(expo.test_exhibitors["huawei"]), "priority": "must"},
            ),
            lambda p=person: call_json(base, huawei, {"to": ref(p), "priority": "want"}),
            lambda p=person: call_json(
                base,
                p.manage_token,
                {"to": ref(expo.test_exhibitors["huawei"]), "priority": "want"},
            ),
        ]
        results = race(calls)
        statuses = sorted(status for status, _body in results)
        assert statuses == [201, 409, 409], results
        made = next(body for status, body in results if status == 201)
        for status, body in results:
            if status == 409:
                assert body["error"]["code"] == "duplicate_request", results
                assert body["error"]["detail"]["request"] == made["id"], results
    assert MeetingRequest.objects.count() == ROUNDS
