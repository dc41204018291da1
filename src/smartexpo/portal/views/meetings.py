"""The portal's "Meetings": the exhibitor's business meetings page (the same page a visitor has
behind their manage link, `meetings.views.meetings_page`) and its calendar download."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from smartexpo.meetings.views import Person, ics_response, meetings_page
from smartexpo.portal.access import portal_view


def _person(request: HttpRequest) -> Person:
    return Person(expo=request.expo, exhibitor=request.exhibitor)


@portal_view()
def meetings(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    ics = reverse("portal:meetings-ics", args=[expo, exhibitor])
    extra = {"exhibitor": request.exhibitor}
    return meetings_page(
        request, _person(request), template="portal/meetings.html", extra=extra, ics_url=ics
    )


@portal_view()
def meetings_ics(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    page = request.build_absolute_uri(reverse("portal:meetings", args=[expo, exhibitor]))
    return ics_response(_person(request), page_url=page, filename="meetings.ics")
