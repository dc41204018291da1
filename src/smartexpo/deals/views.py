"""The public deals pages (docs/deals-pages.md): the tally with year over year, the list of
deals and a deal, the follow-up, and the signing ceremony's big screen. Thin: `pages` puts
together what each shows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from smartexpo.deals import pages
from smartexpo.venue import selectors as venue


@require_safe
def tally(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    day, given = pages.read_day(request.GET.get("day"), edition)
    context = pages.tally_page(expo=edition, day=day, day_given=given)
    return render(request, "deals/tally.html", {"expo": edition, **context})


@require_safe
def deal_list(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    filters = pages.read_filters(request.GET)
    context = pages.list_page(expo=edition, filters=filters, page=request.GET.get("page"))
    # The filters again as a query string, for the links to the other pages of the list.
    kept = {k: v for k, v in request.GET.items() if k in pages.FILTERS and v}
    context["query"] = urlencode(kept)
    return render(request, "deals/list.html", {"expo": edition, **context})


@require_safe
def deal(request: HttpRequest, expo: str, pk: int) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.deal_page(expo=edition, pk=pk)
    return render(request, "deals/deal.html", {"expo": edition, **context})


@require_safe
def follow_up(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.follow_up_page(expo=edition)
    return render(request, "deals/follow_up.html", {"expo": edition, **context})


@require_safe
def ceremony(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.ceremony_page(expo=edition)
    return render(request, "deals/ceremony.html", {"expo": edition, **context})
