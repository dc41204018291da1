"""Reads of report jobs and daily email schedules that the API and the pages share."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.reports.models import JobStatus, ReportJob, ReportSchedule
from smartexpo.venue.models import Expo

RECENT = 30


def job_get(*, expo: Expo, job_id: int) -> ReportJob:
    """The edition's job (without its result's bytes); another edition's, or one past its
    expiry, is `404 not_found`."""
    job = (
        ReportJob.objects.defer("result")
        .filter(expo=expo, pk=job_id)
        .exclude(expires_at__lt=timezone.now())
        .first()
    )
    if job is None:
        raise not_found("report job")
    return job


def job_result(*, expo: Expo, job_id: int) -> ReportJob:
    """The edition's finished job with its file; `409 report_not_ready` while it is queued or
    running, `409 report_failed` when it failed (`detail.error`)."""
    job = job_get(expo=expo, job_id=job_id)
    if job.status == JobStatus.FAILED:
        raise SmartExpoError(
            "report_failed", "This report could not be built.", {"error": job.error}
        )
    if job.status != JobStatus.DONE:
        raise SmartExpoError(
            "report_not_ready",
            "This report is not built yet; ask again later.",
            {"status": job.status, "progress": {"done": job.done, "total": job.total}},
        )
    return ReportJob.objects.get(pk=job.pk)


def recent_jobs(*, expo: Expo, limit: int = RECENT) -> QuerySet[ReportJob]:
    """The edition's latest jobs, newest first, without their results."""
    return (
        ReportJob.objects.defer("result")
        .filter(expo=expo)
        .exclude(expires_at__lt=timezone.now())
        .order_by("-id")[:limit]
    )


def schedule_list(*, expo: Expo) -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.filter(expo=expo).order_by("send_time", "id")


def schedule_get(*, expo: Expo, schedule_id: int) -> ReportSchedule:
    """The edition's schedule; another edition's is `404 not_found`."""
    found = ReportSchedule.objects.filter(expo=expo, pk=schedule_id).first()
    if found is None:
        raise not_found("daily report email")
    return found
