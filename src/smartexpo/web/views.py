"""Public pages: thin views that call selectors and render templates."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.middleware import api_error
from smartexpo.exhibitors import selectors as catalogue
from smartexpo.venue import floorplan
from smartexpo.venue import selectors as venue
from smartexpo.venue.models import ZoneKind

DIRECTORY_PAGE_SIZE = 24
# What an exhibitor's page carries back to the directory: its own parameters, each checked.
DIRECTORY_PARAMS = {
    "q": re.compile(r"[^\x00-\x1f]{1,100}"),
    "sector": re.compile(r"[\w-]{1,40}"),
    "tag": re.compile(r"[\w-]{1,40}"),
    "hall": re.compile(r"[\w.-]{1,32}"),
    "page": re.compile(r"[0-9]{1,6}"),
}


def directory_query(params: QueryDict) -> str:
    """The directory's parameters among `params`, in their order and re-encoded: the query
    string an exhibitor's page returns to. Only a query string travels, never an address, so
    the way back cannot lead off the directory of the edition (no open redirect)."""
    kept = QueryDict(mutable=True)
    for key in params:
        value = params.get(key, "").strip()
        rule = DIRECTORY_PARAMS.get(key)
        if rule is not None and rule.fullmatch(value):
            kept[key] = value
    return kept.urlencode()


def _expo_or_404(request: HttpRequest, slug: str):
    try:
        return venue.expo_get(slug=slug), None
    except SmartExpoError:
        return None, page_not_found(request, None)


def home(request: HttpRequest) -> HttpResponse:
    expo = venue.expo_default()
    if expo is None:
        return render(request, "web/empty.html", status=200)
    return _render_home(request, expo)


def expo_home(request: HttpRequest, expo: str) -> HttpResponse:
    edition, missing = _expo_or_404(request, expo)
    return missing or _render_home(request, edition)


def _render_home(request: HttpRequest, expo) -> HttpResponse:
    from smartexpo.web.selectors import expo_key_facts

    context = {
        "expo": expo,
        "facts": expo_key_facts(expo=expo),
        "halls": catalogue.hall_list_with_counts(expo=expo),
        "sectors": catalogue.sector_list(),
        "featured": catalogue.exhibitor_directory(expo=expo).filter(fortune500=True)[:12],
        "editions": venue.expo_list(),
    }
    return render(request, "web/home.html", context)


def exhibitor_directory(request: HttpRequest, expo: str) -> HttpResponse:
    edition, missing = _expo_or_404(request, expo)
    if missing:
        return missing
    params = {key: request.GET.get(key, "").strip() for key in ("q", "sector", "tag", "hall")}
    errors: dict[str, str] = {}
    try:
        qs = catalogue.exhibitor_directory(expo=edition, **params)
    except SmartExpoError as exc:
        # Keep what was valid: drop only the filters that were refused, and say why.
        errors = exc.detail.get("fields", {})
        kept = {k: ("" if k in errors else v) for k, v in params.items()}
        qs = catalogue.exhibitor_directory(expo=edition, **kept)
    paginator = Paginator(qs, DIRECTORY_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "expo": edition,
        "params": params,
        "errors": errors,
        "page": page,
        "query": query.urlencode(),
        "back": directory_query(request.GET),
        "sectors": catalogue.sector_list(),
        "tags": catalogue.tag_list(),
        "halls": venue.hall_list(expo=edition),
    }
    template = "web/_directory_results.html" if request.headers.get("HX-Request") else None
    return render(request, template or "web/directory.html", context)


def exhibitor_detail(request: HttpRequest, expo: str, exhibitor_id: int) -> HttpResponse:
    edition, missing = _expo_or_404(request, expo)
    if missing:
        return missing
    try:
        exhibitor = catalogue.exhibitor_get(expo=edition, pk=exhibitor_id)
    except SmartExpoError:
        return page_not_found(request, None)
    booths = catalogue.exhibitor_booths(exhibitor)
    other_editions = exhibitor_other_editions(exhibitor)
    back = directory_query(QueryDict(request.GET.get("back", "")))
    directory = reverse("web:exhibitors", args=[edition.slug])
    context = {
        "expo": edition,
        "exhibitor": exhibitor,
        "booth_plans": _booth_plans(booths),
        "other_editions": other_editions,
        "directory_url": f"{directory}?{back}" if back else directory,
    }
    return render(request, "web/exhibitor.html", context)


def _booth_plans(booths) -> list[dict]:
    """One small plan per hall the exhibitor has booths in, its booths marked."""
    by_hall: dict[int, dict] = {}
    for booth in booths:
        entry = by_hall.setdefault(booth.hall_id, {"hall": booth.hall, "booths": []})
        entry["booths"].append(booth)
    for entry in by_hall.values():
        hall, mine = entry["hall"], entry["booths"]
        entry["plan"] = floorplan.booth_locator(
            hall, list(venue.hall_booths(hall=hall)), mine={b.code for b in mine}
        )
        entry["codes"] = ", ".join(b.code for b in mine)
        entry["url"] = f"{_hall_url(hall)}?booth={mine[0].code}"
    return list(by_hall.values())


def exhibitor_other_editions(exhibitor):
    from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus

    return (
        Exhibitor.objects.filter(slug=exhibitor.slug, status=ExhibitorStatus.APPROVED)
        .exclude(pk=exhibitor.pk)
        .select_related("expo")
        .order_by("expo__starts_on")
    )


def _hall_url(hall) -> str:
    return reverse("web:hall", args=[hall.expo.slug, hall.code])


def _exhibitor_url(edition):
    return lambda exhibitor: reverse("web:exhibitor", args=[edition.slug, exhibitor.pk])


def site_plan(request: HttpRequest, expo: str) -> HttpResponse:
    edition, missing = _expo_or_404(request, expo)
    if missing:
        return missing
    halls = list(catalogue.hall_list_with_counts(expo=edition))
    gates = list(venue.gate_list(expo=edition))
    entrances = [g for g in gates if g.zone.kind == ZoneKind.VENUE]
    context = {
        "expo": edition,
        "halls": halls,
        "plan": floorplan.site_plan(halls, hall_url=_hall_url, gates=gates),
        "entrances": entrances,
    }
    return render(request, "web/site_plan.html", context)


def hall_plan(request: HttpRequest, expo: str, code: str) -> HttpResponse:
    edition, missing = _expo_or_404(request, expo)
    if missing:
        return missing
    try:
        hall = venue.hall_get(expo=edition, code=code)
    except SmartExpoError:
        return page_not_found(request, None)
    booths = list(catalogue.booth_list(expo=edition, hall=hall))
    organiser = _sees_free_booths(request.user)
    free = catalogue.free_booth_codes(expo=edition, hall=hall) if organiser else None
    plan = floorplan.hall_plan(
        hall,
        booths,
        exhibitor_url=_exhibitor_url(edition),
        highlight=request.GET.get("booth", "")[:40],
        free=free,
    )
    halls = list(venue.hall_list(expo=edition))
    gates = venue.gate_list(expo=edition).filter(zone=hall)
    floorplan.surround(plan, hall, halls, gates, hall_url=_hall_url)
    context = {
        "expo": edition,
        "hall": hall,
        "plan": plan,
        "halls": halls,
        "highlight": next((s.code for s in plan.shapes if s.highlighted), ""),
        "legend": plan.legend,
        "organiser": organiser,
    }
    return render(request, "web/hall.html", context)


def _sees_free_booths(user) -> bool:
    """Whether the hall plan may say which booths are free: to organisers at the back office
    who may assign booths, never to the public."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (
        user.is_staff and user.has_perm("exhibitors.change_boothassignment")
    )


def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's `set_language`, resolving `next` in the language it is written in.

    `/i18n/setlang/` itself has no language prefix, so Django would resolve a Chinese `next`
    (`/zh-hans/...`) as English, fail, and send the visitor back to the Chinese page.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    with translation.override(translation.get_language_from_path(next_url) or "en"):
        return set_language(request)


def page_not_found(request: HttpRequest, exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_error(404, "not_found", "Not found.")
    return render(request, "web/404.html", {"message": _("This page does not exist.")}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_error(500, "internal_error", "Something went wrong on our side.")
    return render(request, "web/500.html", status=500)
