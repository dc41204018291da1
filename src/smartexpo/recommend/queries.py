"""The recommendations' SQL: each person's behaviour, read in one statement.

Behaviour is what a registration did that says what it cares about, as (registration, kind,
item, weight) rows: kind "e" an exhibitor (booth visits, one per day; leads; meeting requests
between the visitor and the exhibitor, either way, not declined nor cancelled), kind "s" a session
of the programme (a star, a reservation, attendance at the room door). The build reads every
registration's; a request reads one registration's, along the same indexes.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection

from smartexpo.core.db import table
from smartexpo.crowd.models import BoothVisit
from smartexpo.exhibitors.models import BoothAssignment
from smartexpo.programme.models import Attendance, Favourite, Reservation
from smartexpo.recommend.models import Dismissal, RecommenderModel
from smartexpo.tickets.models import Registration, Ticket
from smartexpo.venue.models import Booth

# How much one act says about an interest (a visit counts once a day).
WEIGHTS = {
    "visit": 1.0,
    "lead": 3.0,
    "meeting": 3.0,
    "favourite": 1.0,
    "reservation": 1.5,
    "attendance": 2.0,
}


def _lead_table() -> str | None:
    """The leads app's table, when the leads app is installed (it sits beside programme)."""
    try:
        return table(apps.get_model("leads", "Lead"))
    except LookupError:
        return None


def _meeting_tables() -> tuple[str, str] | None:
    """The meetings app's requests and participants tables, when it is installed (it sits
    above recommend: read by name, never imported)."""
    try:
        return (
            table(apps.get_model("meetings", "MeetingRequest")),
            table(apps.get_model("meetings", "Participant")),
        )
    except LookupError:
        return None


def _meetings_sql(one: bool) -> str | None:
    """A meeting request between a visitor and an exhibitor, pending or accepted, whichever
    side asked: as strong a sign as a lead (a declined or cancelled one says nothing)."""
    tables = _meeting_tables()
    if tables is None:
        return None
    requests, participants = tables
    if one:
        mine = f"SELECT id FROM {participants} WHERE registration_id = %s"
        where = f"(q.low_id IN ({mine}) OR q.high_id IN ({mine}))"
    else:
        where = "q.expo_id = %s"
    return (
        "SELECT COALESCE(a.registration_id, b.registration_id), 'e', "
        f"COALESCE(a.exhibitor_id, b.exhibitor_id), {WEIGHTS['meeting']} "
        f"FROM {requests} q JOIN {participants} a ON a.id = q.low_id "
        f"JOIN {participants} b ON b.id = q.high_id "
        "WHERE q.status IN ('pending', 'accepted') "
        # One side a visitor, the other an exhibitor.
        "AND (a.exhibitor_id IS NULL) <> (b.exhibitor_id IS NULL) "
        f"AND {where}"
    )


def _behaviour_sql(one: bool) -> str:
    where = "{col} = %s" if one else "{expo} = %s"
    visits = (
        f"SELECT t.registration_id, 'e', a.exhibitor_id, {WEIGHTS['visit']} * COUNT(*) "
        f"FROM {table(BoothVisit)} v "
        f"JOIN {table(Ticket)} t ON t.serial = v.serial AND t.expo_id = v.expo_id "
        f"JOIN {table(Booth)} b ON b.zone_id = v.zone_id "
        f"JOIN {table(BoothAssignment)} a ON a.booth_id = b.id "
        f"WHERE {where.format(col='t.registration_id', expo='v.expo_id')} "
        "GROUP BY t.registration_id, a.exhibitor_id"
    )
    sessions = [
        f"SELECT f.registration_id, 's', f.session_id, {WEIGHTS[kind]} "
        f"FROM {table(model)} f JOIN {table(Registration)} r ON r.id = f.registration_id "
        f"WHERE {where.format(col='f.registration_id', expo='r.expo_id')}"
        for kind, model in (
            ("favourite", Favourite),
            ("reservation", Reservation),
            ("attendance", Attendance),
        )
    ]
    parts = [visits, *sessions]
    leads = _lead_table()
    if leads:
        parts.append(
            f"SELECT f.registration_id, 'e', f.exhibitor_id, {WEIGHTS['lead']} "
            f"FROM {leads} f WHERE {where.format(col='f.registration_id', expo='f.expo_id')} "
            # A visitor who withdrew from an exhibitor took back what the lead said.
            "AND f.withdrawn_at IS NULL"
        )
    meetings = _meetings_sql(one)
    if meetings:
        parts.append(meetings)
    return " UNION ALL ".join(parts)


_sql: dict[bool, str] = {}


def behaviour_rows(*, expo_id: int, registration_id: int | None = None) -> list[tuple]:
    """(registration id, "e" | "s", item id, weight) rows of the edition's behaviour, or of
    one registration's (several rows may name one item: the caller adds them up)."""
    one = registration_id is not None
    if one not in _sql:
        _sql[one] = _behaviour_sql(one)
    sql = _sql[one]
    value = registration_id if one else expo_id
    with connection.cursor() as cursor:
        cursor.execute(sql, [value] * sql.count("%s"))
        return cursor.fetchall()


def newest_model(expo_id: int) -> tuple[int, object] | None:
    """The id and build instant (as the database hands it back) of the edition's newest
    recommender, along the index `recommender_newest`; None before the first build."""
    if "newest" not in _sql_text:
        _sql_text["newest"] = (
            f"SELECT id, built_at FROM {table(RecommenderModel)} WHERE expo_id = %s "
            "ORDER BY built_at DESC LIMIT 1"
        )
    with connection.cursor() as cursor:
        cursor.execute(_sql_text["newest"], [expo_id])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def declined_exhibitors(registration_id: int) -> frozenset[int]:
    """The exhibitors paired with the registration in a dismissal, by either side."""
    if "declined" not in _sql_text:
        _sql_text["declined"] = (
            f"SELECT exhibitor_id FROM {table(Dismissal)} WHERE registration_id = %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(_sql_text["declined"], [registration_id])
        return frozenset(row[0] for row in cursor.fetchall())


_sql_text: dict[str, str] = {}
