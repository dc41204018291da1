"""Report jobs: asked for, claimed by one worker, built with their progress, kept a week.

A job is claimed by one conditional UPDATE (queued → running only while it is still queued), so
two servers polling the same database never build one job twice. A running job writes its
progress, and with it a heartbeat, at most every `PROGRESS_EVERY` seconds; one whose heartbeat
is older than `STALE` was abandoned by a process that died, and is queued again (at most
`MAX_ATTEMPTS` runs in all, then failed), so a killed server's job is finished by another.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from smartexpo.core.errors import SmartExpoError, invalid
from smartexpo.reports import job_kinds
from smartexpo.reports.models import JobStatus, ReportJob, ReportSend
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.reports")

# Results are kept this long after the job ended, then deleted by the worker.
KEEP = timedelta(days=7)
# A running job without a progress update for this long is taken as abandoned. The post-show
# report reports progress between its figures and its file; each step takes some 10 s at the
# demo's size (docs/reports.md), far from this.
STALE = timedelta(minutes=15)
MAX_ATTEMPTS = 3
PROGRESS_EVERY = 0.5
ERROR_CHARS = 1000


class JobInterrupted(Exception):
    """The worker was asked to stop while building: the job goes back to the queue."""


def request_digest(body: dict) -> str:
    """A digest of an API body, spacing and key order aside (for Idempotency-Key)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def job_create(
    *,
    expo: Expo,
    kind: str,
    language: str = "en",
    requested_by: str = "",
    idempotency_key: str | None = None,
    digest: str = "",
    send: ReportSend | None = None,
) -> tuple[ReportJob, bool]:
    """Queue a job; `(job, created)`. An unknown kind or language is `422 invalid`. With an
    `idempotency_key`, the edition's job made with that key is answered again (`created` is
    False), and the key with another body (`digest`) is `409 idempotency_mismatch`."""
    if job_kinds.kind_get(kind) is None:
        raise invalid({"kind": f"Unknown kind; one of: {', '.join(job_kinds.KINDS)}."})
    if language not in job_kinds.LANGUAGES:
        raise invalid({"language": f"One of: {', '.join(job_kinds.LANGUAGES)}."})
    if idempotency_key is not None:
        found = _keyed(expo, idempotency_key, digest)
        if found is not None:
            return found, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                expo=expo,
                kind=kind,
                language=language,
                requested_by=requested_by[:200],
                idempotency_key=idempotency_key,
                request_digest=digest,
                send=send,
            )
    except IntegrityError:
        # The same key sent twice at once: the other request made the job.
        found = _keyed(expo, idempotency_key, digest) if idempotency_key else None
        if found is None:
            raise
        return found, False
    return job, True


def _keyed(expo: Expo, key: str, digest: str) -> ReportJob | None:
    found = ReportJob.objects.filter(expo=expo, idempotency_key=key).first()
    if found is not None and found.request_digest != digest:
        raise SmartExpoError(
            "idempotency_mismatch", "This Idempotency-Key was used with a different body."
        )
    return found


def job_claim(*, now=None) -> ReportJob | None:
    """Take the oldest queued job for this process (queued → running), or None.

    The UPDATE's condition is the claim: of two workers that read the same job, one changes
    the row and the other changes nothing and tries the next."""
    now = now or timezone.now()
    for pk in (
        ReportJob.objects.filter(status=JobStatus.QUEUED)
        .order_by("id")
        .values_list("pk", flat=True)[:20]
    ):
        taken = ReportJob.objects.filter(pk=pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            done=0,
            total=0,
            error="",
        )
        if taken:
            return ReportJob.objects.select_related("expo").get(pk=pk)
    return None


class ProgressWriter:
    """The `progress(done, total)` a builder calls: written to the job's row (with its
    heartbeat) at most every `every` seconds, so a builder may call it per item cheaply.
    `stop` is asked at each call; when it answers True the build is abandoned."""

    def __init__(self, job: ReportJob, *, every: float = PROGRESS_EVERY, stop=None) -> None:
        self.job = job
        self.every = every
        self.stop: Callable[[], bool] | None = stop
        self.written_at: float | None = None
        self.writes = 0
        self.last: tuple[int, int] = (0, 0)

    def __call__(self, done: int, total: int) -> None:
        if self.stop is not None and self.stop():
            raise JobInterrupted
        self.last = (max(0, int(done)), max(0, int(total)))
        moment = time.monotonic()
        if self.written_at is not None and moment - self.written_at < self.every:
            return
        self.written_at = moment
        self.writes += 1
        ReportJob.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).update(
            done=self.last[0], total=self.last[1], heartbeat_at=timezone.now()
        )


def job_run(job: ReportJob, *, stop=None, every: float = PROGRESS_EVERY) -> ReportJob:
    """Build a claimed job and record its outcome: the file, or the error's message (a
    failure is recorded, never raised). Asked to stop (`stop()` true at a progress call), the
    job is queued again. Returns the job as stored afterwards."""
    kind = job_kinds.kind_get(job.kind)
    running = ReportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
    writer = ProgressWriter(job, every=every, stop=stop)
    try:
        if kind is None:  # a kind removed from the registry since the job was queued
            raise SmartExpoError("invalid", f"No report of the kind {job.kind!r} any more.")
        with translation.override(job.language):
            body, content_type, filename = kind.builder(
                expo=job.expo,
                language=job.language,
                progress=writer,
            )
    except JobInterrupted:
        running.update(status=JobStatus.QUEUED, started_at=None, heartbeat_at=None)
    except Exception as exc:  # any failure is the job's outcome, not the worker's
        logger.exception("Report job %s (%s) failed", job.pk, job.kind)
        message = exc.message if isinstance(exc, SmartExpoError) else f"{type(exc).__name__}: {exc}"
        now = timezone.now()
        running.update(
            status=JobStatus.FAILED,
            error=message[:ERROR_CHARS],
            finished_at=now,
            expires_at=now + KEEP,
        )
    else:
        now = timezone.now()
        total = max(writer.last[1], 1)
        # Only while it is still ours: a job re-queued meanwhile (taken as abandoned) is
        # someone else's now.
        running.update(
            status=JobStatus.DONE,
            result=body,
            content_type=content_type,
            filename=filename,
            done=total,
            total=total,
            finished_at=now,
            heartbeat_at=now,
            expires_at=now + KEEP,
        )
    return ReportJob.objects.get(pk=job.pk)


def jobs_recover(*, now=None) -> int:
    """Queue again (or fail, after `MAX_ATTEMPTS` runs) the running jobs whose heartbeat is
    older than `STALE`: their process died. Returns how many were handled."""
    now = now or timezone.now()
    handled = 0
    for job in ReportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE):
        # Conditional on the heartbeat read: a job that just reported progress is left alone.
        same = ReportJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= MAX_ATTEMPTS:
            handled += same.update(
                status=JobStatus.FAILED,
                error=f"The report stopped without finishing {job.attempts} times.",
                finished_at=now,
                expires_at=now + KEEP,
            )
        else:
            handled += same.update(status=JobStatus.QUEUED, started_at=None, heartbeat_at=None)
    return handled


def jobs_expire(*, now=None) -> int:
    """Delete the jobs whose results are past keeping; how many."""
    now = now or timezone.now()
    deleted, _ = ReportJob.objects.filter(expires_at__lt=now).delete()
    return deleted
