"""The recommendations' API (docs/api.md, "Recommendations"; docs/recommendations.md).

- A visitor (its manage token, or an organiser) reads the exhibitors and sessions recommended
  to a registration, and says "No thanks" to an exhibitor.
- An exhibitor (its token) reads the visitors worth meeting — only those who share something,
  with only what they share — and says "No thanks" to a visitor.
- The pair score of a visitor and an exhibitor is for the organiser and for either side.

Every answer comes from the edition's newest built model (`selectors.served_model`); before the
first build they are refused with `no_model` (409).
"""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from smartexpo.core.api import Error, Page, bearer, page_bounds
from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.core.models import ApiToken, Role
from smartexpo.core.tokens import require_role
from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
from smartexpo.recommend import selectors
from smartexpo.recommend.models import Dismissal, DismissedBy
from smartexpo.recommend.schemas import (
    DismissalOut,
    ExhibitorDismissalIn,
    PairOut,
    PairParams,
    RecommendationPage,
    RecommendationParams,
    VisitorDismissalIn,
    VisitorPage,
    VisitorParams,
)
from smartexpo.recommend.services.dismissals import dismissal_add, dismissal_remove
from smartexpo.tickets.auth import token_or_manage
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.tickets.selectors import shared_profile
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import Expo

router = Router(tags=["Recommendations"])

READS = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}
MAX_ID = 2**53


def _edition(expo: str) -> Expo:
    return venue_selectors.expo_get_cached(slug=expo)


def _registration(request, expo: str, pk: int) -> tuple[Expo, Registration]:
    """The edition and registration `pk`, if the request may act on it: its own manage token
    (read once, by the authentication) or an organiser's token. Another registration's token is
    told `not_found`, never that the id exists (`tickets.auth.registration_for`'s rule)."""
    edition = _edition(expo)
    auth = request.auth
    if isinstance(auth, Registration):
        if auth.pk != pk or auth.expo_id != edition.pk:
            raise not_found("registration")
        registration = auth
    else:
        require_role(auth, Role.ORGANIZER, expo=edition)
        registration = (
            Registration.objects.filter(expo=edition, pk=pk).first() if pk < MAX_ID else None
        )
        if registration is None:
            raise not_found("registration")
    registration.expo = edition
    return edition, registration


def _exhibitor_token(request, expo: str) -> tuple[Expo, Exhibitor]:
    edition = _edition(expo)
    token = require_role(request.auth, Role.EXHIBITOR, expo=edition)
    exhibitor = Exhibitor.objects.filter(expo=edition, pk=token.exhibitor_id).first()
    if exhibitor is None:
        raise not_found("exhibitor")
    return edition, exhibitor


def _exhibitor(edition: Expo, pk: int) -> Exhibitor:
    found = (
        Exhibitor.objects.filter(expo=edition, pk=pk, status=ExhibitorStatus.APPROVED).first()
        if 1 <= pk < MAX_ID
        else None
    )
    if found is None:
        raise not_found("exhibitor")
    return found


def _sharing_visitor(edition: Expo, pk: int) -> Registration:
    """A registration an exhibitor may name: active and sharing something with exhibitors
    (any other is `not_found`, so that an exhibitor learns nothing of who does not share)."""
    found = (
        Registration.objects.filter(
            expo=edition, pk=pk, status=RegistrationStatus.ACTIVE, erased_at__isnull=True
        ).first()
        if 1 <= pk < MAX_ID
        else None
    )
    if found is None or not shared_profile(found, lead_fields=edition.lead_fields):
        raise not_found("registration")
    return found


def dismissal_out(d: Dismissal) -> dict:
    return {
        "registration": d.registration_id,
        "exhibitor": d.exhibitor_id,
        "by": d.by,
        "created_at": d.created_at,
    }


def _page(items: list, page) -> dict:
    start, stop = page_bounds(page, len(items))
    return {"count": len(items), "items": items[start:stop]}


# --- the visitor's side -------------------------------------------------------------------


@router.get(
    "/expos/{expo}/registrations/{registration_id}/recommendations",
    auth=token_or_manage,
    response={200: RecommendationPage, **READS},
    exclude_none=True,
    summary="Exhibitors or sessions recommended to a registration (manage token or organiser)",
    description="Best first, at most 50, paged with `limit` (default 10) and `offset`. "
    "`kind=exhibitor` (default) never lists an exhibitor the pair declined (either side) nor the "
    "visitor's own company; `kind=session` lists published sessions not already starred, "
    "reserved or attended. Each item has its `score` and its `reasons` in both languages. "
    "`no_model` (409) until the organiser has built the edition's recommender.",
)
def recommendations(request, expo: str, registration_id: int, page: Query[RecommendationParams]):
    edition, registration = _registration(request, expo, registration_id)
    served = selectors.served_model(expo=edition)
    items = selectors.for_visitor(expo=edition, registration=registration, kind=page.kind)
    # Written here rather than checked against the schema on the way out: this is the route a
    # visitor's app and the agenda ask most (bench/RESULTS.md, "Recommendations (speed)"); the
    # items are the schema's shape by construction (tests/recommend/test_api.py).
    body = {**_page(items, page), "built_at": _instant(served.built_at)}
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


def _instant(value) -> str:
    """An instant as the API writes one (pydantic's ISO 8601, UTC as `Z`)."""
    return value.isoformat().replace("+00:00", "Z")


@router.get(
    "/expos/{expo}/registrations/{registration_id}/recommendations/dismissals",
    auth=token_or_manage,
    response={200: Page[DismissalOut], **READS},
    summary="The exhibitors this registration said “No thanks” to (manage token or organiser)",
    description="Paginated `{count, items}` of `{registration, exhibitor, by, created_at}`: "
    "the visitor's own dismissals (an exhibitor's are not shown to the visitor).",
)
def list_dismissals(request, expo: str, registration_id: int, page: Query[VisitorParams]):
    _unused, registration = _registration(request, expo, registration_id)
    found = Dismissal.objects.filter(registration=registration, by=DismissedBy.VISITOR).order_by(
        "id"
    )
    count = found.count()
    start, stop = page_bounds(page, count)
    return {"count": count, "items": [dismissal_out(d) for d in found[start:stop]]}


@router.post(
    "/expos/{expo}/registrations/{registration_id}/recommendations/dismissals",
    auth=token_or_manage,
    response={200: DismissalOut, 201: DismissalOut, **READS},
    summary="The visitor says “No thanks” to an exhibitor (manage token or organiser)",
    description="The pair is never recommended again, to either side. 201 when new, 200 when "
    "it was said before.",
)
def dismiss_exhibitor(request, expo: str, registration_id: int, payload: VisitorDismissalIn):
    edition, registration = _registration(request, expo, registration_id)
    exhibitor = _exhibitor(edition, payload.exhibitor)
    dismissal, created = dismissal_add(
        registration=registration, exhibitor=exhibitor, by=DismissedBy.VISITOR
    )
    return Status(201 if created else 200, dismissal_out(dismissal))


@router.delete(
    "/expos/{expo}/registrations/{registration_id}/recommendations/dismissals/{exhibitor_id}",
    auth=token_or_manage,
    response={204: None, **READS},
    summary="The visitor takes back its “No thanks” to an exhibitor (manage token or organiser)",
    description="`not_found` if the visitor had not declined it. An exhibitor's own dismissal "
    "of the pair stays.",
)
def undismiss_exhibitor(request, expo: str, registration_id: int, exhibitor_id: int):
    edition, registration = _registration(request, expo, registration_id)
    exhibitor = _exhibitor(edition, exhibitor_id)
    if not dismissal_remove(registration=registration, exhibitor=exhibitor, by=DismissedBy.VISITOR):
        raise not_found("dismissal")
    return HttpResponse(status=204)


# --- the exhibitor's side -----------------------------------------------------------------


@router.get(
    "/expos/{expo}/recommendations/visitors",
    auth=bearer,
    response={200: VisitorPage, **READS},
    exclude_none=True,
    summary="Visitors worth meeting, for the calling exhibitor (exhibitor token)",
    description="Ranked by the reciprocal score (both sides' interest), at most 100, paged "
    "with `limit` (default 20) and `offset`. Only visitors who share something with exhibitors, "
    "with only the fields they share (and the edition allows); never a pair either side "
    "declined, nor the exhibitor's own people.",
)
def suggested_visitors(request, expo: str, page: Query[VisitorParams]):
    edition, exhibitor = _exhibitor_token(request, expo)
    served = selectors.served_model(expo=edition)
    items = selectors.for_exhibitor(expo=edition, exhibitor=exhibitor)
    return {**_page(items, page), "built_at": served.built_at}


@router.post(
    "/expos/{expo}/recommendations/visitors/dismissals",
    auth=bearer,
    response={200: DismissalOut, 201: DismissalOut, **READS},
    summary="The exhibitor says “No thanks” to a visitor (exhibitor token)",
    description="The visitor must share something with exhibitors (else `not_found`). The pair "
    "is never recommended again, to either side. 201 when new, 200 when said before.",
)
def dismiss_visitor(request, expo: str, payload: ExhibitorDismissalIn):
    edition, exhibitor = _exhibitor_token(request, expo)
    registration = _sharing_visitor(edition, payload.registration)
    dismissal, created = dismissal_add(
        registration=registration, exhibitor=exhibitor, by=DismissedBy.EXHIBITOR
    )
    return Status(201 if created else 200, dismissal_out(dismissal))


@router.delete(
    "/expos/{expo}/recommendations/visitors/dismissals/{registration_id}",
    auth=bearer,
    response={204: None, **READS},
    summary="The exhibitor takes back its “No thanks” to a visitor (exhibitor token)",
)
def undismiss_visitor(request, expo: str, registration_id: int):
    edition, exhibitor = _exhibitor_token(request, expo)
    registration = (
        Registration.objects.filter(expo=edition, pk=registration_id).first()
        if 1 <= registration_id < MAX_ID
        else None
    )
    if registration is None or not dismissal_remove(
        registration=registration, exhibitor=exhibitor, by=DismissedBy.EXHIBITOR
    ):
        raise not_found("dismissal")
    return HttpResponse(status=204)


# --- the pair -----------------------------------------------------------------------------


@router.get(
    "/expos/{expo}/recommendations/pair",
    auth=token_or_manage,
    response={200: PairOut, **READS},
    summary="The symmetric score of a visitor and an exhibitor (organiser, or either side)",
    description="The harmonic mean of how well each side suits the other, 0 to 1; 0 for a "
    "declined pair or the visitor's own company. The visitor asks with its manage token (its "
    "own registration only); the exhibitor with its token (itself only, and only a visitor who "
    "shares something).",
)
def pair(request, expo: str, params: Query[PairParams]):
    edition = _edition(expo)
    auth = request.auth
    if isinstance(auth, Registration):
        edition, registration = _registration(request, expo, params.registration)
        exhibitor = _exhibitor(edition, params.exhibitor)
    else:
        token: ApiToken = require_role(auth, Role.ORGANIZER, Role.EXHIBITOR, expo=edition)
        if token.role == Role.EXHIBITOR:
            if token.exhibitor_id != params.exhibitor:
                raise SmartExpoError("forbidden", "An exhibitor's token asks for itself only.")
            registration = _sharing_visitor(edition, params.registration)
        else:
            registration = Registration.objects.filter(expo=edition, pk=params.registration).first()
            if registration is None:
                raise not_found("registration")
        exhibitor = _exhibitor(edition, params.exhibitor)
    served = selectors.served_model(expo=edition)
    score = selectors.pair_score(expo=edition, registration=registration, exhibitor=exhibitor)
    return {
        "registration": registration.pk,
        "exhibitor": exhibitor.pk,
        "score": score,
        "built_at": served.built_at,
    }
