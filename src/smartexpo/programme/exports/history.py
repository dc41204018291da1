"""Reads of the releases' history for the feeds: how often each session's published record
changed, when, and what a session that left the programme last looked like.

Calendar apps decide whether an event changed by its SEQUENCE and LAST-MODIFIED. Both follow
from the releases alone: every release's `changes` (written by `snapshot.changes_between`) says
which sessions were added, moved, changed or cancelled, so one read of the small `changes`
column of each release, without their sessions, gives every session's revision. Only a feed that
shows a session gone from the programme (a personal agenda) loads the release before it left,
to show its last published record as cancelled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from typing import Any

from smartexpo.programme.exports.common import ReleaseMemo, release_key
from smartexpo.programme.models import Release
from smartexpo.programme.selectors import Published
from smartexpo.venue.models import Expo


@dataclasses.dataclass(frozen=True)
class Revision:
    """Where a session stands in the releases up to the latest.

    `sequence` counts the releases that changed its published record after its first: moved,
    changed, cancelled (it left the programme) or added again after leaving. `modified` is
    when the last of them was published, `created` when it first was; `left_in` is the version
    of the release it left the programme in (None while it is published)."""

    sequence: int
    created: dt.datetime
    modified: dt.datetime
    left_in: int | None


@dataclasses.dataclass
class History:
    revisions: dict[int, Revision]
    # The last published records of sessions that left the programme, loaded when first asked.
    gone: dict[int, dict[str, Any]] = dataclasses.field(default_factory=dict)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


_histories = ReleaseMemo()


def _revisions(rows) -> dict[int, Revision]:
    found: dict[int, Revision] = {}

    def bump(pk: int, at: dt.datetime, left_in: int | None = None) -> None:
        was = found.get(pk)
        if was is None:
            found[pk] = Revision(0, at, at, left_in)
        else:
            found[pk] = Revision(was.sequence + 1, was.created, at, left_in)

    for version, published_at, changes in rows:
        changes = changes or {}
        for pk in changes.get("added", []):
            bump(pk, published_at)
        for pk in [*changes.get("changed", []), *(m["id"] for m in changes.get("moved", []))]:
            bump(pk, published_at)
        for pk in changes.get("cancelled", []):
            bump(pk, published_at, left_in=version)
    return found


def release_history(*, expo: Expo, published: Published) -> History:
    """The revisions of every session ever published, up to `published` (the release the
    caller reads), kept until the next release."""

    def build() -> History:
        rows = (
            Release.objects.filter(expo=expo, version__lte=published.version)
            .order_by("version")
            .values_list("version", "published_at", "changes")
        )
        return History(_revisions(rows))

    return _histories.get((expo.pk,), release_key(published), build)


def last_records(*, expo: Expo, history: History, session_ids) -> dict[int, dict[str, Any]]:
    """The last published record of each of these sessions that left the programme: the one in
    the release before the one it left in."""
    wanted = {
        pk: history.revisions[pk].left_in
        for pk in session_ids
        if pk in history.revisions and history.revisions[pk].left_in is not None
    }
    missing = {pk: version for pk, version in wanted.items() if pk not in history.gone}
    for version in sorted(set(missing.values())):
        sessions = (
            Release.objects.filter(expo=expo, version__lt=version)
            .order_by("-version")
            .values_list("sessions", flat=True)
            .first()
        ) or []
        ids = {pk for pk, left in missing.items() if left == version}
        with history.lock:
            history.gone.update({r["id"]: r for r in sessions if r["id"] in ids})
    return {pk: history.gone[pk] for pk in wanted if pk in history.gone}
