"""The portal's "Suggested visitors": the visitors worth meeting for the exhibitor, ranked by
the reciprocal score (`recommend`), each with only the fields they chose to share, and a
"No thanks" that keeps the pair out of both sides' suggestions (docs/recommendations.md)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from smartexpo.portal.access import portal_view
from smartexpo.recommend.models import DismissedBy
from smartexpo.recommend.pages import suggested_for_portal
from smartexpo.recommend.services.dismissals import dismissal_add
from smartexpo.tickets.models import Registration

# The shared fields, in the order the page shows them; headed by the registration's own labels.
FIELDS = ("name", "company", "title", "email", "phone")


def _heading(field: str) -> str:
    return capfirst(Registration._meta.get_field(field).verbose_name)


@portal_view()
def suggestions(request: HttpRequest, expo: str, exhibitor: str) -> HttpResponse:
    if request.method == "POST":
        return _dismiss(request)
    found = suggested_for_portal(expo=request.expo, exhibitor=request.exhibitor)
    headings = [_heading(key) for key in FIELDS]
    rows = [
        {
            **item,
            "labelled": [
                (h, item["fields"].get(key, "")) for h, key in zip(headings, FIELDS, strict=True)
            ],
        }
        for item in found or []
    ]
    context = {
        "expo": request.expo,
        "exhibitor": request.exhibitor,
        "built": found is not None,
        "rows": rows,
    }
    return render(request, "portal/suggestions.html", context)


def _dismiss(request: HttpRequest) -> HttpResponse:
    here = redirect(request.path)
    value = request.POST.get("registration", "")
    # Only a visitor who shares something may be named: the page never lists anyone else.
    registration = (
        Registration.objects.filter(expo=request.expo, pk=int(value)).exclude(share=[]).first()
        if value.isdigit() and len(value) < 12
        else None
    )
    if registration is None:
        messages.error(request, _("That visitor is not among your suggestions."))
        return here
    dismissal_add(registration=registration, exhibitor=request.exhibitor, by=DismissedBy.EXHIBITOR)
    messages.success(request, _("No thanks: this visitor will not be suggested to you again."))
    return here
