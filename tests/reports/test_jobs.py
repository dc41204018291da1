"""Report jobs through the API: asked for, built by the worker with their progress, fetched;
failures recorded with their message; who may do what; abandoned and expired jobs."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from smartexpo.reports import job_kinds
from smartexpo.reports.models import JobStatus, ReportJob
from smartexpo.reports.services import jobs
from smartexpo.reports.worker import worker_pass
from tests.conftest import error_of

pytestmark = pytest.mark.django_db

BASE = "/api/v1/expos/test-2019/reports"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_job_is_queued_built_by_the_worker_and_fetched(expo, organizer):
    asked = organizer.post(BASE, {"kind": "edition-pdf"})
    assert asked.status_code == 202, asked.content
    job = asked.json()
    assert job["status"] == "queued" and job["kind"] == "edition-pdf"
    assert job["progress"] == {"done": 0, "total": 0} and job["result_url"] is None
    early = organizer.get(f"{BASE}/{job['id']}/result")
    assert early.status_code == 409
    assert error_of(early)["code"] == "report_not_ready"
    assert error_of(early)["detail"]["status"] == "queued"

    assert worker_pass() == 1

    seen = organizer.get(f"{BASE}/{job['id']}").json()
    assert seen["status"] == "done"
    assert seen["progress"]["done"] == seen["progress"]["total"] > 0
    assert seen["result_url"] == f"{BASE}/{job['id']}/result"
    assert seen["filename"] == "test-2019-report.pdf"
    stored = ReportJob.objects.get(pk=job["id"])
    assert stored.finished_at >= stored.started_at >= stored.created_at
    assert stored.expires_at == stored.finished_at + jobs.KEEP
    got = organizer.get(seen["result_url"])
    assert got.status_code == 200
    assert got["Content-Type"] == "application/pdf"
    assert "attachment" in got["Content-Disposition"]
    assert "Post-show report" in text_of(got.content)


def test_the_workbook_in_chinese(expo, organizer):
    job = organizer.post(BASE, {"kind": "edition-xlsx", "language": "zh-hans"}).json()
    worker_pass()
    got = organizer.get(f"{BASE}/{job['id']}/result")
    assert got.status_code == 200
    assert got["Content-Type"] == job_kinds.XLSX
    assert ReportJob.objects.get(pk=job["id"]).filename == "test-2019-report-zh.xlsx"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(got.content))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(book.sheetnames))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "everything"}, "kind"),
        ({"kind": "edition-pdf", "language": "fr"}, "language"),
        ({}, "kind"),
    ],
)
def test_an_unknown_kind_or_language_is_invalid(expo, organizer, body, field):
    refused = organizer.post(BASE, body)
    assert refused.status_code == 422
    assert field in error_of(refused)["detail"]["fields"]
    assert not ReportJob.objects.exists()


def test_a_body_that_is_not_json_is_malformed(expo, organizer):
    refused = organizer.post(BASE, raw="{kind")
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "malformed"


def test_only_organisers_may_ask_follow_or_fetch(expo, organizer, exhibitor, device, anonymous):
    job = organizer.post(BASE, {"kind": "edition-pdf"}).json()
    for client, status in ((anonymous, 401), (exhibitor, 403), (device, 403)):
        for answer in (
            client.post(BASE, {"kind": "edition-pdf"}),
            client.get(f"{BASE}/{job['id']}"),
            client.get(f"{BASE}/{job['id']}/result"),
        ):
            assert answer.status_code == status, answer.content
            assert error_of(answer)["code"] in ("unauthenticated", "forbidden")
    assert ReportJob.objects.count() == 1


def test_another_editions_job_is_not_found(expo, other_expo, organizer):
    job = organizer.post(BASE, {"kind": "edition-pdf"}).json()
    other = f"/api/v1/expos/{other_expo.slug}/reports/{job['id']}"
    assert organizer.get(other).status_code == 404
    assert error_of(organizer.get(f"{other}/result"))["code"] == "not_found"
    assert organizer.get(f"{BASE}/999999").status_code == 404


def test_an_idempotency_key_answers_the_same_job(expo, organizer):
    key = {"Idempotency-Key": "board-pack-1"}
    first = organizer.post(BASE, {"kind": "edition-pdf"}, headers=key)
    again = organizer.post(BASE, {"language": "en", "kind": "edition-pdf"}, headers=key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    other = organizer.post(BASE, {"kind": "edition-xlsx"}, headers=key)
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_mismatch"
    assert ReportJob.objects.count() == 1
    too_long = organizer.post(BASE, {"kind": "edition-pdf"}, headers={"Idempotency-Key": "k" * 256})
    assert too_long.status_code == 422


def _failing(*, expo, language, progress):
    progress(1, 4)
    raise RuntimeError("the chart font is missing")


def test_a_failure_is_recorded_with_its_message(expo, organizer, monkeypatch):
    monkeypatch.setitem(job_kinds.KINDS, "broken", job_kinds.JobKind("Broken", _failing))
    job = organizer.post(BASE, {"kind": "broken"}).json()
    assert worker_pass() == 1
    seen = organizer.get(f"{BASE}/{job['id']}")
    assert seen.status_code == 200
    assert seen.json()["status"] == "failed"
    assert seen.json()["error"] == "RuntimeError: the chart font is missing"
    result = organizer.get(f"{BASE}/{job['id']}/result")
    assert result.status_code == 409
    assert error_of(result)["code"] == "report_failed"
    assert error_of(result)["detail"]["error"] == "RuntimeError: the chart font is missing"


def test_progress_reaches_the_database_while_the_job_runs(expo, monkeypatch):
    seen = []

    def steps(*, expo, language, progress):
        for done in range(4):
            progress(done, 3)
            seen.append(ReportJob.objects.values_list("done", "total").get())
        return b"x", "text/plain", "x.txt"

    monkeypatch.setitem(job_kinds.KINDS, "steps", job_kinds.JobKind("Steps", steps))
    jobs.job_create(expo=expo, kind="steps")
    jobs.job_run(jobs.job_claim(), every=0)
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert ReportJob.objects.get().status == JobStatus.DONE


def test_progress_is_written_at_most_once_per_interval(expo):
    job, _ = jobs.job_create(expo=expo, kind="edition-pdf")
    jobs.job_claim()
    writer = jobs.ProgressWriter(job, every=3600)
    for done in range(1000):
        writer(done, 1000)
    # The first call is written; the rest fall within the (hour-long) interval.
    assert writer.writes == 1
    assert writer.last == (999, 1000)
    assert ReportJob.objects.values_list("done", "total").get() == (0, 1000)


def test_a_stop_request_puts_the_job_back_in_the_queue(expo):
    jobs.job_create(expo=expo, kind="edition-pdf")
    job = jobs.job_run(jobs.job_claim(), stop=lambda: True)
    assert job.status == JobStatus.QUEUED and job.started_at is None


def test_an_abandoned_job_is_queued_again_then_failed(expo):
    job, _ = jobs.job_create(expo=expo, kind="edition-pdf")
    long_ago = timezone.now() - jobs.STALE - dt.timedelta(seconds=1)
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        claimed = jobs.job_claim(now=long_ago)
        assert claimed.pk == job.pk and claimed.attempts == attempt
        # Fresh progress keeps it running.
        assert jobs.jobs_recover(now=long_ago) == 0
        assert jobs.jobs_recover() == 1
        job.refresh_from_db()
        if attempt < jobs.MAX_ATTEMPTS:
            assert job.status == JobStatus.QUEUED
    assert job.status == JobStatus.FAILED
    assert "stopped without finishing 3 times" in job.error


def test_expired_jobs_are_gone(expo, organizer):
    job = organizer.post(BASE, {"kind": "edition-pdf"}).json()
    worker_pass()
    later = timezone.now() + jobs.KEEP + dt.timedelta(minutes=1)
    ReportJob.objects.filter(pk=job["id"]).update(expires_at=timezone.now())
    assert organizer.get(f"{BASE}/{job['id']}/result").status_code == 404
    assert jobs.jobs_expire(now=later) == 1
    assert not ReportJob.objects.exists()
