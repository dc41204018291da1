"""The daily report email: its schedule checked, sent once on each show day and the day
after, at the local send time, with the real report attached."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from pypdf import PdfReader

from smartexpo.core.errors import SmartExpoError
from smartexpo.reports.models import JobStatus, ReportJob, ReportSend
from smartexpo.reports.services import schedules
from smartexpo.reports.worker import worker_pass

pytestmark = pytest.mark.django_db


def local(text: str, expo) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=expo.tz)


def make(expo, **extra):
    values = {
        "recipients": ["Board@Example.org", "ops@example.org"],
        "send_time": dt.time(18, 30),
        "kinds": ["edition-pdf"],
        "created_by": "organizer",
    }
    return schedules.schedule_create(expo=expo, **{**values, **extra})


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"recipients": []}, "recipients"),
        ({"recipients": ["board@example.org", "not an address"]}, "recipients"),
        ({"recipients": [f"p{n}@example.org" for n in range(21)]}, "recipients"),
        ({"kinds": []}, "kinds"),
        ({"kinds": ["edition-pdf", "everything"]}, "kinds"),
        ({"kinds": ["edition-pdf", "exhibitors-zip"]}, "kinds"),
        ({"language": "fr"}, "language"),
        ({"send_time": "18:30"}, "send_time"),
    ],
)
def test_a_schedule_at_fault_names_each_field(expo, extra, field):
    with pytest.raises(SmartExpoError) as refused:
        make(expo, **extra)
    assert refused.value.code == "invalid"
    assert field in refused.value.detail["fields"]


def test_addresses_are_kept_once_in_lower_case(expo):
    schedule = make(expo, recipients=["Board@Example.org", "board@example.org ", "a@b.cn"])
    assert schedule.recipients == ["board@example.org", "a@b.cn"]


def test_sent_on_show_days_and_the_day_after_once_the_time_has_come(expo):
    schedule = make(expo)
    assert schedules.send_days(expo)[-1] == dt.date(2019, 8, 30)
    for when in ("2019-08-26T18:29", "2019-08-25T19:00", "2019-08-31T19:00"):
        assert schedules.schedules_claim_due(now=local(when, expo)) == []
    claimed = schedules.schedules_claim_due(now=local("2019-08-26T18:30", expo))
    assert [s.day for s in claimed] == [dt.date(2019, 8, 26)]
    assert schedules.schedules_claim_due(now=local("2019-08-26T23:59", expo)) == []
    # Midnight in Chongqing is 16:00 UTC: the next day is the edition's, not UTC's.
    assert schedules.schedules_claim_due(now=local("2019-08-27T17:00", expo)) == []
    final = schedules.schedules_claim_due(now=local("2019-08-30T18:45", expo))
    assert [s.day for s in final] == [dt.date(2019, 8, 30)]
    assert ReportSend.objects.filter(schedule=schedule).count() == 2
    assert ReportJob.objects.filter(send__schedule=schedule).count() == 2


def test_a_paused_schedule_sends_nothing(expo):
    schedule = make(expo)
    schedules.schedule_update(
        schedule=schedule,
        recipients=schedule.recipients,
        send_time=schedule.send_time,
        language="en",
        kinds=schedule.kinds,
        active=False,
    )
    assert schedules.schedules_claim_due(now=local("2019-08-26T19:00", expo)) == []


def test_the_email_carries_the_real_pdf_and_workbook(expo):
    make(expo, kinds=["edition-pdf", "edition-xlsx"], language="zh-hans")
    worker_pass(now=local("2019-08-27T18:31", expo))
    assert ReportJob.objects.filter(status=JobStatus.DONE).count() == 2
    assert schedules.report_emails_send() == 1
    assert schedules.report_emails_send() == 0
    (message,) = mail.outbox
    assert message.to == ["board@example.org", "ops@example.org"]
    assert "2019-08-27" in message.subject
    names = [name for name, _content, _type in message.attachments]
    assert names == ["test-2019-report.pdf", "test-2019-report-zh.xlsx"]
    pdf = message.attachments[0][1]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "展后报告" in text
    assert message.attachments[1][1][:2] == b"PK"  # a workbook is a ZIP


def test_the_email_waits_for_its_reports_and_names_a_failed_one(expo, monkeypatch):
    from smartexpo.reports import job_kinds

    def broken(*, expo, language, progress):
        raise RuntimeError("no font")

    monkeypatch.setitem(job_kinds.KINDS, "broken", job_kinds.JobKind("Broken report", broken))
    make(expo, kinds=["edition-pdf", "broken"])
    schedules.schedules_claim_due(now=local("2019-08-26T18:31", expo))
    assert schedules.report_emails_send() == 0  # its reports are still queued
    worker_pass(now=local("2019-08-26T18:32", expo))
    assert schedules.report_emails_send() == 1
    (message,) = mail.outbox
    assert [name for name, _c, _t in message.attachments] == ["test-2019-report.pdf"]
    assert "Broken report could not be built (RuntimeError: no font)" in message.body
