"""The booking curve's counts kept per process and read on from the last ticket read: always the
full read's answer, after new registrations, a cancellation, a deletion, and by an instant."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from smartexpo.planning import bookings_kept as kept
from smartexpo.planning import queries
from smartexpo.tickets.models import Registration, Ticket
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.planning import forecast_world


@pytest.fixture
def edition(db, taxonomy):
    expo = forecast_world.edition_make("k-2019", dt.date(2019, 8, 26), 3)
    forecast_world.register(expo, random.Random(5), 6, 3, 0)
    return expo


def opening(expo):
    return dt.datetime.combine(expo.starts_on, expo.opens_at, tzinfo=expo.tz)


def full(expo, until=None):
    return sorted(queries.bookings(expo_id=expo.pk, opening=opening(expo), until=until))


def incremental(expo, until=None):
    return sorted(kept.bookings_kept(expo_id=expo.pk, opening=opening(expo), until=until))


def test_new_registrations_are_added_to_the_counts_kept(edition, django_assert_num_queries):
    assert incremental(edition) == full(edition) != []
    before = sum(n for *_r, n in full(edition))
    forecast_world.register(edition, random.Random(6), 2, 1, 0)
    assert incremental(edition) == full(edition)
    assert sum(n for *_r, n in full(edition)) > before
    # Nothing new: the fingerprint and the new tickets only, no ticket-day is read.
    expected = full(edition)
    with django_assert_num_queries(3):
        assert incremental(edition) == expected


def test_a_cancellation_is_a_full_read(edition):
    assert incremental(edition) == full(edition)
    registration = Registration.objects.filter(expo=edition).order_by("id").first()
    registration_cancel(registration=registration)
    assert incremental(edition) == full(edition)
    # A cancellation together with new tickets is counted as well.
    forecast_world.register(edition, random.Random(7), 1, 1, 0)
    registration_cancel(registration=Registration.objects.filter(expo=edition).last())
    assert incremental(edition) == full(edition)


def test_deleted_tickets_are_a_full_read(edition):
    assert incremental(edition) == full(edition)
    Ticket.objects.filter(pk=Ticket.objects.filter(expo=edition).order_by("id").first().pk).delete()
    assert incremental(edition) == full(edition)


def test_by_an_instant_only_what_was_booked_by_it_is_counted(edition):
    first = opening(edition)
    # Every instant around the bookings, including the second of one of them.
    created = sorted(Ticket.objects.filter(expo=edition).values_list("created_at", flat=True))
    instants = [
        first - dt.timedelta(days=40),
        first - dt.timedelta(days=3, hours=2),
        created[len(created) // 2],
        created[len(created) // 2] - dt.timedelta(microseconds=1),
        first,
        first + dt.timedelta(days=30),
    ]
    assert incremental(edition) == full(edition)
    for until in instants:
        assert incremental(edition, until) == full(edition, until), until
    forecast_world.register(edition, random.Random(8), 2, 1, 0)
    for until in instants:
        assert incremental(edition, until) == full(edition, until), until


def test_editions_are_kept_apart(edition):
    other = forecast_world.edition_make("k-2020", dt.date(2020, 8, 24), 2)
    forecast_world.register(other, random.Random(9), 3, 1, 0)
    assert incremental(edition) == full(edition)
    assert incremental(other) == full(other)
    forecast_world.register(edition, random.Random(10), 1, 1, 0)
    assert incremental(other) == full(other)
    assert incremental(edition) == full(edition)


def test_the_instant_asked_first_moves_on_with_the_instants_after_it(edition):
    first = opening(edition)
    steps = [first - dt.timedelta(days=d) for d in (20, 9, 9, 4, 1)] + [first]
    for i, until in enumerate(steps):
        assert incremental(edition, until) == full(edition, until), until
        if i % 2:
            forecast_world.register(edition, random.Random(20 + i), 1, 1, 0)
    assert incremental(edition, steps[1]) == full(edition, steps[1])  # before the horizon
    assert incremental(edition) == full(edition)
