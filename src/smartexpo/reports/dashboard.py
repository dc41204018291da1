"""The organiser's dashboard: one page per edition with its registrations, bookings,
admissions, halls and alerts, and its JSON companion that the page's script polls to update
the figures in place (docs/reports.md, "The organiser's dashboard").

Organisers only, by the rule of the live venue and planning pages (`core.organisers`): anyone
not signed in goes to the admin's login, a signed-in account without staff status gets the
"Organisers only" page (403). The JSON answers those in the API's error shape instead, which
the script reads. Both answer from `dashboard_cache`, so polling organisers cost one build per
interval, not one per poll, or from the answer the report worker built for every process
(`dashboard_shared`).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.core import organisers
from smartexpo.reports import dashboard_render, dashboard_shared, job_kinds
from smartexpo.reports.dashboard_cache import dashboard_cached
from smartexpo.venue import selectors as venue

POLL_MS = 5000
TIMEOUT_MS = 8000

organiser_page = organisers.organiser_page("reports/dashboard_forbidden.html")


organiser_json = organisers.organiser_json(gettext_lazy("Only organisers may see the dashboard."))


def strings() -> dict:
    """The texts the page's script writes, in the request's language."""
    return {
        "updated": _("Updated %(time)s"),
        "connection_lost": _("Connection lost, retrying… The figures shown are of %(time)s."),
        "signed_out": _("Your session has ended: log in again."),
        "forbidden": _("Only organisers may see the dashboard."),
        "bad_request": _("The server could not answer (%(status)s)."),
    }


@require_safe
@never_cache
@organiser_page
def dashboard_page(request: HttpRequest, expo: str) -> HttpResponse:
    # Organisers watch an edition before it is published, too (and in its JSON).
    edition = venue.expo_or_404(slug=expo, published_only=False)
    stored = dashboard_shared.answer(expo=edition)
    if stored is not None:
        payload, sections = dashboard_render.parsed(stored)
    else:
        payload = dashboard_cached(expo=edition)
        sections = dashboard_render.sections(edition, payload)
    config = {
        "url": reverse("reports:dashboard-data", kwargs={"expo": edition.slug}),
        "pollMs": POLL_MS,
        "timeoutMs": TIMEOUT_MS,
        "at": payload["local"],
        "strings": strings(),
    }
    context = {
        "expo": edition,
        "d": payload,
        "sections": sections,
        "config": config,
        "lang": "zh" if (translation.get_language() or "en").startswith("zh") else "en",
        # The "Build the report" buttons: one per kind of report job, in the page's language.
        "job_kinds": job_kinds.kind_choices(),
        "job_language": (
            "zh-hans" if (translation.get_language() or "en").startswith("zh") else "en"
        ),
    }
    return render(request, "reports/dashboard.html", context)


@require_safe
@never_cache
@organiser_json
def dashboard_data(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo, published_only=False)
    body = dashboard_shared.answer(expo=edition)
    if body is None:
        body = dashboard_render.body(edition, dashboard_cached(expo=edition))
    return HttpResponse(body, content_type="application/json")
