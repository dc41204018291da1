"""The programme's bulk services (an organiser's import, the demo's visitors): seats taken
many at once stay exact under concurrency; sessions imported at once are checked whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from smartexpo.core.errors import SmartExpoError
from smartexpo.programme.models import Reservation, ReservationStatus, Session, SessionSeats
from smartexpo.programme.services.editing import sessions_import
from smartexpo.programme.services.reservations import favourites_import, reservations_import
from tests.conftest import public_day_pass, register
from tests.programme.conftest import at


@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_never_confirm_more_than_the_seats(expo, programme):
    # On PostgreSQL the four imports really overlap: an unconditional UPDATE confirms all 12.
    public_day_pass(expo, quota_per_day=100)
    people = [register(expo, n).registration.pk for n in range(1, 13)]
    silk = programme["sessions"]["silk"].pk  # 3 seats
    barrier = threading.Barrier(4)
    results, failures = [], []

    def take(mine):
        try:
            barrier.wait()
            results.append(reservations_import(expo=expo, rows=[(r, silk) for r in mine]))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(people[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert sum(r["confirmed"] for r in results) == 3
    assert sum(r["waitlisted"] for r in results) == 9
    assert SessionSeats.objects.get(session_id=silk).confirmed == 3
    assert (
        Reservation.objects.filter(session_id=silk, status=ReservationStatus.CONFIRMED).count() == 3
    )


def test_a_session_that_needs_no_seat_is_skipped_and_stars_are_added_once(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    person = register(expo, 1).registration.pk
    keynote = programme["sessions"]["keynote"].pk
    assert reservations_import(expo=expo, rows=[(person, keynote)])["skipped"] == 1
    assert favourites_import(expo=expo, rows=[(person, keynote), (person, 10**9)]) == 1
    assert favourites_import(expo=expo, rows=[(person, keynote)]) == 0


def test_sessions_import_saves_all_or_nothing_and_answers_the_warnings(expo, programme):
    row = {
        "forum": "main",
        "room": "R1",
        "title_en": "Imported talk",
        "starts_at": at(26, 15),
        "ends_at": at(26, 16),
        "tags": ["5g"],
    }
    before = Session.objects.count()
    with pytest.raises(SmartExpoError) as refused:
        sessions_import(expo=expo, rows=[row, {**row, "room": "nowhere", "tags": ["nope"]}])
    assert set(refused.value.detail["fields"]) >= {"1.room", "1.tags"}
    assert Session.objects.count() == before
    # Two in one room at once: saved, with the warning.
    warnings = sessions_import(expo=expo, rows=[row, {**row, "title_en": "Twin"}])
    assert Session.objects.count() == before + 2
    assert "room_double_booked" in {w.code for w in warnings}
    imported = Session.objects.get(title_en="Imported talk")
    assert [t.code for t in imported.tags.all()] == ["5g"]
