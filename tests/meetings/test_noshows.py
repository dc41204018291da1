"""No-shows (docs/meetings-checkin.md): after a meeting (and the sweep's grace), each side that
did not check in gets one more; a meeting nobody checked in at counts for both only where
check-in was in use in its session; each meeting is counted once, even by two sweeps at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from smartexpo.meetings.models import Meeting, Participant
from smartexpo.meetings.services.noshows import SWEEP_GRACE, noshows_record
from tests.checkin.conftest import make_types
from tests.concurrency import race
from tests.leads.conftest import visitor
from tests.meetings.checkin_world import TEN, meeting, participant, session

# Slot 3 runs 10:00-10:20; the sweep takes it from 10:35.
SWEPT = TEN + dt.timedelta(minutes=20) + SWEEP_GRACE


def _people(expo, n):
    make_types(expo)
    return [participant(expo, registration=visitor(expo).registration) for _ in range(n)]


def _shows(*participants):
    return [Participant.objects.get(pk=p.pk).no_shows for p in participants]


@pytest.mark.django_db
def test_the_side_that_did_not_come_is_counted_once(expo):
    a, b, c, d = _people(expo, 4)
    sess = session(expo)
    one = meeting(sess, a, b, table=1)
    both = meeting(sess, c, d, table=2)
    came = TEN + dt.timedelta(minutes=2)
    Meeting.objects.filter(pk=one.pk).update(a_checked_in_at=came)
    Meeting.objects.filter(pk=both.pk).update(a_checked_in_at=came, b_checked_in_at=came)
    # Not yet: the grace after the meeting is not over.
    assert noshows_record(expo=expo, now=SWEPT - dt.timedelta(seconds=1)) == 0
    assert noshows_record(expo=expo, now=SWEPT) == 1
    low, high = sorted([a, b], key=lambda p: p.pk)
    assert _shows(low, high, c, d) == [0, 1, 0, 0]
    assert Meeting.objects.filter(no_show_recorded_at__isnull=True).count() == 0
    # Swept once: another run counts nothing.
    assert noshows_record(expo=expo, now=SWEPT + dt.timedelta(hours=1)) == 0
    assert _shows(low, high) == [0, 1]


@pytest.mark.django_db
def test_nobody_at_a_meeting_counts_both_where_check_in_was_in_use(expo):
    a, b, c, d = _people(expo, 4)
    sess = session(expo)
    meeting(sess, a, b, table=1)  # nobody came
    used = meeting(sess, c, d, table=2)
    Meeting.objects.filter(pk=used.pk).update(a_checked_in_at=TEN)
    assert noshows_record(expo=expo, now=SWEPT) == 3
    assert sorted(_shows(a, b)) == [1, 1]


@pytest.mark.django_db
def test_a_session_without_any_check_in_counts_nobody(expo):
    a, b = _people(expo, 2)
    sess = session(expo)
    m = meeting(sess, a, b)
    # During the session: left for later (check-in may still start).
    assert noshows_record(expo=expo, now=SWEPT) == 0
    assert Meeting.objects.get(pk=m.pk).no_show_recorded_at is None
    # After it: swept, counting nobody.
    after = sess.ends_at + SWEEP_GRACE
    assert noshows_record(expo=expo, now=after) == 0
    assert Meeting.objects.get(pk=m.pk).no_show_recorded_at is not None
    assert _shows(a, b) == [0, 0]


@pytest.mark.django_db
def test_a_cancelled_request_counts_nobody(expo):
    a, b, c, d = _people(expo, 4)
    sess = session(expo)
    m = meeting(sess, a, b, table=1)
    m.request.status = "cancelled"
    m.request.save()
    used = meeting(sess, c, d, table=2)
    Meeting.objects.filter(pk=used.pk).update(a_checked_in_at=TEN, b_checked_in_at=TEN)
    assert noshows_record(expo=expo, now=SWEPT) == 0
    assert _shows(a, b) == [0, 0]


@pytest.mark.django_db
def test_the_command_sweeps_an_edition(expo, capsys):
    a, b = _people(expo, 2)
    sess = session(expo)
    m = meeting(sess, a, b)
    Meeting.objects.filter(pk=m.pk).update(b_checked_in_at=TEN)
    # The edition's now is the real time: long after 2019.
    call_command("meeting_noshows", "test-2019")
    assert "1 no-shows recorded" in capsys.readouterr().out
    low = min([a, b], key=lambda p: p.pk)
    assert _shows(low) == [1]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_count_each_meeting_once(expo):
    people = _people(expo, 12)
    sess = session(expo)
    pairs = list(zip(people[::2], people[1::2], strict=True))
    for table, (one, two) in enumerate(pairs, start=1):
        m = meeting(sess, one, two, table=table)
        Meeting.objects.filter(pk=m.pk).update(a_checked_in_at=TEN)  # every b missed

    def sweep():
        try:
            return noshows_record(expo=expo, now=SWEPT)
        finally:
            connection.close()  # each thread's own connection

    results = race([sweep for _ in range(4)])
    assert sum(results) == len(pairs), results
    highs = [max(one, two, key=lambda p: p.pk) for one, two in pairs]
    lows = [min(one, two, key=lambda p: p.pk) for one, two in pairs]
    assert _shows(*highs) == [1] * len(pairs)
    assert _shows(*lows) == [0] * len(pairs)
