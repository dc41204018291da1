"""Two workers at once, each in its own thread with its own database connection, against the
same database (SQLite here, PostgreSQL under scripts/with-postgres.sh): a day's email is
claimed, built and sent once, and a job is built once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from smartexpo.reports import job_kinds
from smartexpo.reports.models import ReportJob, ReportSend
from smartexpo.reports.services import jobs, schedules
from smartexpo.reports.worker import worker_pass

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(work, n: int = 2) -> list:
    """`work()` in `n` threads released together; their results (a raised error re-raised)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = work()
        except BaseException as exc:  # re-raised in the test's thread below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_the_daily_email_is_sent_once_with_two_workers(expo):
    made = [
        schedules.schedule_create(
            expo=expo,
            recipients=[f"board{n}@example.org"],
            send_time=dt.time(18, n * 10),
            kinds=["edition-xlsx"],
        )
        for n in range(4)
    ]
    for day in ("2019-08-26", "2019-08-27"):
        now = dt.datetime.fromisoformat(f"{day}T19:00").replace(tzinfo=expo.tz)
        claims = at_once(lambda now=now: schedules.schedules_claim_due(now=now))
        # Each schedule's day claimed by one worker only, the four of them in all.
        ids = [send.schedule_id for claimed in claims for send in claimed]
        assert sorted(ids) == sorted(s.pk for s in made)
        # Both workers build and send at once, and again (a second pass finds nothing).
        at_once(lambda now=now: worker_pass(now=now))
        at_once(schedules.report_emails_send)
        at_once(lambda now=now: worker_pass(now=now))
        at_once(schedules.report_emails_send)
    assert ReportSend.objects.count() == 8
    assert all(job.attempts == 1 for job in ReportJob.objects.all())
    assert len(mail.outbox) == 8
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [f"board{n}@example.org" for n in range(4)] * 2
    )


def test_two_workers_never_build_one_job_twice(expo, monkeypatch):
    built: list[int] = []
    lock = threading.Lock()

    def counted(*, expo, language, progress):
        with lock:
            built.append(threading.get_ident())
        progress(1, 1)
        return b"ok", "text/plain", "ok.txt"

    monkeypatch.setitem(job_kinds.KINDS, "counted", job_kinds.JobKind("Counted", counted))
    for _ in range(30):
        jobs.job_create(expo=expo, kind="counted")
    runs = at_once(worker_pass)
    assert sum(runs) == 30 == len(built)
    assert ReportJob.objects.filter(status="done", attempts=1).count() == 30
