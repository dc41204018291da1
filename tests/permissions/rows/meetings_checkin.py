"""The matrix's rows of check-in at business meetings (docs/meetings-checkin.md): scanning a
ticket at the meeting (a side of it: an exhibitor's token, its lead device, a visitor's manage
token; a table scanner, which no column holds, is asked in tests/meetings), and the organiser's
table scanners of a session."""

from __future__ import annotations

from tests.permissions.terms import Row, W, api

MEETINGS_CHECKIN = "API: business meeting check-in"
A = "/api/v1/expos/{expo}"

# The world's meetings on at `meeting_at`: Huawei with the other registration, R with it too.
# Scanning the other registration's ticket: Huawei's token and R's manage token are the other
# side (200); the other registration's own token scanning its own ticket is a 403 (a side never
# checks itself in); every other token is a 403, and no credential a 401.
_SCAN = {
    **api("200", "exhibitor"),
    "holder": "200",
    "other_holder": "403",
}

MEETINGS_CHECKIN_ROWS = [
    Row(
        MEETINGS_CHECKIN,
        "POST",
        A + "/meetings/checkin",
        _SCAN,
        json={"secret": W("other_secret"), "at": W("meeting_at")},
        note="the other side of the meeting on now (or a table scanner); never oneself",
    ),
    Row(
        MEETINGS_CHECKIN,
        "POST",
        A + "/meetings/sessions/{code}/devices",
        api("201", "organizer"),
        params={"code": "meeting_scan_session"},
        json={"name": "Table 1 scanner", "table": 1},
        note="a table scanner of the session; its token is shown once",
    ),
]
