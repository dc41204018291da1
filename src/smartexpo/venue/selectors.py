"""Reads of editions and their venue."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from smartexpo.core.errors import SmartExpoError, not_found
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


def expo_or_404(*, slug: str, published_only: bool = True) -> Expo:
    """`expo_get` for a page: an edition that does not exist (or is not published, unless
    `published_only` is false) is the page's 404."""
    try:
        return expo_get(slug=slug, published_only=published_only)
    except SmartExpoError:
        raise Http404 from None


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
    return Gate.objects.filter(expo=expo).select_related("zone", "queue_zone").order_by("id")


def entrance_gates(*, expo: Expo) -> list[Gate]:
    """The gates that admit into the venue zone, the ones visitors queue at (with the zone),
    by id: the digital twin's gates and those the attendance forecast plans."""
    return list(
        Gate.objects.filter(expo=expo, zone__kind=ZoneKind.VENUE)
        .select_related("zone", "queue_zone")
        .order_by("id")
    )


def hall_booths(*, hall: Zone) -> QuerySet[Booth]:
    """A hall's booths, by code: the geometry of its plan."""
    return Booth.objects.filter(hall=hall).order_by("code")


def booth_get(*, expo: Expo, code: str) -> Booth:
    """One booth of an edition by code, or a `not_found` error."""
    booth = Booth.objects.filter(expo=expo, code=code).select_related("hall").first()
    if booth is None:
        raise not_found("booth")
    return booth


def venue_zone(*, expo: Expo) -> Zone | None:
    """The zone that stands for the whole venue, if the edition has one."""
    return Zone.objects.filter(expo=expo, kind=ZoneKind.VENUE).order_by("id").first()
