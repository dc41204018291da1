"""The live venue page for organisers: halls coloured by crowd level, alerts, the day's chart.

The page is rendered complete (it reads without JavaScript), then `static/crowd/live.js` polls
`data.json` and `chart.json` and updates it in place. Organisers are Django staff users signed
in through the admin; the page and its JSON use that session, not API tokens.
"""

from __future__ import annotations

import functools
import gzip
from importlib import metadata
from pathlib import Path

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from smartexpo.core import organisers
from smartexpo.core.errors import SmartExpoError
from smartexpo.crowd import live, services
from smartexpo.crowd.models import AlertReason
from smartexpo.venue import selectors as venue

POLL_MS = 2500
CHART_MS = 5000
TIMEOUT_MS = 8000


organiser_page = organisers.organiser_page("crowd/forbidden.html")


organiser_json = organisers.organiser_json(gettext_lazy("Only organisers may see the live venue."))


def _json(body: dict) -> JsonResponse:
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _strict_at(request: HttpRequest, edition):
    """The `at` of a JSON request (ISO 8601 with its offset), None for live, or a 422."""
    value = request.GET.get("at")
    if not value:
        return None
    instant = live.instant_parse(value, expo=edition, local=False)
    if instant is None:
        raise SmartExpoError(
            "invalid",
            _("The request is not valid."),
            {"fields": {"at": _("An ISO 8601 instant with its UTC offset (for example +08:00).")}},
        )
    return instant


def live_strings() -> dict:
    """Every text the page's script writes, in the request's language."""
    return {
        "count": _("%(count)s / %(capacity)s"),
        "density": _("%(density)s p/m²"),
        "alert": _("Alert"),
        "connection_lost": _("Connection lost, retrying…"),
        "updated": _("Updated %(time)s"),
        "signed_out": _("Your session has ended: log in again."),
        "forbidden": _("Only organisers may see the live venue."),
        "bad_request": _("The server could not answer (%(status)s)."),
        "acknowledge": _("Acknowledge"),
        "acknowledge_failed": _("The alert could not be acknowledged. Try again."),
        "acknowledged": _("Acknowledged by %(name)s at %(time)s"),
        "cleared": _("Cleared %(time)s"),
        "ended_by_reset": _("Ended by the nightly reset at %(time)s"),
        "raised": _("Raised %(time)s"),
        "peak": _("Peak %(peak)s"),
        "no_active": _("No active alerts."),
        "no_recent": _("No alert has ended yet."),
        "more_active": _("%(count)s more active alerts: see the back office."),
        "no_booths": _("Nobody in any booth."),
        "reasons": {value: str(label) for value, label in AlertReason.choices},
        "predicted_tag": pgettext("crowd alert", "Predicted"),
        "predicted_reached": _("At its threshold of %(threshold)s now"),
        "predicted_beyond": _(
            "No longer expected within 30 minutes; kept until the forecast falls to %(clear)s"
        ),
        "predicted_in_one": ngettext(
            "Expected to reach %(threshold)s in %(minutes)s minute",
            "Expected to reach %(threshold)s in %(minutes)s minutes",
            1,
        ),
        "predicted_in": ngettext(
            "Expected to reach %(threshold)s in %(minutes)s minute",
            "Expected to reach %(threshold)s in %(minutes)s minutes",
            2,
        ),
        "predicted_raised": _("Predicted at %(time)s"),
        "predicted_expected": _("then expected at %(time)s"),
        "no_predicted": _("No hall is expected to reach its threshold soon."),
        "no_predicted_recent": _("No prediction has cleared yet."),
        "chart_axis": _("People"),
        "chart_unavailable": _("The chart library could not be loaded."),
    }


@functools.cache
def plotly_version() -> str:
    """The installed plotly's version (the bundle's address carries it)."""
    return metadata.version("plotly")


def plotly_url() -> str:
    # One address whatever the page's language: English addresses carry no prefix.
    with translation.override("en"):
        return reverse("crowd:plotly", kwargs={"version": plotly_version()})


def _query_at(request: HttpRequest, edition):
    """The page's chosen instant: (instant or None, whether `at` was given but unreadable)."""
    value = request.GET.get("at", "")
    if not value.strip():
        return None, False
    instant = live.instant_parse(value, expo=edition, local=True)
    return instant, instant is None


@require_safe
@organiser_page
def live_page(request: HttpRequest, expo: str) -> HttpResponse:
    # Organisers watch an edition before it is published, too (here and below).
    edition = venue.expo_or_404(slug=expo, published_only=False)
    chosen, unreadable = _query_at(request, edition)
    services.history_refresh(expo=edition)
    state = live.live_state(expo=edition, chosen=chosen)
    urls = {
        "data": reverse("crowd:live-data", kwargs={"expo": edition.slug}),
        "chart": reverse("crowd:live-chart", kwargs={"expo": edition.slug}),
    }
    config = {
        "lang": "zh" if (translation.get_language() or "en").startswith("zh") else "en",
        "timezone": edition.timezone,
        "at": state.data["at"] if chosen else None,
        "urls": urls,
        "pollMs": POLL_MS,
        "chartMs": CHART_MS,
        "timeoutMs": TIMEOUT_MS,
        "csrf": get_token(request),
        "strings": live_strings(),
    }
    context = {
        "expo": edition,
        "state": state,
        "data": state.data,
        "levels": live.level_list(),
        "config": config,
        "plotly_url": plotly_url(),
        "unreadable": unreadable,
        "input_min": f"{edition.starts_on.isoformat()}T00:00",
        "input_max": f"{edition.ends_on.isoformat()}T23:59",
        "live_url": live.page_url(expo=edition),
    }
    return render(request, "crowd/live.html", context, status=400 if unreadable else 200)


@require_safe
@never_cache
@organiser_json
def live_data(request: HttpRequest, expo: str) -> JsonResponse:
    edition = venue.expo_or_404(slug=expo, published_only=False)
    chosen = _strict_at(request, edition)
    services.history_refresh(expo=edition)
    return _json(live.live_state(expo=edition, chosen=chosen).data)


@require_safe
@never_cache
@organiser_json
def live_chart(request: HttpRequest, expo: str) -> JsonResponse:
    edition = venue.expo_or_404(slug=expo, published_only=False)
    chosen = _strict_at(request, edition)
    services.history_refresh(expo=edition)
    return _json(live.occupancy_over_day(expo=edition, chosen=chosen))


@require_POST
def acknowledge(request: HttpRequest, expo: str, alert_id: int) -> HttpResponse:
    """Acknowledge an alert from the page: JSON for the script, a redirect back for a plain
    form (the page without JavaScript). CSRF is checked by the middleware as for any form."""
    if "application/json" in request.headers.get("Accept", ""):
        return _acknowledge_json(request, expo=expo, alert_id=alert_id)
    edition = venue.expo_or_404(slug=expo, published_only=False)
    if not request.user.is_authenticated:
        return redirect_to_login(live.page_url(expo=edition))
    if not organisers.is_organiser(request.user):
        return render(request, "crowd/forbidden.html", status=403)
    try:
        services.alert_acknowledge(expo=edition, alert_id=alert_id, by=request.user.get_username())
    except SmartExpoError:
        raise Http404 from None
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = live.page_url(expo=edition)
    return redirect(back)


@organiser_json
def _acknowledge_json(request: HttpRequest, expo: str, alert_id: int) -> JsonResponse:
    edition = venue.expo_or_404(slug=expo, published_only=False)
    alert = services.alert_acknowledge(
        expo=edition, alert_id=alert_id, by=request.user.get_username()
    )
    return _json(live.alert_row(alert, at=timezone.now(), expo=edition))


# --- the chart library --------------------------------------------------------------------


@functools.cache
def _plotly_bundle() -> tuple[bytes, bytes]:
    """plotly.js as the installed plotly wheel ships it, plain and gzipped (read once)."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    raw = path.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


@require_safe
def plotly_bundle(request: HttpRequest, version: str) -> HttpResponse:
    """The chart library, served by the app from the installed wheel (no CDN, no copy in the
    repository). The address carries the version, so browsers may keep it for a year."""
    if version != plotly_version():
        raise Http404
    compressed = "gzip" in request.headers.get("Accept-Encoding", "")
    tag = f'"plotly-{version}{"-gz" if compressed else ""}"'
    if request.headers.get("If-None-Match") == tag:
        response = HttpResponse(status=304)
    else:
        raw, zipped = _plotly_bundle()
        response = HttpResponse(
            zipped if compressed else raw, content_type="text/javascript; charset=utf-8"
        )
        if compressed:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = tag
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["Vary"] = "Accept-Encoding"
    return response
