"""The organiser's dashboard: one page per edition with its registrations, bookings,
admissions, halls and alerts, and its JSON companion that the page's script polls to update
the figures in place (docs/reports.md, "The organiser's dashboard").

Organisers only, by the rule of the live venue and planning pages (`core.organisers`): anyone
not signed in goes to the admin's login, a signed-in account without staff status gets the
"Organisers only" page (403). The JSON answers those in the API's error shape instead, which
the script reads. Both answer from `dashboard_cache`, so polling organisers cost one build per
interval, not one per poll.
"""

from __future__ import annotations

import json
import threading

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from smartexpo.core import organisers
from smartexpo.reports import dashboard_links, job_kinds
from smartexpo.reports.dashboard_cache import dashboard_cached
from smartexpo.venue import selectors as venue

POLL_MS = 5000
TIMEOUT_MS = 8000
# The sections the script replaces, in page order: each is `reports/dashboard_<name>.html`.
SECTIONS = ("registrations", "bookings", "admissions", "halls", "alerts", "activity", "deals")

organiser_page = organisers.organiser_page("reports/dashboard_forbidden.html")


organiser_json = organisers.organiser_json(gettext_lazy("Only organisers may see the dashboard."))


def _context(edition, payload: dict) -> dict:
    return {"expo": edition, "d": payload, "links": dashboard_links.links(edition, payload)}


class _ByPayload:
    """What is made from a kept payload, by the payload's identity: the polls of one interval
    are answered it without making it again. A few entries suffice (one payload per edition
    and language is current at a time)."""

    KEPT = 16

    def __init__(self):
        self._made: dict[int, tuple[dict, object]] = {}
        self._lock = threading.Lock()

    def get(self, payload: dict, make):
        with self._lock:
            kept = self._made.get(id(payload))
        if kept is not None and kept[0] is payload:
            return kept[1]
        made = make()
        with self._lock:
            if len(self._made) >= self.KEPT:
                self._made.clear()
            self._made[id(payload)] = (payload, made)
        return made


# The sections' HTML, and the JSON answer: at 700,000 visitors encoding it is a good part of
# a poll's cost, and the polls of an interval all answer the same bytes.
_rendered = _ByPayload()
_bodies = _ByPayload()


def _sections(edition, payload: dict) -> dict[str, str]:
    def render_all() -> dict[str, str]:
        context = _context(edition, payload)
        return {
            name: render_to_string(f"reports/dashboard_{name}.html", context) for name in SECTIONS
        }

    return _rendered.get(payload, render_all)


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
    payload = dashboard_cached(expo=edition)
    config = {
        "url": reverse("reports:dashboard-data", kwargs={"expo": edition.slug}),
        "pollMs": POLL_MS,
        "timeoutMs": TIMEOUT_MS,
        "at": payload["local"],
        "strings": strings(),
    }
    context = {
        **_context(edition, payload),
        "sections": _sections(edition, payload),
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
    payload = dashboard_cached(expo=edition)
    return HttpResponse(_body(edition, payload), content_type="application/json")


def _body(edition, payload: dict) -> bytes:
    def encode() -> bytes:
        body = {
            "at": payload["at"],
            "local": payload["local"],
            "clock": payload["clock"],
            "figures": payload,
            "sections": _sections(edition, payload),
        }
        return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False).encode()

    return _bodies.get(payload, encode)
