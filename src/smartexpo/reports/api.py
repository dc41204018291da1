"""Report jobs through the API (docs/api.md, "Reports"): organisers ask for an export, follow
its progress and fetch the file. Its own router, registered in `smartexpo.urls`."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, bearer
from smartexpo.core.errors import SmartExpoError
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.reports import job_kinds, selectors
from smartexpo.reports.models import JobStatus, ReportJob
from smartexpo.reports.services.jobs import job_create, request_digest
from smartexpo.venue import selectors as venue_selectors

router = Router(tags=["Reports"])

ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class ReportJobIn(Schema):
    kind: str = Field(
        ..., min_length=1, max_length=40, description=f"one of {', '.join(job_kinds.KINDS)}"
    )
    language: Literal["en", "zh-hans"] = Field("en", description="the report's language")


class Progress(Schema):
    done: int
    total: int = Field(..., description="0 until the build says how many steps it has")


class ReportJobOut(Schema):
    id: int
    kind: str
    language: str
    status: Literal["queued", "running", "done", "failed"]
    progress: Progress
    error: str | None = Field(None, description="why it failed (failed jobs only)")
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = Field(None, description="when its result is deleted")
    filename: str | None
    result_url: str | None = Field(None, description="the file's address, once done")


def job_out(job: ReportJob) -> dict:
    done = job.status == JobStatus.DONE
    return {
        "id": job.pk,
        "kind": job.kind,
        "language": job.language,
        "status": job.status,
        "progress": {"done": job.done, "total": job.total},
        "error": job.error if job.status == JobStatus.FAILED else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "filename": job.filename if done else None,
        "result_url": (
            reverse("api-v1:report_job_result", args=[job.expo.slug, job.pk]) if done else None
        ),
    }


def _organiser(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    return edition


@router.post(
    "/expos/{expo}/reports",
    auth=bearer,
    response={202: ReportJobOut, **ERRORS},
    summary="Ask for a report (a job built in the background)",
    description="Organiser; honours Idempotency-Key. Queues the export and answers the job "
    "(202); follow it with `GET …/reports/{job_id}`, fetch the file at its `result_url`.",
)
def report_job_create(request: HttpRequest, expo: str, payload: ReportJobIn):
    edition = _organiser(request, expo)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 255:
        raise SmartExpoError(
            "invalid",
            "The Idempotency-Key header must be 1 to 255 characters.",
            {"fields": {"Idempotency-Key": "1 to 255 characters."}},
        )
    job, _created = job_create(
        expo=edition,
        kind=payload.kind,
        language=payload.language,
        requested_by=f"API token {request.auth.name}",
        idempotency_key=key,
        digest=request_digest(payload.dict()),
    )
    job.expo = edition
    return Status(202, job_out(job))


@router.get(
    "/expos/{expo}/reports/{job_id}",
    auth=bearer,
    response={200: ReportJobOut, **ERRORS},
    summary="A report job: its status and progress",
    description="Organiser. Another edition's job, or one past its expiry, is 404.",
)
def report_job_get(request: HttpRequest, expo: str, job_id: int):
    edition = _organiser(request, expo)
    job = selectors.job_get(expo=edition, job_id=job_id)
    job.expo = edition
    return job_out(job)


@router.get(
    "/expos/{expo}/reports/{job_id}/result",
    auth=bearer,
    response={200: None, **ERRORS},
    summary="A report job's file",
    description="Organiser. The file as an attachment; 409 `report_not_ready` while the job "
    "is queued or running, 409 `report_failed` when it failed, 404 once expired.",
    url_name="report_job_result",
)
def report_job_result(request: HttpRequest, expo: str, job_id: int):
    edition = _organiser(request, expo)
    return result_response(selectors.job_result(expo=edition, job_id=job_id))


def result_response(job: ReportJob) -> HttpResponse:
    """The job's file as a download, never kept by shared caches."""
    response = HttpResponse(bytes(job.result), content_type=job.content_type)
    plain = job.filename.replace('"', "").encode("ascii", "replace").decode()
    response["Content-Disposition"] = (
        f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(job.filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
