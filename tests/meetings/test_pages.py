"""The visitor's meetings page (/expos/<e>/my/<token>/meetings/) and the portal's "Meetings",
read from the ORM state: schedule with places and maps, requests both ways, both languages,
refusals that need no service, and someone else's token."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.meetings.models import Busy
from tests.meetings.pages_world import build
from tests.portal.conftest import member, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(expo):
    return build(expo)


def page(world, who="li", lang=""):
    token = getattr(world, who).manage_token
    return f"{lang}/expos/test-2019/my/{token}/meetings/"


def test_visitor_page_shows_schedule_table_map_and_requests(world):
    response = Client().get(page(world))
    assert response.status_code == 200
    html = response.content.decode()
    # The meeting at table 3 with Huawei, at 09:40 Shanghai time (slot 2 of 20 minutes).
    assert f'data-meeting="{world.table_meeting.request_id}"' in html
    assert "2019-08-26 09:40" in html
    assert "Table 3" in html
    assert "Huawei" in html
    # The map: 8 tables, the third marked.
    assert html.count('data-table="') == 8
    assert '<g class="mine" data-table="3">' in html
    # Toyota's pending request, with its buttons; the visitor's own accepted one is "sent".
    assert 'value="accept"' in html
    assert "Cars?" in html
    assert "Toyota" in html
    assert f'href="/expos/test-2019/my/{world.li.manage_token}/meetings.ics"' in html
    # Zhao's booth meeting is not Li's.
    assert "Zhao" not in html


def test_visitor_page_in_chinese(world):
    response = Client().get(page(world, lang="/zh-hans"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的商务洽谈" in html
    assert "3号桌" in html
    assert "华为" in html
    assert "洽谈第一天" in html


def test_booth_meeting_shows_the_hall_plan_with_the_booth(world):
    html = Client().get(page(world, "zhao")).content.decode()
    assert 'data-map="booth"' in html
    assert 'class="mine" data-booth="N1-001"' in html
    assert "Booth N1-001" in html


def test_visitor_not_opted_in_sees_the_opt_in_and_no_suggestions(world):
    html = Client().get(page(world, "wang")).content.decode()
    assert 'name="open" value="1"' in html
    assert 'id="suggested"' not in html
    assert 'data-empty="no-schedule"' in html


def test_unknown_or_other_editions_token_is_404(world, other_expo):
    assert Client().get("/expos/test-2019/my/not-a-token/meetings/").status_code == 404
    token = world.li.manage_token
    assert Client().get(f"/expos/test-2018/my/{token}/meetings/").status_code == 404
    assert Client().get(f"/expos/test-2018/my/{token}/meetings.ics").status_code == 404


def test_post_without_csrf_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(page(world), {"action": "open", "open": "0"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    "form",
    [
        {"action": "nonsense"},
        {},
        {"action": "accept", "request": "99999999"},
        {"action": "accept", "request": "x" * 50},
        {"action": "cancel"},
        {"action": "busy-remove", "busy": "12"},
    ],
)
def test_bad_posts_answer_a_page_not_a_500(world, form):
    response = Client().post(page(world), form)
    assert response.status_code in (404, 422)
    assert b'role="status"' in response.content


def test_refused_busy_form_keeps_what_was_typed(world):
    form = {"action": "busy-add", "starts_at": "2019-08-26T11:00", "ends_at": "2019-08-26T10:00"}
    response = Client().post(page(world), form)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The end must be after the start." in html
    assert 'value="2019-08-26T11:00"' in html
    assert not Busy.objects.exists()


def test_refused_request_form_keeps_the_message(world):
    # A partner that is not a participant's reference at all: refused by the form itself.
    form = {"action": "request", "to": "nobody:1", "priority": "must", "message": "Hello there"}
    response = Client().post(page(world), form)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Check the request." in html
    assert "Choose a partner from the list." in html
    assert "Hello there</textarea>" in html


def test_cancelled_registration_cannot_take_part(world):
    from smartexpo.tickets.models import Registration

    Registration.objects.filter(pk=world.wang.registration.pk).update(status="cancelled")
    response = Client().get(page(world, "wang"))
    assert 'data-empty="cannot-take-part"' in response.content.decode()
    response = Client().post(page(world, "wang"), {"action": "open", "open": "1"})
    assert response.status_code == 422


def test_busy_times_and_reserved_sessions_are_listed(world):
    Busy.objects.create(
        participant=world.li_p,
        starts_at=world.session.starts_at,
        ends_at=world.session.starts_at.replace(hour=10),
    )
    html = Client().get(page(world)).content.decode()
    assert "2019-08-26 09:00–2019-08-26 10:00" in html


def test_portal_meetings_page_for_members_only(world):
    huawei = world.expo.test_exhibitors["huawei"]
    client = signed_in(member(huawei, "staff@huawei.example"))
    url = "/portal/test-2019/huawei/meetings/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Li Open (Open Trading Co)" in html
    assert "Zhao Booth (Booth Buyers)" in html
    assert "Table 3" in html and "Booth N1-001" in html
    assert 'aria-current="page"' in html and "Meetings" in html
    # No opt-in for an exhibitor: it always takes requests.
    assert 'name="open"' not in html
    chinese = client.get("/zh-hans" + url).content.decode()
    assert "3号桌" in chinese
    # Someone of Toyota's team does not open Huawei's page; anonymous goes to the login.
    other = signed_in(member(world.expo.test_exhibitors["toyota"], "a@toyota.example"))
    assert other.get(url).status_code == 404
    assert Client().get(url).status_code == 302
    ics = client.get("/portal/test-2019/huawei/meetings.ics")
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")


def test_suggested_partners_from_the_recommender_leave_out_those_already_asked(world):
    from smartexpo.recommend.services.building import recommender_build

    recommender_build(expo=world.expo)
    html = Client().get(page(world, "zhao")).content.decode()
    # Zhao has a meeting with Huawei already: Toyota is suggested, with its request form.
    toyota = world.expo.test_exhibitors["toyota"].pk
    assert f'data-ref="exhibitor:{toyota}"' in html
    assert f'name="to" value="exhibitor:{toyota}"' in html
    assert f'data-ref="exhibitor:{world.expo.test_exhibitors["huawei"].pk}"' not in html
    portal = signed_in(member(world.expo.test_exhibitors["toyota"], "b@toyota.example"))
    answer = portal.get("/portal/test-2019/toyota/meetings/")
    assert answer.status_code == 200
    # Toyota asked Li already; Wang did not opt in: neither is suggested to Toyota.
    assert f'data-ref="registration:{world.li.registration.pk}"' not in answer.content.decode()
    assert f'data-ref="registration:{world.wang.registration.pk}"' not in answer.content.decode()
