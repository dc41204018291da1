"""The matrix's rows of the report jobs (the API's `…/reports` and the jobs page) and of the
daily report emails' page: organisers only, an organiser's token in the API, a staff session
on the pages (the JSON the jobs page polls answers in the API's error shape)."""

from __future__ import annotations

from tests.permissions.terms import Row, api, organiser_json, organiser_page

REPORT_JOBS = "API and pages: report jobs and daily report emails"
A = "/api/v1/expos/{expo}/reports"
R = "/expos/{expo}/reports/"
JOB = {"job_id": "report_job"}
SCHEDULE = {"schedule_id": "report_schedule"}
SCHEDULE_FORM = {
    "recipients": "board@example.org",
    "send_time": "18:30",
    "language": "en",
    "kinds": "edition-pdf",
    "active": "on",
}

REPORT_JOBS_ROWS = [
    Row(REPORT_JOBS, "POST", A, api("202", "organizer"), json={"kind": "edition-xlsx"}),
    Row(REPORT_JOBS, "GET", A + "/{job_id}", api("200", "organizer"), params=JOB),
    Row(
        REPORT_JOBS,
        "GET",
        A + "/{job_id}/result",
        api("200", "organizer"),
        params=JOB,
        note="the file",
    ),
    Row(REPORT_JOBS, "GET", R + "jobs/", organiser_page("200")),
    Row(
        REPORT_JOBS,
        "POST",
        R + "jobs/new",
        organiser_page("302"),
        form={"kind": "edition-xlsx", "language": "en"},
        note="then to the jobs page",
    ),
    Row(REPORT_JOBS, "GET", R + "jobs/data.json", organiser_json("200")),
    Row(
        REPORT_JOBS,
        "GET",
        R + "jobs/{job_id}/download",
        organiser_page("200"),
        params=JOB,
        note="the file",
    ),
    Row(REPORT_JOBS, "GET", R + "schedules/", organiser_page("200")),
    Row(
        REPORT_JOBS,
        "POST",
        R + "schedules/",
        organiser_page("302"),
        form=SCHEDULE_FORM,
        note="a new schedule",
    ),
    Row(REPORT_JOBS, "GET", R + "schedules/{schedule_id}/", organiser_page("200"), params=SCHEDULE),
    Row(
        REPORT_JOBS,
        "POST",
        R + "schedules/{schedule_id}/",
        organiser_page("302"),
        params=SCHEDULE,
        form=SCHEDULE_FORM,
    ),
    Row(
        REPORT_JOBS,
        "POST",
        R + "schedules/{schedule_id}/delete",
        organiser_page("302"),
        params=SCHEDULE,
        form={},
        note="a form with its CSRF token only",
    ),
]
