"""The iCalendar feeds, read back with the `icalendar` library as a calendar app reads them:
`programme.ics` (every published session) and a visitor's agenda by its secret address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from icalendar import Calendar

from smartexpo.programme.models import Release
from smartexpo.programme.services.editing import session_update
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.programme.services.reservations import (
    agenda_feed_renew,
    agenda_feed_secret,
    favourite_add,
    reservation_cancel,
    reservation_make,
)
from tests.conftest import make_expo, public_day_pass, register
from tests.programme.conftest import at

ICS = "/expos/{slug}/programme.ics"


def fetch(path: str, **headers):
    response = Client().get(path, headers=headers)
    return response, (Calendar.from_ical(response.content) if response.status_code == 200 else None)


def by_uid(cal: Calendar) -> dict:
    return {str(e["UID"]): e for e in cal.events}


def uid(session) -> str:
    return f"session-{session.pk}@test-2019.smartexpo"


def test_programme_ics_has_every_published_session_in_utc(expo, programme):
    response, cal = fetch(ICS.format(slug=expo.slug))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="test-2019-programme.ics"'
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Content-Language"] == "en, zh-Hans"
    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert str(cal["X-WR-CALNAME"]) == "Test Expo 2019 / 测试博览会2019: programme"
    assert str(cal["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert cal["X-PUBLISHED-TTL"].to_ical().decode() == "PT1H"
    s = programme["sessions"]
    events = by_uid(cal)
    assert set(events) == {uid(s["keynote"]), uid(s["silk"]), uid(s["ai"])}
    silk = events[uid(s["silk"])]
    start, end = silk.decoded("DTSTART"), silk.decoded("DTEND")
    assert start.utcoffset() == dt.timedelta(0) and start == at(26, 11)
    assert end == at(26, 12) and "DTSTART:20190826T030000Z" in response.content.decode()
    assert str(silk["SUMMARY"]) == "Cooperation along the Silk Road / 丝路数字合作"
    assert str(silk["LOCATION"]) == "Meeting Room 2, Test Center / 测试中心 第二会议室"
    assert (
        str(silk["URL"])
        == f"http://127.0.0.1:8000/expos/test-2019/programme/sessions/{s['silk'].pk}/"
    )
    assert silk["CATEGORIES"].cats == ["Digital Silk Road / 数字丝绸之路"]
    assert "Speakers: Ada Chen / 陈艾达 (Chongqing University), Bo Li / 李博" in str(
        silk["DESCRIPTION"]
    )
    assert silk["SEQUENCE"] == 0
    published_at = programme["release"].published_at
    assert (
        silk.decoded("DTSTAMP")
        == silk.decoded("LAST-MODIFIED")
        == published_at.replace(microsecond=0)
    )
    assert "STATUS" not in silk


def test_a_language_asked_gives_that_language_only(expo, programme):
    response, cal = fetch(ICS.format(slug=expo.slug) + "?lang=zh-hans")
    assert response["Content-Language"] == "zh-Hans"
    pk = programme["sessions"]["silk"].pk
    silk = by_uid(cal)[uid(programme["sessions"]["silk"])]
    assert str(silk["SUMMARY"]) == "丝路数字合作"
    assert str(silk["URL"]).endswith(f"/zh-hans/expos/test-2019/programme/sessions/{pk}/")
    assert str(silk["LOCATION"]) == "测试中心 第二会议室"
    assert "演讲嘉宾：陈艾达（Chongqing University）、李博" in str(silk["DESCRIPTION"])
    assert str(cal["X-WR-CALNAME"]) == "测试博览会2019：论坛日程"
    _response, english = fetch(ICS.format(slug=expo.slug) + "?lang=en")
    assert str(by_uid(english)[uid(programme["sessions"]["silk"])]["SUMMARY"]) == (
        "Cooperation along the Silk Road"
    )


def test_a_release_that_moves_a_session_raises_its_sequence_and_nothing_before(expo, programme):
    s = programme["sessions"]
    session_update(session=s["keynote"], changes={"starts_at": at(26, 9), "ends_at": at(26, 10)})
    _response, unpublished = fetch(ICS.format(slug=expo.slug))
    keynote = by_uid(unpublished)[uid(s["keynote"])]
    assert keynote["SEQUENCE"] == 0 and keynote.decoded("DTSTART") == at(26, 9, 30)

    second = programme_publish(expo=expo, actor="test")
    _response, cal = fetch(ICS.format(slug=expo.slug))
    events = by_uid(cal)
    keynote = events[uid(s["keynote"])]
    assert keynote["SEQUENCE"] == 1
    assert keynote.decoded("DTSTART") == at(26, 9)
    assert keynote.decoded("LAST-MODIFIED") == second.published_at.replace(microsecond=0)
    assert keynote.decoded("CREATED") == programme["release"].published_at.replace(microsecond=0)
    assert events[uid(s["ai"])]["SEQUENCE"] == 0

    session_update(session=s["keynote"], changes={"title_en": "Opening address"})
    programme_publish(expo=expo, actor="test")
    _response, cal = fetch(ICS.format(slug=expo.slug))
    assert by_uid(cal)[uid(s["keynote"])]["SEQUENCE"] == 2


def test_an_unchanged_feed_answers_304_and_a_release_changes_its_tag(expo, programme):
    first, _cal = fetch(ICS.format(slug=expo.slug))
    again = Client().get(ICS.format(slug=expo.slug), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    since = Client().get(
        ICS.format(slug=expo.slug), headers={"If-Modified-Since": first["Last-Modified"]}
    )
    assert since.status_code == 304
    session_update(session=programme["sessions"]["ai"], changes={"title_en": "AI in factories"})
    programme_publish(expo=expo, actor="test")
    later = Client().get(ICS.format(slug=expo.slug), headers={"If-None-Match": first["ETag"]})
    assert later.status_code == 200 and later["ETag"] != first["ETag"]


def test_before_the_first_release_the_feed_is_a_valid_empty_calendar(expo):
    response, cal = fetch(ICS.format(slug=expo.slug))
    assert response.status_code == 200
    assert cal.events == [] and str(cal["VERSION"]) == "2.0"
    assert "Last-Modified" not in response
    head = Client().head(ICS.format(slug=expo.slug))
    assert head.status_code == 200 and head["ETag"] == response["ETag"]
    assert Client().post(ICS.format(slug=expo.slug)).status_code == 405


def test_an_unknown_or_unpublished_edition_is_404(db, expo):
    assert Client().get(ICS.format(slug="no-such-expo")).status_code == 404
    hidden = make_expo(slug="hidden-2019", is_published=False)
    assert Client().get(ICS.format(slug=hidden.slug)).status_code == 404


@pytest.fixture
def visitors(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    return [register(expo, n).registration for n in range(1, 6)]


def agenda_path(expo, registration) -> str:
    return f"/expos/{expo.slug}/agenda/{agenda_feed_secret(registration=registration)}.ics"


def test_the_agenda_feed_marks_reservations_waiting_lists_and_favourites(expo, programme, visitors):
    s = programme["sessions"]
    me = visitors[3]
    for other in visitors[:3]:
        reservation_make(registration=other, session_id=s["silk"].pk)
    reservation_make(registration=me, session_id=s["silk"].pk)
    reservation_make(registration=me, session_id=s["ai"].pk, force=True)
    favourite_add(registration=me, session_id=s["keynote"].pk)

    response, cal = fetch(agenda_path(expo, me))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-cache"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    events = by_uid(cal)
    assert list(events) == [uid(s["keynote"]), uid(s["silk"]), uid(s["ai"])]
    assert str(events[uid(s["silk"])]["STATUS"]) == "TENTATIVE"
    assert "You are on the waiting list: number 1." in str(events[uid(s["silk"])]["DESCRIPTION"])
    assert str(events[uid(s["ai"])]["STATUS"]) == "CONFIRMED"
    assert "STATUS" not in events[uid(s["keynote"])]
    # Another visitor's agenda holds only theirs.
    _response, theirs = fetch(agenda_path(expo, visitors[0]))
    assert [str(e["STATUS"]) for e in theirs.events] == ["CONFIRMED"]
    assert fetch(agenda_path(expo, visitors[4]))[1].events == []

    # A seat given up goes to the waiting list: the next read says so, without a release.
    unchanged = Client().get(agenda_path(expo, me), headers={"If-None-Match": response["ETag"]})
    assert unchanged.status_code == 304
    reservation_cancel(registration=visitors[0], session_id=s["silk"].pk)
    promoted, cal = fetch(agenda_path(expo, me), **{"If-None-Match": response["ETag"]})
    assert promoted.status_code == 200
    assert str(by_uid(cal)[uid(s["silk"])]["STATUS"]) == "CONFIRMED"


def test_a_session_that_leaves_the_programme_stays_in_the_agenda_as_cancelled(
    expo, programme, visitors
):
    s = programme["sessions"]
    me = visitors[0]
    reservation_make(registration=me, session_id=s["silk"].pk)
    favourite_add(registration=me, session_id=s["keynote"].pk)
    session_update(session=s["silk"], changes={"cancelled": True, "title_en": "Gone"})
    programme_publish(expo=expo, actor="test")

    _response, cal = fetch(agenda_path(expo, me))
    silk = by_uid(cal)[uid(s["silk"])]
    assert str(silk["STATUS"]) == "CANCELLED"
    assert silk["SEQUENCE"] == 1
    # As it was last published: the title it had, not the working copy's.
    assert str(silk["SUMMARY"]) == "Cancelled: Cooperation along the Silk Road / 丝路数字合作"
    assert silk.decoded("DTSTART") == at(26, 11)
    assert "STATUS" not in by_uid(cal)[uid(s["keynote"])]
    _response, public = fetch(ICS.format(slug=expo.slug))
    assert uid(s["silk"]) not in by_uid(public)

    # Back in the programme at the next release: the same event, confirmed again, newer.
    session_update(session=s["silk"], changes={"cancelled": False})
    programme_publish(expo=expo, actor="test")
    _response, cal = fetch(agenda_path(expo, me))
    silk = by_uid(cal)[uid(s["silk"])]
    assert str(silk["STATUS"]) == "CONFIRMED" and silk["SEQUENCE"] == 2
    assert str(silk["SUMMARY"]) == "Gone / 丝路数字合作"


def test_an_unknown_renewed_or_other_editions_secret_is_404(expo, other_expo, programme, visitors):
    me = visitors[0]
    old = agenda_path(expo, me)
    assert Client().get(old).status_code == 200
    agenda_feed_renew(registration=me)
    assert Client().get(old).status_code == 404
    assert Client().get(agenda_path(expo, me)).status_code == 200
    assert Client().get(f"/expos/{expo.slug}/agenda/not-a-secret.ics").status_code == 404
    secret = agenda_feed_secret(registration=me)
    assert Client().get(f"/expos/{other_expo.slug}/agenda/{secret}.ics").status_code == 404
    assert Client().get(f"/expos/no-such-expo/agenda/{secret}.ics").status_code == 404


def test_an_agenda_before_any_release_is_a_valid_calendar(expo, visitors):
    Release.objects.filter(expo=expo).delete()
    response, cal = fetch(agenda_path(expo, visitors[0]))
    assert response.status_code == 200 and cal.events == []


def test_releases_deleted_in_the_admin_still_leave_every_event_its_dtstamp(expo, programme):
    s = programme["sessions"]
    session_update(session=s["ai"], changes={"title_en": "AI in factories"})
    second = programme_publish(expo=expo, actor="test")
    programme["release"].delete()
    _response, cal = fetch(ICS.format(slug=expo.slug))
    stamp = second.published_at.replace(microsecond=0)
    assert {str(e["UID"]): e.decoded("DTSTAMP") for e in cal.events} == {
        uid(s["keynote"]): stamp,
        uid(s["silk"]): stamp,
        uid(s["ai"]): stamp,
    }
