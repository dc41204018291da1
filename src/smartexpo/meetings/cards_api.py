"""The organiser's table cards of a meeting session as a PDF (`cards.table_cards_pdf`): its own
router, registered beside the meetings API in `smartexpo/urls.py`."""

from __future__ import annotations

import re

from django.http import HttpResponse
from ninja import Router

from smartexpo.core.api import Error, bearer
from smartexpo.core.errors import not_found
from smartexpo.core.models import Role
from smartexpo.core.tokens import require_role
from smartexpo.meetings.cards import table_cards_pdf
from smartexpo.meetings.models import MeetingSession
from smartexpo.venue import selectors as venue_selectors
from smartexpo.venue.models import code_validator

router = Router(tags=["Business meetings"])

CODE = re.compile(code_validator.regex.pattern)
READS = {401: Error, 403: Error, 404: Error, 422: Error}


@router.get(
    "/expos/{expo}/meetings/sessions/{code}/table-cards.pdf",
    auth=bearer,
    response={200: None, **READS},
    summary="The session's table cards: one A4 page per table with its meetings (organizer)",
    openapi_extra={
        "responses": {
            200: {
                "description": "OK",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def table_cards(request, expo: str, code: str):
    edition = venue_selectors.expo_get(slug=expo)
    require_role(request.auth, Role.ORGANIZER, expo=edition)
    session = (
        MeetingSession.objects.select_related("expo", "zone")
        .filter(expo=edition, code=code)
        .first()
        if CODE.fullmatch(code)
        else None  # not a code at all (PostgreSQL refuses some, a NUL byte)
    )
    if session is None:
        raise not_found("meeting session")
    response = HttpResponse(table_cards_pdf(session=session), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="table-cards-{session.code}.pdf"'
    return response
