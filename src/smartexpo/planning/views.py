"""The organiser's gate-lane plan page and its CSV and PDF exports (docs/planning.md, "The
lanes page").

Organisers are Django staff users signed in through the admin, as on the live venue page:
anyone else is sent to the admin's login, a signed-in account without staff status gets a 403
page. A valid upload is kept in the session and answered with a redirect to the plan's address
(`?plan=<key>`), which the page and its exports share: reloading recomputes the same seeded
plan, and an address of a plan the session no longer keeps says so instead of showing another.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from smartexpo.core import organisers
from smartexpo.planning import exports
from smartexpo.planning.forms import SOURCE_FILE, LanesForm
from smartexpo.planning.pages import (
    early_shown,
    forecast_as_of_field,
    forecast_shown,
    lanes_result,
    page_gates,
    stash_get,
    stash_put,
    stash_result,
)
from smartexpo.planning.selectors import gate_lanes
from smartexpo.venue import selectors as venue

organiser_page = organisers.organiser_page("planning/forbidden.html")


def _page_url(edition, key: str | None = None) -> str:
    url = reverse("planning:lanes", kwargs={"expo": edition.slug})
    return f"{url}?plan={key}" if key else url


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
@organiser_page
def lanes_page(request: HttpRequest, expo: str) -> HttpResponse:
    # Organisers plan an edition before it is published, too.
    edition = venue.expo_or_404(slug=expo, published_only=False)
    gates = gate_lanes(expo=edition)
    context = {"expo": edition, "gates": gates, "result": None, "missing": False}
    if request.method == "POST":
        form = LanesForm(request.POST, request.FILES, expo=edition, gates=gates)
        if form.is_valid():
            # The plan is drawn on the redirect's page (recomputed from the kept inputs); only
            # shifts, which a time-limited solver may not find alike twice, are solved here.
            shifts = None
            if form.cleaned_data["shifts"]:
                shifts = lanes_result(
                    arrivals=form.arrivals, target=form.target, gates=gates, shifts=True
                ).shifts
            key = stash_put(
                request.session,
                expo=edition,
                text=form.text,
                name=form.arrivals.source,
                target=form.target,
                shifts=shifts,
                forecast=form.forecast,
            )
            return redirect(_page_url(edition, key))
        context["form"] = form
        return render(request, "planning/lanes.html", context, status=422)
    key = request.GET.get("plan", "")
    kept = stash_get(request.session, expo=edition, key=key)
    initial = {}
    if kept is not None:
        result = stash_result(kept, expo=edition, gates=gates)
        initial = {
            "wait_minutes": kept["wait_minutes"],
            "percentile": kept["percentile"],
            "shifts": kept["shifts"] is not None,
        }
        forecast = kept.get("forecast")
        if forecast:
            initial["as_of"] = forecast_as_of_field(forecast)
            initial["plan_for"] = forecast.get("plan_for", "high")
        else:
            initial["source"] = SOURCE_FILE
        context.update(
            result=result,
            plan=result.plan,
            shown=page_gates(result, edition.tz),
            infeasible=[(code, at.astimezone(edition.tz)) for code, at in result.plan.infeasible],
            early=early_shown(result.plan, edition.tz),
            saving=result.plan.saving * 100,
            key=key,
            forecast=forecast_shown(forecast),
            csv_url=reverse("planning:lanes-csv", kwargs={"expo": edition.slug}) + f"?plan={key}",
            pdf_url=reverse("planning:lanes-pdf", kwargs={"expo": edition.slug}) + f"?plan={key}",
        )
    context["missing"] = bool(key) and kept is None
    context["form"] = LanesForm(initial=initial, expo=edition, gates=gates)
    return render(
        request, "planning/lanes.html", context, status=404 if context["missing"] else 200
    )


def _kept_result(request: HttpRequest, expo: str):
    edition = venue.expo_or_404(slug=expo, published_only=False)
    kept = stash_get(request.session, expo=edition, key=request.GET.get("plan", ""))
    if kept is None:
        return edition, None
    return edition, stash_result(kept, expo=edition, gates=gate_lanes(expo=edition))


def _not_kept(request: HttpRequest, edition) -> HttpResponse:
    message = _("This plan is no longer kept: upload the arrivals again on the lanes page.")
    context = {"message": message, "back": _page_url(edition)}
    return render(request, "web/404.html", context, status=404)


@require_safe
@never_cache
@organiser_page
def lanes_csv(request: HttpRequest, expo: str) -> HttpResponse:
    edition, result = _kept_result(request, expo)
    if result is None:
        return _not_kept(request, edition)
    response = HttpResponse(
        exports.plan_csv(result.plan, percentile=result.target.label, tz=edition.tz),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="lanes-{edition.slug}.csv"'
    return response


@require_safe
@never_cache
@organiser_page
def lanes_pdf(request: HttpRequest, expo: str) -> HttpResponse:
    edition, result = _kept_result(request, expo)
    if result is None:
        return _not_kept(request, edition)
    response = HttpResponse(exports.plan_pdf(result, expo=edition), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="lanes-{edition.slug}.pdf"'
    return response
