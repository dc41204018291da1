"""The organisers' daily report emails: schedules, the once-a-day claim, and the outbox the
mailer sends them from (registered with `core.outboxes` in `ReportsConfig.ready`).

Once a day per schedule, whatever the number of servers: the day's `ReportSend` row is
inserted in a transaction, and the unique (schedule, day) constraint lets exactly one insert
commit; the others fail and move on. The same transaction queues the day's jobs, so a claimed
day always has its reports coming. The email is sent by the mailer once those jobs are over,
claimed with a lease by a conditional UPDATE as the other outboxes are.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartexpo.core.errors import invalid
from smartexpo.reports import job_kinds
from smartexpo.reports.models import JobStatus, ReportJob, ReportSchedule, ReportSend
from smartexpo.reports.services.jobs import KEEP, job_create
from smartexpo.venue.models import Expo

logger = logging.getLogger("smartexpo.mail")

MAX_RECIPIENTS = 20
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5


def _checked(*, recipients: list[str], send_time: dt.time, language: str, kinds: list[str]) -> dict:
    fields: dict[str, str] = {}
    cleaned = list(dict.fromkeys(r.strip().lower() for r in recipients if r and r.strip()))
    if not cleaned:
        fields["recipients"] = _("Give at least one email address.")
    elif len(cleaned) > MAX_RECIPIENTS:
        fields["recipients"] = _("At most %(n)s addresses.") % {"n": MAX_RECIPIENTS}
    else:
        for address in cleaned:
            try:
                validate_email(address)
            except ValidationError:
                fields["recipients"] = _("%(address)s is not an email address.") % {
                    "address": address
                }
                break
    if not isinstance(send_time, dt.time):
        fields["send_time"] = _("A time of day, such as 18:30.")
    if language not in job_kinds.LANGUAGES:
        fields["language"] = _("English or Chinese.")
    chosen = list(dict.fromkeys(kinds))
    if not chosen:
        fields["kinds"] = _("Choose at least one report.")
    elif any(job_kinds.kind_get(k) is None for k in chosen):
        fields["kinds"] = _("Unknown report: one of %(kinds)s.") % {
            "kinds": ", ".join(k for k, _label in job_kinds.emailed_choices())
        }
    elif not all(job_kinds.kind_get(k).emailed for k in chosen):
        fields["kinds"] = _(
            "Every exhibitor's report is too large for an email: build it from the dashboard."
        )
    if fields:
        raise invalid(fields)
    return {
        "recipients": cleaned,
        "send_time": send_time.replace(second=0, microsecond=0, tzinfo=None),
        "language": language,
        "kinds": chosen,
    }


def schedule_create(
    *,
    expo: Expo,
    recipients: list[str],
    send_time: dt.time,
    language: str = "en",
    kinds: list[str],
    active: bool = True,
    created_by: str = "",
) -> ReportSchedule:
    """A daily report email; `422 invalid` naming each field at fault (addresses, time,
    language, kinds)."""
    values = _checked(recipients=recipients, send_time=send_time, language=language, kinds=kinds)
    return ReportSchedule.objects.create(
        expo=expo, active=active, created_by=created_by[:200], **values
    )


def schedule_update(
    *,
    schedule: ReportSchedule,
    recipients: list[str],
    send_time: dt.time,
    language: str,
    kinds: list[str],
    active: bool,
) -> ReportSchedule:
    """Change a schedule (pausing it is `active=False`); checked as `schedule_create`. A day
    already sent stays sent: the change shows from the next day."""
    values = _checked(recipients=recipients, send_time=send_time, language=language, kinds=kinds)
    for name, value in values.items():
        setattr(schedule, name, value)
    schedule.active = active
    schedule.save()
    return schedule


def schedule_delete(*, schedule: ReportSchedule) -> None:
    """Remove a schedule and the record of its days (their jobs stay until they expire)."""
    schedule.delete()


def send_days(expo: Expo) -> list[dt.date]:
    """The days a schedule sends on: each show day, and the day after the last (the whole
    show's final report, sent once its figures are complete)."""
    days = list(expo.days)
    return [*days, expo.ends_on + dt.timedelta(days=1)]


def schedules_claim_due(*, now: dt.datetime | None = None) -> list[ReportSend]:
    """Claim today's email of every active schedule whose local send time has passed today
    (today in the edition's time zone, on a sending day), queueing its reports; the days this
    call claimed. A day claimed by another server, now or before, is left to it.

    A server that was down at the send time sends later the same day; a day that ended while
    no server ran is not caught up (a report of yesterday's figures would mislead)."""
    now = now or timezone.now()
    claimed = []
    for schedule in ReportSchedule.objects.filter(active=True).select_related("expo"):
        local = now.astimezone(schedule.expo.tz)
        day = local.date()
        if day not in send_days(schedule.expo) or local.time() < schedule.send_time:
            continue
        if ReportSend.objects.filter(schedule=schedule, day=day).exists():
            continue
        try:
            with transaction.atomic():
                send = ReportSend.objects.create(schedule=schedule, day=day)
                for kind in schedule.kinds:
                    if job_kinds.kind_get(kind) is None:
                        continue
                    job_create(
                        expo=schedule.expo,
                        kind=kind,
                        language=schedule.language,
                        requested_by=f"daily email {schedule.pk}",
                        send=send,
                    )
        except IntegrityError:
            continue  # another server claimed this day between the check and the insert
        claimed.append(send)
    return claimed


def report_message(send: ReportSend) -> EmailMessage:
    """The day's email, in the schedule's language, with each finished report attached and
    the failed ones named."""
    schedule = send.schedule
    expo = schedule.expo
    jobs = list(ReportJob.objects.filter(send=send).order_by("id"))
    with translation.override(schedule.language):
        name = expo.names["zh" if schedule.language.startswith("zh") else "en"]
        final = send.day > expo.ends_on
        subject = (
            _("%(name)s: final report") if final else _("%(name)s: daily report of %(day)s")
        ) % {"name": name, "day": send.day.isoformat()}
        lines = [subject, ""]
        message = EmailMessage(
            subject=subject, to=list(schedule.recipients), from_email=settings.DEFAULT_FROM_EMAIL
        )
        for job in jobs:
            label = (
                str(job_kinds.KINDS[job.kind].label) if job.kind in job_kinds.KINDS else job.kind
            )
            if job.status == JobStatus.DONE and job.result is not None:
                message.attach(job.filename, bytes(job.result), job.content_type)
                lines.append(
                    _("Attached: %(label)s (%(file)s)") % {"label": label, "file": job.filename}
                )
            else:
                lines.append(
                    _("Not attached: %(label)s could not be built (%(error)s).")
                    % {"label": label, "error": job.error or job.status}
                )
        lines += [
            "",
            _("You receive this email because an organiser of %(name)s scheduled it.")
            % {"name": name},
        ]
        message.body = "\n".join(lines)
    return message


def report_emails_send(*, limit: int = 50) -> int:
    """Send the claimed days' emails whose reports are all over (built or failed); how many
    were sent. Each is claimed with a five-minute lease by a conditional UPDATE, so two
    mailers never both send one; a mailer that died is replaced once the lease runs out."""
    now = timezone.now()
    claimable = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    waiting = (
        ReportSend.objects.filter(
            claimable, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS, created_at__gt=now - KEEP
        )
        .exclude(jobs__status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(waiting):
        stamp = now + LEASE + timedelta(microseconds=secrets.randbelow(1_000_000))
        mine = ReportSend.objects.filter(claimable, pk=pk, sent_at__isnull=True).update(
            lease_until=stamp, attempts=F("attempts") + 1
        )
        if not mine:
            continue
        send = ReportSend.objects.select_related("schedule__expo").get(pk=pk)
        try:
            report_message(send).send()
        except Exception as exc:  # a mail server's refusal must not stop the other emails
            logger.exception("Daily report email %s failed", pk)
            ReportSend.objects.filter(pk=pk).update(error=str(exc)[:1000])
            continue
        ReportSend.objects.filter(pk=pk, lease_until=stamp).update(
            sent_at=timezone.now(), lease_until=None, error=""
        )
        sent += 1
    return sent
