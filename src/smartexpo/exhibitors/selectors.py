"""Reads of the exhibitor catalogue: the public directory and its filters, the floor plan's
booths with their exhibitors, halls with their counts."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from smartexpo.core.errors import invalid, not_found
from smartexpo.exhibitors.models import (
    BoothAssignment,
    Exhibitor,
    ExhibitorStatus,
    Sector,
    ShowcaseItem,
    Tag,
)
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Booth, Expo, Hall, Zone

MAX_QUERY_LENGTH = 100


def sector_list() -> QuerySet[Sector]:
    """All sectors, in display order."""
    return Sector.objects.all()


def tag_list() -> QuerySet[Tag]:
    """All technology tags, in display order."""
    return Tag.objects.all()


def _with_catalogue_relations(qs: QuerySet[Exhibitor]) -> QuerySet[Exhibitor]:
    return qs.select_related("sector").prefetch_related(
        "tags",
        Prefetch(
            "booth_assignments",
            queryset=BoothAssignment.objects.select_related("booth", "booth__hall").order_by(
                "booth__code"
            ),
        ),
    )


def search_terms(q: str) -> list[str]:
    """The lower-cased words of a search, each of which must match."""
    return [term for term in q.lower().split() if term]


def exhibitor_directory(
    *,
    expo: Expo,
    q: str | None = None,
    sector: str | None = None,
    tag: str | None = None,
    hall: str | None = None,
    include_unapproved: bool = False,
) -> QuerySet[Exhibitor]:
    """Approved exhibitors of an edition matching every search term and filter.

    An unknown sector, tag or hall is a client mistake worth saying out loud (422 at the field),
    not a silently empty page.
    """
    errors: dict[str, str] = {}
    q = (q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        errors["q"] = _("At most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}
    sector_obj = tag_obj = hall_obj = None
    if sector:
        sector_obj = Sector.objects.filter(code=sector).first()
        if sector_obj is None:
            errors["sector"] = _("Unknown sector “%(value)s”.") % {"value": sector}
    if tag:
        tag_obj = Tag.objects.filter(code=tag).first()
        if tag_obj is None:
            errors["tag"] = _("Unknown tag “%(value)s”.") % {"value": tag}
    if hall:
        hall_obj = Hall.objects.filter(expo=expo, code=hall).first()
        if hall_obj is None:
            errors["hall"] = _("Unknown hall “%(value)s”.") % {"value": hall}
    if errors:
        raise invalid(errors)

    qs = Exhibitor.objects.filter(expo=expo)
    if not include_unapproved:
        qs = qs.filter(status=ExhibitorStatus.APPROVED)
    for term in search_terms(q):
        qs = qs.filter(search_text__contains=term)
    if sector_obj is not None:
        qs = qs.filter(sector=sector_obj)
    if tag_obj is not None:
        qs = qs.filter(tags=tag_obj)
    if hall_obj is not None:
        qs = qs.filter(booth_assignments__booth__hall=hall_obj).distinct()
    return _with_catalogue_relations(qs.order_by("id"))


def exhibitor_get(*, expo: Expo, pk: int, include_unapproved: bool = False) -> Exhibitor:
    """One exhibitor of an edition with its showcase; unapproved ones only for staff."""
    qs = Exhibitor.objects.filter(expo=expo, pk=pk)
    if not include_unapproved:
        qs = qs.filter(status=ExhibitorStatus.APPROVED)
    exhibitor = with_pictures(_with_catalogue_relations(qs)).first()
    if exhibitor is None:
        raise not_found("exhibitor")
    return exhibitor


def with_pictures(qs: QuerySet[Exhibitor]) -> QuerySet[Exhibitor]:
    """Exhibitors with their logo and showcase (and its pictures), without the pictures'
    bytes, which only the image's own URL serves."""
    showcase = ShowcaseItem.objects.select_related("image").defer("image__data")
    return (
        qs.select_related("logo")
        .defer("logo__data")
        .prefetch_related(Prefetch("showcase", queryset=showcase))
    )


def exhibitor_booths(exhibitor: Exhibitor) -> list:
    """The exhibitor's booths, from the prefetched assignments when present."""
    return [a.booth for a in exhibitor.booth_assignments.all()]


def exhibitor_primary_booth(exhibitor: Exhibitor):
    """The exhibitor's first booth by code, or None."""
    booths = exhibitor_booths(exhibitor)
    return booths[0] if booths else None


def hall_list_with_counts(*, expo: Expo) -> QuerySet[Hall]:
    """An edition's halls with how many booths and approved exhibitors each holds (the public
    pages' figures: an exhibitor is public once approved)."""
    approved = Q(booths__assignment__exhibitor__status=ExhibitorStatus.APPROVED)
    return venue_selectors.hall_list(expo=expo).annotate(
        booth_count=Count("booths", distinct=True),
        exhibitor_count=Count("booths__assignment__exhibitor", filter=approved, distinct=True),
    )


def booth_list(*, expo: Expo, hall: Zone | None = None) -> QuerySet[Booth]:
    """Booths with their exhibitor, ready to draw on a public floor plan: a booth held by an
    exhibitor not (or no longer) approved has no `assignment`, as the directory and the
    exhibitor's page do not show that exhibitor either."""
    qs = Booth.objects.filter(expo=expo).select_related("hall")
    if hall is not None:
        qs = qs.filter(hall=hall)
    public = BoothAssignment.objects.filter(exhibitor__status=ExhibitorStatus.APPROVED)
    return qs.prefetch_related(
        Prefetch("assignment", queryset=public.select_related("exhibitor", "exhibitor__sector"))
    ).order_by("code")
