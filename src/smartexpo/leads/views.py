"""The visitor's page "Who has my details", behind their registration's manage link: each
exhibitor that captured them, what that exhibitor may see of them now, and a button to
withdraw their details from it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartexpo.core.errors import SmartExpoError
from smartexpo.leads import selectors
from smartexpo.leads.services.consent import lead_withdraw
from smartexpo.tickets import selectors as tickets
from smartexpo.venue import selectors as venue

FIELD_LABELS = {
    "name": gettext_lazy("your name"),
    "email": gettext_lazy("your email address"),
    "phone": gettext_lazy("your phone number"),
    "company": gettext_lazy("your company"),
    "title": gettext_lazy("your job title"),
}


def _registration(expo: str, token: str):
    edition = venue.expo_or_404(slug=expo)
    registration = tickets.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    return edition, registration


def mine(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    if request.method == "POST":
        try:
            lead = lead_withdraw(registration=registration, pk=request.POST.get("lead", ""))
        except SmartExpoError:
            raise Http404 from None
        messages.success(
            request,
            _("%(exhibitor)s no longer sees your details.") % {"exhibitor": lead.exhibitor.name},
        )
        return redirect(request.path)
    items = []
    for lead in selectors.registration_leads(registration=registration):
        seen = selectors.visitor_fields(lead, edition)
        items.append(
            {
                "lead": lead,
                "exhibitor": lead.exhibitor,
                "sees": [FIELD_LABELS[f] for f in seen],
                "holder": selectors.holder(lead),
            }
        )
    context = {"expo": edition, "registration": registration, "token": token, "items": items}
    return render(request, "leads/mine.html", context)
