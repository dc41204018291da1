"""API of the exhibitor catalogue: the public directory, organiser actions, exhibitor profiles."""

from __future__ import annotations

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from smartexpo.core.api import Error, Names, Page, PageParams, bearer, paginate
from smartexpo.core.errors import not_found
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.exhibitors import selectors, services
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Booth

router = Router(tags=["Exhibitors"])

ERRORS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class DirectoryFilters(Schema):
    q: str | None = Field(None, description="Search terms in English or Chinese (all must match)")
    sector: str | None = Field(None, description="Sector code")
    tag: str | None = Field(None, description="Technology tag code")
    hall: str | None = Field(None, description="Hall code")


class ExhibitorItem(Schema):
    id: int
    name: Names
    sector: str
    tags: list[str]
    booth: str | None


class ShowcaseOut(Schema):
    title: Names
    description: Names
    image: str | None = Field(
        None, description="The item's picture: a path on this server, cached for good"
    )


class ExhibitorDetail(ExhibitorItem):
    slug: str
    description: Names
    website: str
    country: str
    fortune500: bool
    status: str
    booths: list[str]
    halls: list[str]
    showcase: list[ShowcaseOut]
    logo: str | None = Field(None, description="The logo: a path on this server, cached for good")


class TaxonomyItem(Schema):
    code: str
    name: Names


class ProfileUpdate(Schema):
    name_en: str | None = Field(None, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    description_en: str | None = Field(None, max_length=5000)
    description_zh: str | None = Field(None, max_length=5000)
    website: str | None = Field(None, max_length=200)
    tags: list[str] | None = Field(None, max_length=20)


class StatusChange(Schema):
    status: str = Field(..., description="pending, approved or rejected")


class AssignmentIn(Schema):
    exhibitor: int = Field(..., ge=1)


class AssignmentOut(Schema):
    booth: str
    exhibitor: int


def exhibitor_item(e: Exhibitor) -> dict:
    booth = selectors.exhibitor_primary_booth(e)
    return {
        "id": e.pk,
        "name": e.names,
        "sector": e.sector.code,
        "tags": [t.code for t in e.tags.all()],
        "booth": booth.code if booth else None,
    }


def exhibitor_detail(e: Exhibitor) -> dict:
    booths = selectors.exhibitor_booths(e)
    return {
        **exhibitor_item(e),
        "slug": e.slug,
        "description": {"en": e.description_en, "zh": e.description_zh or e.description_en},
        "website": e.website,
        "country": e.country,
        "fortune500": e.fortune500,
        "status": e.status,
        "booths": [b.code for b in booths],
        "halls": sorted({b.hall.code for b in booths}),
        "showcase": [
            {
                "title": {"en": s.title_en, "zh": s.title_zh or s.title_en},
                "description": {"en": s.description_en, "zh": s.description_zh or s.description_en},
                "image": s.image.get_absolute_url() if s.image_id else None,
            }
            for s in e.showcase.all()
        ],
        "logo": e.logo.get_absolute_url() if e.logo_id else None,
    }


@router.get("/sectors", response=Page[TaxonomyItem], summary="Sectors")
def list_sectors(request, page: Query[PageParams]):
    return paginate(selectors.sector_list().order_by("id"), page, _taxon)


@router.get("/tags", response=Page[TaxonomyItem], summary="Technology tags")
def list_tags(request, page: Query[PageParams]):
    return paginate(selectors.tag_list().order_by("id"), page, _taxon)


def _taxon(obj) -> dict:
    return {"code": obj.code, "name": obj.names}


@router.get(
    "/expos/{expo}/exhibitors",
    response={200: Page[ExhibitorItem], 404: Error, 422: Error},
    summary="Exhibitor directory (approved exhibitors), searchable and filterable",
)
def list_exhibitors(request, expo: str, filters: Query[DirectoryFilters], page: Query[PageParams]):
    edition = venue_selectors.expo_get(slug=expo)
    qs = selectors.exhibitor_directory(
        expo=edition, q=filters.q, sector=filters.sector, tag=filters.tag, hall=filters.hall
    )
    return paginate(qs, page, exhibitor_item)


@router.get(
    "/expos/{expo}/exhibitors/{exhibitor_id}",
    response={200: ExhibitorDetail, 404: Error, 422: Error},
    summary="One exhibitor with its showcase",
)
def get_exhibitor(request, expo: str, exhibitor_id: int):
    edition = venue_selectors.expo_get(slug=expo)
    return exhibitor_detail(selectors.exhibitor_get(expo=edition, pk=exhibitor_id))


@router.post(
    "/expos/{expo}/exhibitors/{exhibitor_id}/status",
    auth=bearer,
    response={200: ExhibitorDetail, **ERRORS},
    summary="Approve or reject an exhibitor (organiser)",
)
def set_exhibitor_status(request, expo: str, exhibitor_id: int, payload: StatusChange):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    exhibitor = selectors.exhibitor_get(expo=edition, pk=exhibitor_id, include_unapproved=True)
    services.exhibitor_set_status(exhibitor=exhibitor, status=payload.status)
    return exhibitor_detail(
        selectors.exhibitor_get(expo=edition, pk=exhibitor_id, include_unapproved=True)
    )


@router.put(
    "/expos/{expo}/booths/{code}/assignment",
    auth=bearer,
    response={200: AssignmentOut, **ERRORS},
    summary="Assign a booth to an exhibitor (organiser); 409 booth_taken if it is not free",
)
def assign_booth(request, expo: str, code: str, payload: AssignmentIn):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    booth = venue_selectors.booth_get(expo=edition, code=code)
    exhibitor = selectors.exhibitor_get(expo=edition, pk=payload.exhibitor, include_unapproved=True)
    services.booth_assign(booth=booth, exhibitor=exhibitor)
    return {"booth": booth.code, "exhibitor": exhibitor.pk}


@router.delete(
    "/expos/{expo}/booths/{code}/assignment",
    auth=bearer,
    response={204: None, **ERRORS},
    summary="Free a booth (organiser)",
)
def release_booth(request, expo: str, code: str):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    booth = venue_selectors.booth_get(expo=edition, code=code)
    if not services.booth_release(booth=booth):
        raise not_found("assignment")
    return Status(204, None)


@router.get(
    "/expos/{expo}/exhibitor-profile",
    auth=bearer,
    response={200: ExhibitorDetail, **ERRORS},
    summary="The calling exhibitor's own profile (exhibitor token)",
)
def get_own_profile(request, expo: str):
    edition = venue_selectors.expo_get(slug=expo)
    token = require_role(request.auth, Role.EXHIBITOR, expo=edition)
    return exhibitor_detail(
        selectors.exhibitor_get(expo=edition, pk=token.exhibitor_id, include_unapproved=True)
    )


@router.patch(
    "/expos/{expo}/exhibitor-profile",
    auth=bearer,
    response={200: ExhibitorDetail, **ERRORS},
    summary="Update the calling exhibitor's bilingual profile and tags (exhibitor token)",
)
def update_own_profile(request, expo: str, payload: ProfileUpdate):
    edition = venue_selectors.expo_get(slug=expo)
    token = require_role(request.auth, Role.EXHIBITOR, expo=edition)
    exhibitor = selectors.exhibitor_get(
        expo=edition, pk=token.exhibitor_id, include_unapproved=True
    )
    changes = payload.dict(exclude_unset=True)
    tags = changes.pop("tags", None)
    services.exhibitor_update_profile(exhibitor=exhibitor, tags=tags, **changes)
    return exhibitor_detail(
        selectors.exhibitor_get(expo=edition, pk=exhibitor.pk, include_unapproved=True)
    )


class BoothItem(Schema):
    code: str
    hall: str
    x: float
    y: float
    width: float
    depth: float
    exhibitor: int | None


def booth_item(booth: Booth) -> dict:
    assignment = getattr(booth, "assignment", None)
    return {
        "code": booth.code,
        "hall": booth.hall.code,
        "x": float(booth.x),
        "y": float(booth.y),
        "width": float(booth.width),
        "depth": float(booth.depth),
        "exhibitor": assignment.exhibitor_id if assignment else None,
    }


@router.get(
    "/expos/{expo}/halls/{code}/booths",
    response={200: Page[BoothItem], 404: Error, 422: Error},
    tags=["Editions and venue"],
    summary="Booths of a hall, with their floor-plan rectangle (metres) and exhibitor",
)
def list_hall_booths(request, expo: str, code: str, page: Query[PageParams]):
    edition = venue_selectors.expo_get(slug=expo)
    hall = venue_selectors.hall_get(expo=edition, code=code)
    return paginate(selectors.booth_list(expo=edition, hall=hall).order_by("id"), page, booth_item)
