"""The meetings pages' forms that write, through the requests' services (opt in, request a
suggested partner, accept, decline, cancel, busy time)."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.meetings.models import (
    Busy,
    MeetingRequest,
    Participant,
    RequestStatus,
)
from tests.meetings.pages_world import build
from tests.portal.conftest import member, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(expo):
    return build(expo)


def url(world, who="li"):
    return f"/expos/test-2019/my/{getattr(world, who).manage_token}/meetings/"


def test_opt_in_and_out(world):
    response = Client().post(url(world, "wang"), {"action": "open", "open": "1"})
    assert response.status_code == 302
    assert Participant.objects.get(registration=world.wang.registration).open
    Client().post(url(world, "wang"), {"action": "open", "open": "0"})
    assert not Participant.objects.get(registration=world.wang.registration).open


def test_accept_decline_and_cancel(world):
    client = Client()
    answer = client.post(url(world), {"action": "accept", "request": world.toyota_request.pk})
    assert answer.status_code == 302
    world.toyota_request.refresh_from_db()
    assert world.toyota_request.status == RequestStatus.ACCEPTED
    # Li's own request to Huawei: Li cancels it; Li cannot accept what Li sent.
    accepted = MeetingRequest.objects.get(requester=world.li_p, recipient=world.huawei_p)
    refused = client.post(url(world), {"action": "accept", "request": accepted.pk})
    assert refused.status_code == 404
    assert client.post(url(world), {"action": "cancel", "request": accepted.pk}).status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == RequestStatus.CANCELLED


def test_request_to_a_visitor_who_did_not_opt_in_is_refused_keeping_the_message(world):
    form = {
        "action": "request",
        "to": f"registration:{world.wang.registration.pk}",
        "priority": "must",
        "message": "Let us talk about steel",
    }
    response = Client().post(url(world), form)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Let us talk about steel</textarea>" in html
    assert '<option value="must" selected>' in html
    assert not MeetingRequest.objects.filter(message="Let us talk about steel").exists()


def test_portal_requests_a_visitor_who_opted_in(world):
    client = signed_in(member(world.expo.test_exhibitors["toyota"], "a@toyota.example"))
    form = {
        "action": "request",
        "to": f"registration:{world.zhao.registration.pk}",
        "priority": "want",
        "message": "Hello",
    }
    assert client.post("/portal/test-2019/toyota/meetings/", form).status_code == 302
    made = MeetingRequest.objects.get(requester=world.toyota_p, recipient=world.zhao_p)
    assert made.status == RequestStatus.PENDING and made.message == "Hello"


def test_busy_add_and_remove(world):
    form = {"action": "busy-add", "starts_at": "2019-08-26T09:00", "ends_at": "2019-08-26T10:00"}
    assert Client().post(url(world), form).status_code == 302
    (busy,) = Busy.objects.filter(participant=world.li_p)
    assert busy.starts_at.hour == 1  # 09:00 in Shanghai
    remove = {"action": "busy-remove", "busy": busy.pk}
    assert Client().post(url(world), remove).status_code == 302
    assert not Busy.objects.filter(participant=world.li_p).exists()
