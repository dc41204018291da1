"""Report jobs (an export built in the background) and the organisers' daily report emails.

The reports app keeps no figures of its own (they are read from the apps that own them); what
it keeps here is work: exports asked for and their results, and the daily emails' schedules.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ReportJob(models.Model):
    """One export asked for (through the API, the dashboard or a daily email's schedule).

    The result is kept in the database, not under SMARTEXPO_DATA_DIR: several servers may share
    one PostgreSQL but not one disk, and the job may be built by one server and downloaded
    from another. The results are a few hundred kilobytes and expire after a week."""

    expo = models.ForeignKey("venue.Expo", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    language = models.CharField(max_length=10)
    requested_by = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.BinaryField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life of the process running it: a running job without one for
    # `jobs.STALE` is taken as abandoned (its process died).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # An API client's Idempotency-Key and a digest of the body it came with.
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    request_digest = models.CharField(max_length=64, blank=True)
    # The daily email this job is an attachment of, if any.
    send = models.ForeignKey(
        "reports.ReportSend", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        indexes = [models.Index(fields=["status", "id"]), models.Index(fields=["expo", "-id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["expo", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="reports_job_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ReportSchedule(models.Model):
    """A daily report by email during the show, to a few addresses, at a local time."""

    expo = models.ForeignKey("venue.Expo", on_delete=models.CASCADE, related_name="+")
    recipients = models.JSONField(default=list)
    send_time = models.TimeField()
    language = models.CharField(max_length=10, default="en")
    kinds = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily report email")
        verbose_name_plural = _("daily report emails")

    def __str__(self) -> str:
        return f"{self.expo_id} {self.send_time:%H:%M} → {', '.join(self.recipients)}"


class ReportSend(models.Model):
    """One day's email of a schedule: the row whose uniqueness makes it once a day, whichever
    server claims it first, and the outbox entry the mailer sends once its jobs are over."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="sends")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["schedule", "day"], name="reports_send_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.day}"


class SharedAnswer(models.Model):
    """An answer built once for every worker of every server: the organiser's dashboard, which
    at 700,000 visitors takes about a second of Python to build (`reports.dashboard_shared`).

    The report worker rebuilds the answers that were asked for lately (`wanted_until`) every
    interval, under the catalogue stamp it read before building (`version`); the web workers
    read the bytes back instead of building them each in turn."""

    key = models.CharField(max_length=100, unique=True)
    version = models.CharField(max_length=40, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    body = models.BinaryField(null=True, blank=True)
    # A web worker asked for it: rebuilt until then.
    wanted_until = models.DateTimeField(null=True, blank=True)
    # Claimed by a builder until then (two report workers never build it both).
    lease_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
