"""The matrix's rows of business meetings' scheduling: solving a session (the organiser) and a
session's meetings (the organiser sees all; an exhibitor's token or any registration's manage
token sees its own participant's, so both holders succeed)."""

from __future__ import annotations

from tests.permissions.terms import Row, api

SCHEDULE = "API: business meetings (schedule)"
A = "/api/v1/expos/{expo}/meetings/sessions/{code}"
SESSION = {"code": "meeting_session"}

MEETINGS_SCHEDULE_ROWS = [
    Row(
        SCHEDULE,
        "POST",
        A + "/solve",
        api("200", "organizer"),
        params=SESSION,
        query={"dry_run": "true", "time_limit": 1},
        note="asked as a dry run (the world keeps its meetings); a manage token is a 401",
    ),
    Row(
        SCHEDULE,
        "GET",
        A + "/meetings",
        {**api("200", "organizer", "exhibitor", "holder"), "other_holder": "200"},
        params=SESSION,
        note="the organiser sees all; an exhibitor or a registration its own (none: empty)",
    ),
]
