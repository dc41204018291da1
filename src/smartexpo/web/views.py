"""Public pages: thin views that call selectors and render templates."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
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

DIRECTORY_PAGE_SIZE = 24


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
    context = {
        "expo": edition,
        "exhibitor": exhibitor,
        "booths": booths,
        "other_editions": other_editions,
    }
    return render(request, "web/exhibitor.html", context)


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
    context = {
        "expo": edition,
        "halls": halls,
        "plan": floorplan.site_plan(halls, hall_url=_hall_url),
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
    highlight = request.GET.get("booth", "")
    plan = floorplan.hall_plan(
        hall, booths, exhibitor_url=_exhibitor_url(edition), highlight=highlight
    )
    context = {
        "expo": edition,
        "hall": hall,
        "plan": plan,
        "halls": venue.hall_list(expo=edition),
        "highlight": highlight,
        "legend": plan.legend,
    }
    return render(request, "web/hall.html", context)


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
