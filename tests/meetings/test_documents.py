"""What the schedule becomes outside its page: the iCalendar feed (stable UIDs, SEQUENCE =
version, LOCATION = table or booth), the organiser's table cards PDF (API and admin action),
the schedule emails' outbox (lease, coalescing, erased registrations) and the agenda panel."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from smartexpo.core import outboxes
from smartexpo.meetings.cards import table_cards_download
from smartexpo.meetings.models import Meeting, MeetingNotice, MeetingSession, NoticeKind
from smartexpo.meetings.services.notices import notices_send
from smartexpo.tickets.models import Registration
from tests.meetings.pages_world import build
from tests.portal.conftest import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(expo):
    return build(expo)


def ics_of(world, who="li", lang="") -> Calendar:
    token = getattr(world, who).manage_token
    response = Client().get(f"{lang}/expos/test-2019/my/{token}/meetings.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal: Calendar) -> list:
    return [c for c in cal.walk() if c.name == "VEVENT"]


def test_ics_has_one_event_per_meeting_with_stable_uid_sequence_and_location(world):
    (event,) = events(ics_of(world))
    assert str(event["uid"]) == f"meeting-{world.table_meeting.request_id}@test-2019.smartexpo"
    assert int(event["sequence"]) == 1
    assert str(event["location"]) == "Table 3, Hall N1"
    assert "Huawei" in str(event["summary"])
    assert event.decoded("dtstart") == dt.datetime(2019, 8, 26, 1, 40, tzinfo=dt.UTC)
    assert event.decoded("dtend") == dt.datetime(2019, 8, 26, 2, 0, tzinfo=dt.UTC)
    # A re-solve moves it: same UID, the next SEQUENCE, the new place.
    Meeting.objects.filter(pk=world.table_meeting.pk).update(table=5, version=2)
    (moved,) = events(ics_of(world))
    assert moved["uid"] == event["uid"]
    assert int(moved["sequence"]) == 2
    assert str(moved["location"]).startswith("Table 5")


def test_ics_in_chinese_and_at_a_booth(world):
    (event,) = events(ics_of(world, "zhao", lang="/zh-hans"))
    assert str(event["location"]) == "N1-001号展位, N1馆"
    assert "华为" in str(event["summary"])


def test_ics_of_someone_without_meetings_is_an_empty_calendar(world):
    assert events(ics_of(world, "wang")) == []


def pdf_text(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_table_cards_pdf_one_page_per_table_with_its_meetings(world, organizer, exhibitor):
    url = "/api/v1/expos/test-2019/meetings/sessions/day1/table-cards.pdf"
    response = organizer.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = pdf_text(response.content)
    assert len(pages) == 8
    third = pages[2]
    assert "3" in third and "Matchmaking day 1" in third
    assert "09:40" in third
    assert "Li Open" in third and "Huawei" in third
    assert "Li Open" not in pages[0]
    # The booth meeting has no table: on no card.
    assert not any("Zhao" in p for p in pages)
    # Only the organiser; an unknown session is 404.
    assert exhibitor.get(url).status_code == 403
    assert Client().get(url).status_code == 401
    missing = organizer.get("/api/v1/expos/test-2019/meetings/sessions/nope/table-cards.pdf")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_table_cards_admin_action(world):
    request = RequestFactory().post("/admin/")
    model_admin = site._registry.get(MeetingSession)
    response = table_cards_download(model_admin, request, MeetingSession.objects.all())
    assert response["Content-Type"] == "application/pdf"
    assert len(pdf_text(response.content)) == 8


def queue(world, participant, kind=NoticeKind.PUBLISHED):
    return MeetingNotice.objects.create(participant=participant, session=world.session, kind=kind)


def test_notices_email_the_schedule_once_with_links(world):
    member(world.expo.test_exhibitors["huawei"], "team@huawei.example")
    queue(world, world.li_p)
    queue(world, world.huawei_p)
    assert notices_send() == 2
    assert notices_send() == 0
    assert len(mail.outbox) == 2
    to_li = next(m for m in mail.outbox if m.to == [world.li.registration.email])
    assert "Huawei" in to_li.body and "Table 3" in to_li.body and "09:40" in to_li.body
    assert f"/expos/test-2019/my/{world.li.manage_token}/meetings/" in to_li.body
    assert f"/expos/test-2019/my/{world.li.manage_token}/meetings.ics" in to_li.body
    # Bilingual: the other language follows.
    assert "3号桌" in to_li.body
    to_huawei = next(m for m in mail.outbox if m.to == ["team@huawei.example"])
    assert "Li Open" in to_huawei.body and "Zhao Booth" in to_huawei.body
    assert "/portal/test-2019/huawei/meetings/" in to_huawei.body
    assert not MeetingNotice.objects.filter(sent_at__isnull=True).exists()


def test_notices_of_one_person_go_in_one_email_saying_changed(world):
    queue(world, world.li_p)
    queue(world, world.li_p, NoticeKind.CHANGED)
    assert notices_send() == 1
    (message,) = mail.outbox
    assert "has changed" in message.subject


def test_a_leased_notice_is_not_sent_twice_and_an_expired_lease_is_retried(world):
    notice = queue(world, world.li_p)
    later = timezone.now() + dt.timedelta(minutes=5)
    MeetingNotice.objects.filter(pk=notice.pk).update(lease_until=later, attempts=1)
    assert notices_send() == 0
    MeetingNotice.objects.filter(pk=notice.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert notices_send() == 1
    notice.refresh_from_db()
    assert notice.attempts == 2 and notice.sent_at is not None


@pytest.mark.parametrize("gone", ["erased", "cancelled"])
def test_erased_or_cancelled_registrations_are_never_written_to(world, gone):
    change = {"erased_at": timezone.now()} if gone == "erased" else {"status": "cancelled"}
    Registration.objects.filter(pk=world.li.registration.pk).update(**change)
    notice = queue(world, world.li_p)
    assert notices_send() == 0
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.sent_at is None and notice.attempts == 0


def test_the_mailer_calls_the_registered_outboxes(world):
    assert notices_send in outboxes.senders()
    queue(world, world.zhao_p)
    assert outboxes.outboxes_send() == 1
    assert mail.outbox[0].to == [world.zhao.registration.email]


def agenda(world, who="li", lang=""):
    token = getattr(world, who).manage_token
    return Client().get(f"{lang}/expos/test-2019/my/{token}/agenda/").content.decode()


def test_agenda_shows_the_visitors_meetings(world):
    html = agenda(world)
    assert 'id="meetings"' in html
    assert f'data-meeting="{world.table_meeting.request_id}"' in html
    assert "Table 3" in html and "Huawei" in html
    assert f"/expos/test-2019/my/{world.li.manage_token}/meetings/" in html
    assert "3号桌" in agenda(world, lang="/zh-hans")
    # Not opted in: the invitation to take part.
    assert "opt in and request meetings" in agenda(world, "wang")


def test_agenda_has_no_meetings_panel_without_sessions(world):
    MeetingSession.objects.all().delete()
    assert 'id="meetings"' not in agenda(world)


@pytest.mark.parametrize("code", ["x" * 300, "中文", "day1%00", "%20", "day1.pdf"])
def test_table_cards_of_a_strange_code_is_a_404_in_the_error_shape(world, organizer, code):
    response = organizer.get(f"/api/v1/expos/test-2019/meetings/sessions/{code}/table-cards.pdf")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
