"""Run by bench/reports.py inside `smartexpo shell` (a process of its own, as a server worker
is): what the edition holds, the figures the answers must show, and how long one build of the
dashboard's payload and of the big screen's answer takes without their caches, section by
section. Prints one `BENCH-JSON {...}` line.
"""

from __future__ import annotations

import json
import os
import time

from django.db.models import Count, Q

from smartexpo.checkin.models import Scan
from smartexpo.crowd import live
from smartexpo.crowd.models import OccupancyMinute, SensorEvent
from smartexpo.deals.models import Deal
from smartexpo.demo.login import demo_organiser_ensure
from smartexpo.exhibitors.models import BoothAssignment
from smartexpo.leads.models import Lead
from smartexpo.meetings.models import Meeting
from smartexpo.programme.models import Reservation
from smartexpo.reports import dashboard_activity as activity
from smartexpo.reports import dashboard_cache, screen
from smartexpo.reports import dashboard_sections as sections
from smartexpo.tickets.models import DayQuota, Registration
from smartexpo.venue.models import Expo, Zone, ZoneKind
from smartexpo.venue.selectors import entrance_gates

RUNS = int(os.environ.get("BENCH_PROBE_RUNS", "3"))


def timed(fn):
    began = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - began) * 1000


def facts(expo: Expo) -> dict:
    scans = Scan.objects.filter(expo=expo)
    gates = [g.pk for g in entrance_gates(expo=expo)]
    by_kind = dict(
        Zone.objects.filter(expo=expo)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    previous = expo.previous
    return {
        "registrations": Registration.objects.filter(expo=expo).count(),
        "ticket_days_sold": sum(
            DayQuota.objects.filter(ticket_type__expo=expo).values_list("sold", flat=True)
        ),
        "previous": previous.slug if previous else None,
        "previous_registrations": Registration.objects.filter(expo=previous).count()
        if previous
        else 0,
        "previous_scans": Scan.objects.filter(expo=previous).count() if previous else 0,
        "scans": scans.count(),
        "entrance_in": scans.filter(gate_id__in=gates, direction="in").count(),
        "room_door_scans": scans.filter(gate__zone__kind=ZoneKind.ROOM).count(),
        "sensor_events": SensorEvent.objects.filter(expo=expo).count(),
        "minute_rows": OccupancyMinute.objects.filter(zone__expo=expo).count(),
        "zones": by_kind,
        "exhibitors": BoothAssignment.objects.filter(booth__expo=expo)
        .values("exhibitor")
        .distinct()
        .count(),
        "reservations": Reservation.objects.filter(session__expo=expo).count(),
        "meetings": Meeting.objects.filter(session__expo=expo).count(),
        "meetings_checked_in": Meeting.objects.filter(session__expo=expo)
        .filter(Q(a_checked_in_at__isnull=False) | Q(b_checked_in_at__isnull=False))
        .count(),
        "leads": Lead.objects.filter(expo=expo).count(),
        "deals": Deal.objects.filter(expo=expo).count(),
    }


def dashboard_builds(expo: Expo) -> dict:
    """`dashboard_payload` RUNS times with nothing kept (so each also reads the previous
    edition's bookings, which a server keeps 10 minutes), then each section alone once."""
    builds = []
    for _ in range(RUNS):
        dashboard_cache.forget()
        payload, ms = timed(lambda: dashboard_cache.dashboard_payload(expo=expo))
        builds.append(ms)
    at = live.live_clock(expo=expo).at
    parts = {
        "registrations": lambda: sections.registrations(expo=expo),
        "bookings (previous edition kept)": lambda: sections.booking_curve(expo=expo, at=at),
        "admissions": lambda: sections.admissions(expo=expo, at=at),
        "halls": lambda: sections.halls(expo=expo, at=at),
        "alerts": lambda: sections.alerts(expo=expo, at=at),
        "forums": lambda: activity.forums(expo=expo, at=at),
        "meetings": lambda: activity.meetings(expo=expo, at=at),
        "leads": lambda: activity.leads(expo=expo, at=at),
        "deals": lambda: activity.deals_tally(expo=expo),
    }
    each = {name: round(timed(fn)[1], 1) for name, fn in parts.items()}
    return {"builds_ms": builds, "sections_ms": each, "payload": payload}


def screen_builds(expo: Expo) -> dict:
    builds = []
    for _ in range(RUNS):
        screen.forget()
        data, ms = timed(lambda: screen.screen_data(expo=expo))
        builds.append(ms)
    return {"builds_ms": builds, "data": data}


def main() -> None:
    expo = Expo.objects.get(slug=os.environ.get("BENCH_EXPO", "sce-2019"))
    username, password = demo_organiser_ensure()
    out = {"facts": facts(expo), "username": username, "password": password}
    out["dashboard"] = dashboard_builds(expo)
    out["screen"] = screen_builds(expo)
    print("BENCH-JSON " + json.dumps(out, default=str))


main()
