"""Reads of editions and their venue."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from smartexpo.core.errors import not_found
from smartexpo.core.stamps import READ, StampedCache
from smartexpo.venue.models import Booth, Expo, Gate, Hall, Zone, ZoneKind


def expo_list(*, published_only: bool = True) -> QuerySet[Expo]:
    """Editions, published ones only unless asked otherwise, in date order."""
    qs = Expo.objects.all()
    return qs.filter(is_published=True) if published_only else qs


def expo_get(*, slug: str, published_only: bool = True) -> Expo:
    """The edition with this slug, or a `not_found` error."""
    expo = expo_list(published_only=published_only).filter(slug=slug).first()
    if expo is None:
        raise not_found("edition")
    return expo


def _expo_published(slug: str) -> Expo | None:
    return expo_list().filter(slug=slug).first()


_expos: StampedCache[str, Expo | None] = StampedCache(_expo_published)


def expo_get_cached(*, slug: str, version=READ) -> Expo:
    """`expo_get` remembered per process for the hottest endpoints (registration, check-in,
    occupancy), while the catalogue stamp (`version`, read now unless given) is unchanged."""
    expo = _expos.get(slug, version=version)
    if expo is None:
        raise not_found("edition")
    return expo


def expo_default() -> Expo | None:
    """The edition the public home page shows: the configured one, else the latest."""
    qs = expo_list()
    if settings.SMARTEXPO_DEFAULT_EXPO:
        chosen = qs.filter(slug=settings.SMARTEXPO_DEFAULT_EXPO).first()
        if chosen is not None:
            return chosen
    return qs.order_by("-starts_on", "-id").first()


def hall_list(*, expo: Expo) -> QuerySet[Hall]:
    """An edition's halls in their plan order."""
    return Hall.objects.filter(expo=expo).order_by("position", "id")


def hall_list_with_counts(*, expo: Expo) -> QuerySet[Hall]:
    """An edition's halls with how many booths and approved exhibitors each holds (the public
    pages' figures: an exhibitor is public once approved)."""
    from smartexpo.exhibitors.models import ExhibitorStatus

    approved = Q(booths__assignment__exhibitor__status=ExhibitorStatus.APPROVED)
    return hall_list(expo=expo).annotate(
        booth_count=Count("booths", distinct=True),
        exhibitor_count=Count("booths__assignment__exhibitor", filter=approved, distinct=True),
    )


def hall_get(*, expo: Expo, code: str) -> Hall:
    """One hall of an edition by code, or a `not_found` error."""
    hall = hall_list(expo=expo).filter(code=code).first()
    if hall is None:
        raise not_found("hall")
    return hall


def zone_list(*, expo: Expo) -> QuerySet[Zone]:
    """Every zone of an edition (venue, halls, booth areas, rooms) in plan order."""
    return Zone.objects.filter(expo=expo).select_related("hall").order_by("position", "id")


def gate_list(*, expo: Expo) -> QuerySet[Gate]:
    """An edition's gates with the zone each admits into."""
    return Gate.objects.filter(expo=expo).select_related("zone").order_by("id")


def booth_list(*, expo: Expo, hall: Zone | None = None) -> QuerySet[Booth]:
    """Booths with their exhibitor, ready to draw on a public floor plan: a booth held by an
    exhibitor not (or no longer) approved has no `assignment`, as the directory and the
    exhibitor's page do not show that exhibitor either."""
    from smartexpo.exhibitors.models import BoothAssignment, ExhibitorStatus

    qs = Booth.objects.filter(expo=expo).select_related("hall")
    if hall is not None:
        qs = qs.filter(hall=hall)
    public = BoothAssignment.objects.filter(exhibitor__status=ExhibitorStatus.APPROVED)
    return qs.prefetch_related(
        Prefetch("assignment", queryset=public.select_related("exhibitor", "exhibitor__sector"))
    ).order_by("code")


def booth_get(*, expo: Expo, code: str) -> Booth:
    """One booth of an edition by code, or a `not_found` error."""
    booth = Booth.objects.filter(expo=expo, code=code).select_related("hall").first()
    if booth is None:
        raise not_found("booth")
    return booth


def venue_zone(*, expo: Expo) -> Zone | None:
    """The zone that stands for the whole venue, if the edition has one."""
    return Zone.objects.filter(expo=expo, kind=ZoneKind.VENUE).order_by("id").first()
