"""Visitors' seats at sessions, the waiting lists, favourites and the agenda feed.

A seat is taken by one conditional UPDATE of the session's `SessionSeats` row
(`confirmed < seats`), checked by its row count, so confirmed reservations never exceed the
seats under any concurrency, on SQLite and PostgreSQL alike, without a lock on the session.
A freed seat goes to the first on the waiting list in the same transaction (`waitlist_promote`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.programme.models import (
    AgendaFeed,
    Attendance,
    Favourite,
    Reservation,
    ReservationStatus,
    SessionSeats,
)
from smartexpo.programme.selectors import published_programme
from smartexpo.tickets.models import Registration, RegistrationStatus, Ticket, TicketStatus


def _published_session(registration: Registration, session_id: int) -> tuple[Any, dict]:
    published = published_programme(expo=registration.expo)
    record = published.by_id.get(session_id)
    if record is None:
        raise not_found("session")
    return published, record


def _ticket_for_day(registration: Registration, day: str) -> bool:
    if registration.status != RegistrationStatus.ACTIVE:
        return False
    return any(
        day in ticket.days
        for ticket in registration.tickets.filter(status=TicketStatus.VALID).only("days")
    )


def _seat_take(session_id: int) -> bool:
    return bool(
        SessionSeats.objects.filter(
            session_id=session_id, seats__isnull=False, confirmed__lt=F("seats")
        ).update(confirmed=F("confirmed") + 1)
    )


def _seat_free(session_id: int) -> None:
    SessionSeats.objects.filter(session_id=session_id, confirmed__gt=0).update(
        confirmed=F("confirmed") - 1
    )


def reservation_make(
    *, registration: Registration, session_id: int, force: bool = False, waitlist: bool = True
) -> tuple[Reservation, bool]:
    """Reserve a seat at a published session for a registration; returns the reservation
    and whether it is new (a repeat answers the reservation it already has, never a second
    seat). A full session puts the registration on its waiting list, or is refused with
    `session_full` when `waitlist` is false. Refusals: `not_found` (not in the published
    programme), `reservation_not_needed` (a session without seats), `no_ticket_for_day`,
    `agenda_conflict` (`detail.sessions`: its reservations that overlap) unless `force`.

    One registration's requests run one at a time (its row is locked, and SQLite writes one
    transaction at a time), so two overlapping sessions reserved at once still conflict."""
    published, record = _published_session(registration, session_id)
    if record["seats"] is None:
        raise SmartExpoError(
            "reservation_not_needed",
            _("This session needs no reservation: anyone with a ticket for the day may attend."),
            {"session": session_id},
        )
    try:
        with transaction.atomic():
            Registration.objects.select_for_update().filter(pk=registration.pk).first()
            existing = Reservation.objects.filter(
                session_id=session_id, registration=registration
            ).first()
            if existing is not None:
                return existing, False
            if not _ticket_for_day(registration, record["day"]):
                raise SmartExpoError(
                    "no_ticket_for_day",
                    _("None of your tickets is valid on %(day)s.") % {"day": record["day"]},
                    {"day": record["day"]},
                )
            held = Reservation.objects.filter(registration=registration).values_list(
                "session_id", flat=True
            )
            overlapping = published.overlapping(session_id, held)
            if overlapping and not force:
                raise SmartExpoError(
                    "agenda_conflict",
                    _("This session overlaps another in your agenda."),
                    {"sessions": overlapping},
                )
            if _seat_take(session_id):
                status, confirmed_at = ReservationStatus.CONFIRMED, timezone.now()
            elif not waitlist:
                raise SmartExpoError(
                    "session_full",
                    _("Every seat of this session is taken."),
                    {"session": session_id},
                )
            else:
                status, confirmed_at = ReservationStatus.WAITLISTED, None
            reservation = Reservation.objects.create(
                session_id=session_id,
                registration=registration,
                status=status,
                confirmed_at=confirmed_at,
                forced=bool(overlapping),
            )
    except IntegrityError:
        # A concurrent request of the same registration got there first (where the row lock
        # did not hold it back); the seat it took is the one.
        existing = Reservation.objects.filter(
            session_id=session_id, registration=registration
        ).first()
        if existing is None:
            raise
        return existing, False
    return reservation, True


@transaction.atomic
def reservation_cancel(*, registration: Registration, session_id: int) -> bool:
    """Give up a reservation or a place on the waiting list (whether the session is still
    published or not); a freed seat goes to the first on the waiting list. Returns whether
    there was one."""
    # The session's seats row is locked first, as every taking of a seat locks it first: the
    # cancellations and promotions of one session queue there, and none of them can hold a
    # reservation row that another, holding the seats, waits for (PostgreSQL found such
    # deadlocks between concurrent cancellations and their promotions).
    SessionSeats.objects.select_for_update().filter(session_id=session_id).first()
    reservation = (
        Reservation.objects.select_for_update()
        .filter(session_id=session_id, registration=registration)
        .first()
    )
    if reservation is None:
        return False
    # Deleted by id and counted: of two concurrent cancellations only one frees the seat.
    deleted, _rows = Reservation.objects.filter(pk=reservation.pk).delete()
    if deleted and reservation.status == ReservationStatus.CONFIRMED:
        _seat_free(session_id)
        waitlist_promote(session_id=session_id)
    return bool(deleted)


def waitlist_promote(*, session_id: int) -> list[int]:
    """Offer the session's free seats to its waiting list, first come first served; returns
    the reservations confirmed. Each takes a seat by the conditional UPDATE and then its own
    row by another (`status = waitlisted`), so two promotions at once never confirm one person
    twice nor anyone beyond the seats."""
    promoted = []
    with transaction.atomic():
        while _seat_take(session_id):
            candidate = (
                Reservation.objects.filter(
                    session_id=session_id, status=ReservationStatus.WAITLISTED
                )
                .order_by("id")
                .values_list("pk", flat=True)
                .first()
            )
            if candidate is None:
                _seat_free(session_id)
                break
            won = Reservation.objects.filter(
                pk=candidate, status=ReservationStatus.WAITLISTED
            ).update(status=ReservationStatus.CONFIRMED, confirmed_at=timezone.now())
            if won:
                promoted.append(candidate)
            else:
                _seat_free(session_id)
    return promoted


def reservations_release(*, registration: Registration) -> int:
    """Give up every reservation and waiting-list place of a registration (its seats go to
    the waiting lists); returns how many there were."""
    sessions = list(
        Reservation.objects.filter(registration=registration).values_list("session_id", flat=True)
    )
    for session_id in sessions:
        reservation_cancel(registration=registration, session_id=session_id)
    return len(sessions)


def registration_cancelled_followed(sender, *, registration: Registration, **kwargs) -> None:
    """Receiver of `tickets.signals.registration_cancelled`: a cancelled registration holds no
    tickets, so it gives its seats back in the cancellation's transaction."""
    reservations_release(registration=registration)


def registration_programme_erase(*, registration: Registration) -> dict[str, int]:
    """Erase what the programme holds of a person: reservations and waiting-list places are
    given up (their seats go to the waiting lists), starred sessions and the agenda feed
    address are deleted. Room-door attendance stays, tied to the ticket only, as the check-in
    log does: it is what the expo counted. Returns the numbers removed, for the audit log."""
    released = reservations_release(registration=registration)
    favourites, _rows = Favourite.objects.filter(registration=registration).delete()
    feeds, _rows = AgendaFeed.objects.filter(registration=registration).delete()
    return {"reservations": released, "favourites": favourites, "agenda_feeds": feeds}


def favourite_add(*, registration: Registration, session_id: int) -> bool:
    """Star a published session (no seat); returns whether it was not starred before."""
    _published_session(registration, session_id)
    try:
        with transaction.atomic():
            Favourite.objects.create(session_id=session_id, registration=registration)
    except IntegrityError:
        return False
    return True


def favourite_remove(*, registration: Registration, session_id: int) -> bool:
    """Unstar a session; returns whether it was starred."""
    deleted, _rows = Favourite.objects.filter(
        session_id=session_id, registration=registration
    ).delete()
    return bool(deleted)


def agenda_feed_secret(*, registration: Registration) -> str:
    """The secret of the registration's agenda feed (`/expos/{expo}/agenda/{secret}.ics`),
    made on first use."""
    feed = AgendaFeed.objects.filter(registration=registration).first()
    if feed is None:
        try:
            with transaction.atomic():
                feed = AgendaFeed.objects.create(
                    registration=registration, secret=secrets.token_urlsafe(24)
                )
        except IntegrityError:
            feed = AgendaFeed.objects.get(registration=registration)
    return feed.secret


def agenda_feed_renew(*, registration: Registration) -> str:
    """A new secret for the agenda feed: the old address stops working."""
    secret = secrets.token_urlsafe(24)
    AgendaFeed.objects.update_or_create(registration=registration, defaults={"secret": secret})
    return secret


def reservations_import(
    *, expo, rows: list[tuple[int, int]], waitlist: bool = True
) -> dict[str, int]:
    """Reserve seats for many registrations at once (an organiser's import, the demo's
    visitors): `rows` are (registration id, session id), taken first come first served in
    their order. Each published session with seats confirms as many of its rows as it has
    seats left, by the same conditional UPDATE as `reservation_make` (taking them all at
    once: `confirmed + k <= seats`, retried on a concurrent taker), so `SessionSeats.confirmed`
    stays exact and never exceeds the seats; the rest go on the waiting list, or are dropped
    when `waitlist` is false. Rows are skipped, not refused, when the registration already
    holds a place at the session, the session is not published or needs no reservation, or
    the registration has no valid ticket for its day. Conflicts between a registration's own
    sessions are the caller's to avoid. Returns the counts: confirmed, waitlisted, skipped."""
    published = published_programme(expo=expo)
    counts = {"confirmed": 0, "waitlisted": 0, "skipped": 0}
    wanted: dict[int, list[int]] = {}
    seen: set[tuple[int, int]] = set()
    for registration_id, session_id in rows:
        record = published.by_id.get(session_id)
        if record is None or record["seats"] is None or (registration_id, session_id) in seen:
            counts["skipped"] += 1
            continue
        seen.add((registration_id, session_id))
        wanted.setdefault(session_id, []).append(registration_id)
    registrations = {r for ids in wanted.values() for r in ids}
    days_of = _ticket_days(registrations)
    now = timezone.now()
    for session_id, ids in wanted.items():
        day = published.by_id[session_id]["day"]
        held = set(
            Reservation.objects.filter(session_id=session_id).values_list(
                "registration_id", flat=True
            )
        )
        fresh = [r for r in ids if r not in held and day in days_of.get(r, ())]
        counts["skipped"] += len(ids) - len(fresh)
        if not fresh:
            continue
        with transaction.atomic():
            taken = _seats_take_many(session_id, len(fresh))
            confirmed, rest = fresh[:taken], fresh[taken:] if waitlist else []
            counts["skipped"] += len(fresh) - taken - len(rest)
            Reservation.objects.bulk_create(
                [
                    Reservation(
                        session_id=session_id,
                        registration_id=r,
                        status=ReservationStatus.CONFIRMED,
                        created_at=now,
                        confirmed_at=now,
                    )
                    for r in confirmed
                ]
                + [
                    Reservation(
                        session_id=session_id,
                        registration_id=r,
                        status=ReservationStatus.WAITLISTED,
                        created_at=now,
                    )
                    for r in rest
                ],
                batch_size=1000,
            )
        counts["confirmed"] += len(confirmed)
        counts["waitlisted"] += len(rest)
    return counts


def _ticket_days(registration_ids: set[int]) -> dict[int, set[str]]:
    """The days each active registration holds a valid ticket for."""
    days: dict[int, set[str]] = {}
    ids = sorted(registration_ids)
    for start in range(0, len(ids), 500):  # SQLite's limit on query parameters
        for registration_id, ticket_days in Ticket.objects.filter(
            registration_id__in=ids[start : start + 500],
            registration__status=RegistrationStatus.ACTIVE,
            status=TicketStatus.VALID,
        ).values_list("registration_id", "days"):
            days.setdefault(registration_id, set()).update(ticket_days)
    return days


def _seats_take_many(session_id: int, wanted: int) -> int:
    """Take up to `wanted` seats of a session at once; returns how many were taken."""
    while True:
        row = SessionSeats.objects.filter(session_id=session_id, seats__isnull=False).values_list(
            "seats", "confirmed"
        )
        found = next(iter(row), None)
        if found is None:
            return 0
        k = min(wanted, max(found[0] - found[1], 0))
        if k == 0:
            return 0
        # Conditional on the count read: a concurrent taker makes it miss, and it reads again.
        if SessionSeats.objects.filter(
            session_id=session_id, confirmed=found[1], confirmed__lte=F("seats") - k
        ).update(confirmed=F("confirmed") + k):
            return k


def favourites_import(*, expo, rows: list[tuple[int, int]]) -> int:
    """Star published sessions for many registrations at once: `rows` are (registration id,
    session id); a session not in the published programme or a star already there is
    skipped. Returns how many stars were added."""
    published = published_programme(expo=expo)
    wanted = {(r, s) for r, s in rows if s in published.by_id}
    if not wanted:
        return 0
    sessions = sorted({s for _r, s in wanted})
    have = set(
        Favourite.objects.filter(session_id__in=sessions).values_list(
            "registration_id", "session_id"
        )
    )
    new = sorted(wanted - have)
    Favourite.objects.bulk_create(
        [Favourite(registration_id=r, session_id=s) for r, s in new],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(new)


@transaction.atomic
def registrations_programme_forget(*, registration_ids: list[int]) -> None:
    """Remove everything the programme holds of these registrations (reservations, places on
    waiting lists, stars, agenda feeds, attendance) before they are deleted in bulk, and
    recount the confirmed seats of the sessions concerned. Freed seats are not offered to the
    waiting lists: that is the next release's or cancellation's to do."""
    sessions: set[int] = set()
    for start in range(0, len(registration_ids), 500):  # SQLite's limit on query parameters
        chunk = registration_ids[start : start + 500]
        reservations = Reservation.objects.filter(registration_id__in=chunk)
        sessions.update(reservations.values_list("session_id", flat=True).distinct())
        reservations.delete()
        Favourite.objects.filter(registration_id__in=chunk).delete()
        AgendaFeed.objects.filter(registration_id__in=chunk).delete()
        Attendance.objects.filter(registration_id__in=chunk).delete()
    if sessions:
        counted = (
            Reservation.objects.filter(
                session_id=OuterRef("session_id"), status=ReservationStatus.CONFIRMED
            )
            .values("session_id")
            .annotate(n=Count("id"))
            .values("n")
        )
        SessionSeats.objects.filter(session_id__in=sorted(sessions)).update(
            confirmed=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
        )
