"""The public deals pages (docs/deals-pages.md): the tally with year over year, the list of
deals and a deal, the follow-up, and the signing ceremony's big screen. Thin: `pages` puts
together what each shows."""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.stamps import stamp_read
from smartexpo.deals import memo, notes, pages, selectors
from smartexpo.venue import selectors as venue

# The language form's CSRF token in a page kept for anyone (the visitor's own goes in on every
# answer): the only thing of the visitor's own the deals pages hold.
CSRF_STAND_IN = "csrf0stand0in0for0the0visitors0own0token"


def kept_for_anyone(view):
    """Serve a deals page, as drawn for a request without a session or messages, from
    `memo.PAGES`: it is a function of the edition (catalogue stamp), the ledger's head, the
    address asked (language and query included) and the edition's day (docs/caches.md)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, expo: str, **kwargs) -> HttpResponse:
        carries_state = (
            settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES
        )
        version = stamp_read()
        if carries_state or version is None:
            return view(request, expo, **kwargs)
        try:
            edition = venue.expo_get_cached(slug=expo, version=version)
        except SmartExpoError:
            raise Http404 from None
        key = (version, request.get_full_path(), pages.today(edition))

        def make() -> tuple[int, bytes]:
            request.deals_kept = True  # `_render` draws the stand-in for the CSRF token
            response = view(request, expo, **kwargs)
            return response.status_code, response.content

        status, html = memo.PAGES.get(edition.pk, selectors.head(expo=edition), key, make)
        body = html.replace(CSRF_STAND_IN.encode(), get_token(request).encode())
        return HttpResponse(body, status=status)

    return wrapper


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    note = notes.note_for(expo=context["expo"])
    context = {**context, "note": (note["zh"] if pages.zh() else note["en"]) if note else None}
    if getattr(request, "deals_kept", False):
        context["csrf_token"] = CSRF_STAND_IN
    return render(request, template, context)


@require_safe
@kept_for_anyone
def tally(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    day, given = pages.read_day(request.GET.get("day"), edition)
    context = pages.tally_page(expo=edition, day=day, day_given=given)
    return _render(request, "deals/tally.html", {"expo": edition, **context})


@require_safe
@kept_for_anyone
def deal_list(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    filters = pages.read_filters(request.GET)
    context = pages.list_page(expo=edition, filters=filters, page=request.GET.get("page"))
    # The filters again as a query string, for the links to the other pages of the list.
    kept = {k: v for k, v in request.GET.items() if k in pages.FILTERS and v}
    context["query"] = urlencode(kept)
    return _render(request, "deals/list.html", {"expo": edition, **context})


@require_safe
@kept_for_anyone
def deal(request: HttpRequest, expo: str, pk: int) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.deal_page(expo=edition, pk=pk)
    return _render(request, "deals/deal.html", {"expo": edition, **context})


@require_safe
@kept_for_anyone
def follow_up(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.follow_up_page(expo=edition)
    return _render(request, "deals/follow_up.html", {"expo": edition, **context})


@require_safe
@kept_for_anyone
def ceremony(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    context = pages.ceremony_page(expo=edition)
    return _render(request, "deals/ceremony.html", {"expo": edition, **context})
