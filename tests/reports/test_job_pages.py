"""The report pages for organisers: the dashboard's "Build the report" buttons, the jobs page
with its JSON and downloads, and the daily report emails' page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from smartexpo.reports.models import ReportJob, ReportSchedule
from smartexpo.reports.worker import worker_pass
from tests.conftest import make_expo

pytestmark = pytest.mark.django_db

R = "/expos/test-2019/reports"


@pytest.fixture
def visitor(db):
    user = get_user_model().objects.create_user("visitor", "v@example.org", "pw-for-tests-1")
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_builds_a_report_and_the_jobs_page_follows_it(expo, staff):
    page = staff.get(f"{R}/dashboard/").content.decode()
    assert 'action="/expos/test-2019/reports/jobs/new"' in page
    assert 'value="edition-pdf"' in page and 'value="edition-xlsx"' in page
    asked = staff.post(f"{R}/jobs/new", {"kind": "edition-pdf", "language": "en"})
    job = ReportJob.objects.get()
    assert asked.status_code == 302
    assert asked["Location"] == f"{R}/jobs/?job={job.pk}"
    assert job.requested_by == "boss"
    listed = staff.get(asked["Location"]).content.decode()
    assert f'id="job-{job.pk}"' in listed and 'data-status="queued"' in listed
    assert "jobs.js" in listed and "Refresh" in listed
    data = staff.get(f"{R}/jobs/data.json").json()
    assert data["jobs"][0]["status"] == "queued" and data["jobs"][0]["download"] is None
    assert staff.get(f"{R}/jobs/{job.pk}/download").status_code == 302  # not built yet
    worker_pass()
    row = staff.get(f"{R}/jobs/data.json").json()["jobs"][0]
    assert row["status"] == "done" and row["percent"] == 100
    got = staff.get(row["download"])
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert f'href="{row["download"]}"' in staff.get(f"{R}/jobs/").content.decode()


def test_the_chinese_pages(expo, staff):
    page = staff.get(f"/zh-hans{R}/dashboard/").content.decode()
    assert 'name="language" value="zh-hans"' in page
    assert "日报邮件" in staff.get(f"/zh-hans{R}/schedules/").content.decode()
    assert "报告任务" in staff.get(f"/zh-hans{R}/jobs/").content.decode()


def test_a_bad_kind_is_refused_on_the_page(expo, staff):
    refused = staff.post(f"{R}/jobs/new", {"kind": "everything", "language": "en"})
    assert refused.status_code == 400
    assert "errorlist" in refused.content.decode()
    assert not ReportJob.objects.exists()


def test_only_organisers(expo, visitor):
    anonymous = Client()
    for path in ("/jobs/", "/schedules/"):
        assert anonymous.get(f"{R}{path}").status_code == 302
        assert visitor.get(f"{R}{path}").status_code == 403
    assert anonymous.post(f"{R}/jobs/new", {"kind": "edition-pdf"}).status_code == 302
    assert visitor.post(f"{R}/jobs/new", {"kind": "edition-pdf"}).status_code == 403
    assert anonymous.get(f"{R}/jobs/data.json").status_code == 401
    assert visitor.get(f"{R}/jobs/data.json").status_code == 403
    assert not ReportJob.objects.exists()


def test_a_post_without_its_csrf_token_is_refused(expo):
    user = get_user_model().objects.create_superuser("csrf", "c@example.org", "pw-for-tests-1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(f"{R}/jobs/new", {"kind": "edition-pdf"}).status_code == 403
    assert not ReportJob.objects.exists()


def schedule_body(**extra):
    body = {
        "recipients": "board@example.org, ops@example.org",
        "send_time": "18:30",
        "language": "en",
        "kinds": ["edition-pdf"],
        "active": "on",
    }
    return {**body, **extra}


def test_schedules_are_made_paused_and_deleted_on_their_page(expo, staff):
    made = staff.post(f"{R}/schedules/", schedule_body())
    assert made.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["board@example.org", "ops@example.org"]
    assert schedule.created_by == "boss" and schedule.active
    page = staff.get(f"{R}/schedules/").content.decode()
    assert "board@example.org, ops@example.org" in page and "18:30" in page
    assert "2019-08-26" in page and "2019-08-30" in page
    edit = f"{R}/schedules/{schedule.pk}/"
    assert staff.get(edit).status_code == 200
    paused = staff.post(edit, schedule_body(active="", send_time="19:00"))
    assert paused.status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active and schedule.send_time.hour == 19
    assert "Paused" in staff.get(f"{R}/schedules/").content.decode()
    assert staff.post(f"{R}/schedules/{schedule.pk}/delete").status_code == 302
    assert not ReportSchedule.objects.exists()


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"recipients": "board@example.org, nobody"}, "nobody is not an email address."),
        ({"recipients": ""}, "This field is required."),
        ({"kinds": []}, "Choose at least one report."),
        ({"send_time": "25:00"}, "Enter a valid time."),
    ],
)
def test_a_schedule_at_fault_says_why(expo, staff, extra, says):
    refused = staff.post(f"{R}/schedules/", schedule_body(**extra))
    assert refused.status_code == 400
    assert says in refused.content.decode()
    assert not ReportSchedule.objects.exists()


def test_another_editions_schedule_is_not_found(expo, taxonomy, staff):
    other = make_expo(slug="other-2020")
    import datetime as dt

    from smartexpo.reports.services.schedules import schedule_create

    schedule = schedule_create(
        expo=other, recipients=["a@b.org"], send_time=dt.time(9), kinds=["edition-pdf"]
    )
    assert staff.get(f"{R}/schedules/{schedule.pk}/").status_code == 404
    assert staff.post(f"{R}/schedules/{schedule.pk}/delete").status_code == 404
    assert ReportSchedule.objects.filter(pk=schedule.pk).exists()
