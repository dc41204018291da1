"""The organiser's dashboard built once for every worker of every server, by the report worker
(docs/reports.md, "Speed at the reference scale").

At 700,000 visitors a build of the dashboard's payload is about a second of Python. Built in
each web worker every interval (`dashboard_cache`), it held that worker's interpreter lock
for as long, and the polls queued behind it: p99 of 180–250 ms where 100 ms is the target.
So the report worker (`smartexpo reports run-jobs`, which `serve` starts) runs a `Refresher`
thread that rebuilds every answer asked for in the last minute once per interval, and stores
its `data.json` bytes (`SharedAnswer`); a web worker reads a row's instant at most once a
second and its bytes only when they changed, and answers them as they are.

An answer is served only under the catalogue stamp it was built under (`core.stamps`: a new
ticket type shows at once), and only while the refresher is alive and the answer recent. Else
(no report worker anywhere: `serve --no-report-worker`, tests; a new stamp not rebuilt yet)
`answer` says None and the dashboard is built in the process as before (`dashboard_cache`),
so the page never depends on the worker to be right.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from smartexpo.core.periodic import Periodic
from smartexpo.core.stamps import stamp_read
from smartexpo.reports import dashboard_render
from smartexpo.reports.dashboard_cache import cache_seconds, dashboard_payload
from smartexpo.reports.models import SharedAnswer
from smartexpo.venue.models import Expo

logger = logging.getLogger(__name__)

REFRESHER_KEY = "refresher"
# The refresher writes its heartbeat every pass (about a second); a heartbeat older than this
# means no report worker runs, and the processes build their own.
ALIVE = dt.timedelta(seconds=5)
# An answer asked for is rebuilt until this long after the last ask.
WANTED = dt.timedelta(seconds=60)
# An answer this much older than the interval is not served (its builds fail, or lag).
LATE = dt.timedelta(seconds=30)
# A build claimed by a refresher that died is taken up again after this.
LEASE = dt.timedelta(seconds=60)
# A web process looks at a row at most this often.
CHECK_SECONDS = 1.0
PASS_SECONDS = 1.0


def key_of(expo_id: int, language: str) -> str:
    return f"dashboard:{expo_id}:{language}"


@dataclass
class _Seen:
    version: str
    built_at: dt.datetime | None
    body: bytes | None
    checked: float  # time.monotonic() of the last look at the row


class _Answers:
    """What this process has read of the stored answers, and of the refresher's heartbeat."""

    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}
        self._alive: tuple[bool, float] = (False, -1e9)
        self._lock = threading.Lock()

    def refresher_alive(self) -> bool:
        with self._lock:
            alive, checked = self._alive
        if time.monotonic() - checked < CHECK_SECONDS:
            return alive
        beat = (
            SharedAnswer.objects.filter(key=REFRESHER_KEY)
            .values_list("built_at", flat=True)
            .first()
        )
        alive = beat is not None and beat > timezone.now() - ALIVE
        with self._lock:
            self._alive = (alive, time.monotonic())
        return alive

    def body(self, key: str, version: str) -> bytes | None:
        with self._lock:
            seen = self._seen.get(key)
        now_mono = time.monotonic()
        if seen is not None and seen.version == version and now_mono - seen.checked < CHECK_SECONDS:
            return seen.body
        now = timezone.now()
        row = (
            SharedAnswer.objects.filter(key=key)
            .values_list("version", "built_at", "wanted_until")
            .first()
        )
        if row is None or row[2] is None or row[2] < now + WANTED / 2:
            _want(key, until=now + WANTED)
        usable = (
            row is not None
            and row[0] == version
            and row[1] is not None
            and row[1] > now - dt.timedelta(seconds=cache_seconds()) - LATE
        )
        if not usable:
            with self._lock:
                self._seen.pop(key, None)
            return None
        if seen is None or seen.version != version or seen.built_at != row[1]:
            stored = SharedAnswer.objects.filter(key=key, built_at=row[1]).values_list(
                "body", flat=True
            )
            found = stored.first()
            if found is None:  # rebuilt between the two reads: the next request reads it
                return None
            seen = _Seen(version, row[1], bytes(found), now_mono)
        else:
            seen.checked = now_mono
        with self._lock:
            self._seen[key] = seen
        return seen.body

    def forget(self) -> None:
        with self._lock:
            self._seen.clear()
            self._alive = (False, -1e9)


_answers = _Answers()


def _want(key: str, *, until: dt.datetime) -> None:
    """Ask the refresher to keep `key` built until `until` (the row made at the first ask)."""
    if SharedAnswer.objects.filter(key=key).update(wanted_until=until):
        return
    try:
        with transaction.atomic():
            SharedAnswer.objects.create(key=key, wanted_until=until)
    except IntegrityError:  # another worker made it meanwhile
        SharedAnswer.objects.filter(key=key).update(wanted_until=until)


def _beat(now: dt.datetime) -> None:
    """The refresher's heartbeat: the web processes use the stored answers while it is recent."""
    if SharedAnswer.objects.filter(key=REFRESHER_KEY).update(built_at=now):
        return
    try:
        with transaction.atomic():
            SharedAnswer.objects.create(key=REFRESHER_KEY, built_at=now)
    except IntegrityError:
        SharedAnswer.objects.filter(key=REFRESHER_KEY).update(built_at=now)


def answer(*, expo: Expo) -> bytes | None:
    """The dashboard's `data.json` body built by the report worker, in the active language, or
    None when the process is to build its own (see the module's docstring)."""
    if not _answers.refresher_alive():
        return None
    stamp = stamp_read()
    if stamp is None:
        return None
    language = translation.get_language() or settings.LANGUAGE_CODE
    return _answers.body(key_of(expo.pk, language), str(stamp))


def forget() -> None:
    """Drop what this process has read (tests, whose databases start over)."""
    _answers.forget()


def build(key: str) -> bytes | None:
    """The answer of `key` built now, or None when its edition is gone."""
    _kind, expo_id, language = key.split(":", 2)
    edition = Expo.objects.filter(pk=int(expo_id)).first()
    if edition is None:
        return None
    with translation.override(language):
        return dashboard_render.body(edition, dashboard_payload(expo=edition))


def refresh_pass(*, now: dt.datetime | None = None) -> int:
    """Write the refresher's heartbeat, then rebuild every answer asked for lately whose
    stored one is older than the interval or of another stamp; how many were rebuilt."""
    now = now or timezone.now()
    _beat(now)
    stamp = stamp_read()
    if stamp is None:
        return 0
    version = str(stamp)
    recent = now - dt.timedelta(seconds=cache_seconds())
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = (
        SharedAnswer.objects.filter(free, wanted_until__gt=now, key__startswith="dashboard:")
        .exclude(version=version, built_at__gt=recent)
        .values_list("key", flat=True)
    )
    built = 0
    for key in list(due):
        # A conditional claim: two report workers (two servers) never build one answer both.
        if not SharedAnswer.objects.filter(free, key=key).update(lease_until=now + LEASE):
            continue
        started = timezone.now()
        try:
            body = build(key)
        except Exception:  # one edition's failure must not stop the others' answers
            logger.exception("The dashboard answer %s could not be built", key)
            SharedAnswer.objects.filter(key=key).update(lease_until=None)
            continue
        if body is None:
            SharedAnswer.objects.filter(key=key).delete()
            continue
        SharedAnswer.objects.filter(key=key).update(
            version=version, built_at=started, body=body, lease_until=None
        )
        built += 1
    return built


class Refresher(Periodic):
    """A daemon thread of the report worker running `refresh_pass` every second until
    `stop()`; a failed pass is logged and tried again."""

    def __init__(self, interval: float = PASS_SECONDS):
        super().__init__(
            name="dashboard-refresher",
            interval=interval,
            work=refresh_pass,
            logger=logger,
            failure="Refreshing the dashboards failed",
        )
