"""The dashboard's business sections: forum attendance and no-shows, business meetings held,
leads captured, and the deals tally, each read from the app that owns it."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from smartexpo.core.errors import SmartExpoError
from smartexpo.deals import selectors as deals
from smartexpo.leads.models import Lead
from smartexpo.meetings.models import Meeting
from smartexpo.programme.attendance import attendance_counts
from smartexpo.venue.models import Expo


def forums(*, expo: Expo, at: dt.datetime) -> dict:
    """The programme's sessions summed: confirmed seats, tickets admitted at the room doors and
    no-shows of the sessions ended by `at` (`programme.attendance.attendance_counts`, the
    figures of the API's `…/sessions/{id}/attendance`)."""
    return forum_totals(attendance_counts(expo=expo, now=at).values())


def forum_totals(counts) -> dict:
    """`forums`' sums of these `AttendanceCount`s (the post-show report has them already)."""
    counts = list(counts)
    ended = [c for c in counts if c.ended]
    return {
        "sessions": len(counts),
        "ended": len(ended),
        "reserved": sum(c.reserved for c in counts),
        "checked_in": sum(c.checked_in for c in counts),
        "ended_reserved": sum(c.reserved for c in ended),
        "no_shows": sum(c.no_shows or 0 for c in ended),
    }


def meetings(*, expo: Expo, at: dt.datetime) -> dict:
    """The edition's scheduled business meetings: all of them, those ended by `at`, those
    held (both sides checked in at the table by `at`) and those only one side came to."""
    rows = Meeting.objects.filter(session__expo=expo)
    a_came, b_came = Q(a_checked_in_at__lte=at), Q(b_checked_in_at__lte=at)
    both = a_came & b_came
    one = a_came ^ b_came
    return {
        "scheduled": rows.count(),
        "ended": rows.filter(ends_at__lte=at).count(),
        "held": rows.filter(both).count(),
        "one_side": rows.filter(one).count(),
    }


def leads(*, expo: Expo, at: dt.datetime) -> dict:
    """Leads exhibitors captured at their booths: in all by `at`, and on `at`'s day."""
    day = at.astimezone(expo.tz).date()
    start = dt.datetime.combine(day, dt.time(), tzinfo=expo.tz)
    rows = Lead.objects.filter(expo=expo, captured_at__lte=at)
    return {
        "total": rows.count(),
        "today": rows.filter(captured_at__gte=start).count(),
        "exhibitors": rows.order_by().values("exhibitor_id").distinct().count(),
    }


def deals_tally(*, expo: Expo) -> dict | None:
    """The edition's signed deals tally (`deals.selectors.tally`, the public tally page's and the
    API's), or None when it cannot be signed now (no usable key)."""
    try:
        return deals.tally(expo=expo)
    except SmartExpoError:
        return None
