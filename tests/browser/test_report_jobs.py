"""An organiser builds the post-show report from the dashboard and watches the job's row on the
jobs page turn to done, with its download, without a reload."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from smartexpo.reports.models import ReportJob
from smartexpo.reports.worker import worker_pass
from tests.browser.test_dashboard import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_job_asked_on_the_dashboard_shows_its_progress_in_place(live_server, page, expo):
    get_user_model().objects.create_user("ops", password=PASSWORD, is_staff=True)
    page.goto(f"{live_server.url}/expos/{expo.slug}/reports/dashboard/")
    sign_in(page, "ops")
    page.get_by_role("button", name="Post-show report (PDF)").click()
    expect(page.get_by_role("heading", name="Report jobs")).to_be_visible()
    job = ReportJob.objects.get()
    row = page.locator(f"#job-{job.pk}")
    expect(row).to_have_attribute("data-status", "queued")
    expect(row.locator(".job-status")).to_have_text("queued")
    page.evaluate("window.stillTheSamePage = true")

    assert worker_pass() == 1

    expect(row).to_have_attribute("data-status", "done", timeout=20_000)
    expect(row.locator(".job-status")).to_have_text("done")
    link = row.locator(".job-file a")
    expect(link).to_have_text("Download")
    assert row.locator(".job-progress").evaluate("bar => bar.value") == 100
    assert page.evaluate("window.stillTheSamePage") is True
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert download.status == 200 and download.body().startswith(b"%PDF")
