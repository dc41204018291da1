"""Attendance at the room door: who check-in let into which session.

Check-in calls these on every admission at a room's door into a session (online, in a synced
batch, in a bulk import), inside its own transaction, so a scan rolled back leaves no
attendance behind. A ticket is counted once per session: a re-entry after stepping out, or
the same admission synced twice, changes nothing (the `attendance_once` unique constraint,
written with `ignore_conflicts`, so no concurrent scan can count it twice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from smartexpo.programme.models import Attendance


def attendance_record(
    *, session_id: int, ticket_id: int, registration_id: int, at: dt.datetime
) -> bool:
    """Count a ticket as checked in at a session at `at` (the scan's instant); returns whether
    it was not counted before. Idempotent per session and ticket: the first admission's time
    is kept."""
    return bool(
        attendance_record_many(rows=[(session_id, ticket_id, registration_id, at)], report_new=True)
    )


def attendance_record_many(
    *, rows: Iterable[tuple[int, int, int, dt.datetime]], report_new: bool = False
) -> int:
    """Count many admissions at room doors at once: `(session id, ticket id, registration id,
    instant)` each, in the order they happened (the earliest of a ticket's admissions to a
    session is the one kept). Returns how many were new when `report_new` (one more query),
    else 0."""
    first: dict[tuple[int, int], Attendance] = {}
    for session_id, ticket_id, registration_id, at in rows:
        key = (session_id, ticket_id)
        if key not in first or at < first[key].checked_in_at:
            first[key] = Attendance(
                session_id=session_id,
                ticket_id=ticket_id,
                registration_id=registration_id,
                checked_in_at=at,
            )
    if not first:
        return 0
    before = _counted(first) if report_new else 0
    Attendance.objects.bulk_create(list(first.values()), ignore_conflicts=True, batch_size=1000)
    return len(first) - before if report_new else 0


def _counted(items: dict[tuple[int, int], Attendance]) -> int:
    sessions = {s for s, _t in items}
    tickets = {t for _s, t in items}
    found = Attendance.objects.filter(session_id__in=sessions, ticket_id__in=tickets).values_list(
        "session_id", "ticket_id"
    )
    return sum(1 for pair in found if pair in items)
