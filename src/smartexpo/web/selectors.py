"""Figures the public pages show about an edition."""

from __future__ import annotations

from django.db.models import Count, Q

from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
from smartexpo.venue.models import Expo, Zone, ZoneKind


def expo_key_facts(*, expo: Expo) -> dict:
    """Counts that describe an edition, from its data (exhibitors, halls, forum rooms…)."""
    exhibitors = Exhibitor.objects.filter(expo=expo, status=ExhibitorStatus.APPROVED).aggregate(
        total=Count("id"),
        fortune500=Count("id", filter=Q(fortune500=True)),
        foreign=Count("id", filter=~Q(country="CN")),
        countries=Count("country", distinct=True),
    )
    zones = Zone.objects.filter(expo=expo).aggregate(
        halls=Count("id", filter=Q(kind=ZoneKind.HALL)),
        rooms=Count("id", filter=Q(kind=ZoneKind.ROOM)),
    )
    return {
        "days": len(expo.days),
        "exhibitors": exhibitors["total"],
        "fortune500": exhibitors["fortune500"],
        "foreign_exhibitors": exhibitors["foreign"],
        "exhibitor_countries": exhibitors["countries"],
        "halls": zones["halls"],
        "rooms": zones["rooms"],
        "expected_visitors": expo.expected_visitors,
        "venue_area_m2": expo.venue_area_m2,
        "countries": expo.countries,
    }


def editions_newest_first() -> list[Expo]:
    """Every edition, the latest first (the back office's shortcuts)."""
    return list(Expo.objects.order_by("-starts_on", "-id"))
