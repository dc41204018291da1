"""Two real `smartexpo serve` processes on one database, each with its mailer and report
worker, as two servers behind a load balancer: a schedule due now is emailed once, not twice.

The servers use the test's own database (SQLite's file, or PostgreSQL's test database under
scripts/with-postgres.sh), which the test fills and commits first."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from smartexpo.reports.models import ReportJob, ReportSend
from smartexpo.reports.services.schedules import schedule_create
from tests.conftest import make_expo

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True)]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = quote(db["HOST"] or "localhost", safe="")
    return f"postgres://{db['USER']}@{host}:{db['PORT']}/{db['NAME']}"


def test_two_servers_send_the_daily_email_once(taxonomy, tmp_path: Path):
    today = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    expo = make_expo(
        slug="now-2019", starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(1)
    )
    assert today in expo.days
    schedule_create(
        expo=expo,
        recipients=["board@example.org"],
        send_time=dt.time(0, 0),  # due as soon as a worker looks
        kinds=["edition-xlsx"],
    )
    connection.close()  # the SQLite file is the servers' now; this test only reads it again
    servers, logs = [], []
    serve = [sys.executable, "-m", "smartexpo", "serve", "--workers", "1", "--no-folder"]
    for n in range(2):
        data = tmp_path / f"server{n}"
        data.mkdir()
        env = {
            **os.environ,
            "SMARTEXPO_DATA_DIR": str(data),
            "DATABASE_URL": _database_url(),
            "SMARTEXPO_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "smartexpo.settings",
        }
        log = data / "serve.log"
        logs.append(log)
        with log.open("wb") as out:
            servers.append(
                subprocess.Popen(
                    [*serve, "--port", str(_port())],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if ReportSend.objects.filter(sent_at__isnull=False).exists():
                break
            assert all(s.poll() is None for s in servers), [p.read_text()[-2000:] for p in logs]
            time.sleep(0.5)
        # A few more passes of both workers and mailers (every 2 s) find nothing to do.
        time.sleep(6)
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    (send,) = ReportSend.objects.all()
    assert send.sent_at is not None and send.attempts == 1 and send.day == today
    (job,) = ReportJob.objects.all()
    assert job.status == "done" and job.attempts == 1
    subjects = [
        line
        for log in logs
        for line in log.read_text(errors="replace").splitlines()
        if re.match(r"Subject: .*daily report of", line)
    ]
    assert len(subjects) == 1, subjects
    assert today.isoformat() in subjects[0]
