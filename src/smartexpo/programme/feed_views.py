"""The programme's feeds and exports: iCalendar for calendar apps, the frab schedule for
conference apps. Public and without a language prefix (`?lang=` chooses the language); the
agenda feed is found by its secret alone. Each answer carries an entity tag, so an app that
polls is answered 304 until a release (or, for an agenda, a reservation) changes it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from smartexpo.programme.exports import frab, ical
from smartexpo.programme.exports.common import BOTH, EN, ZH, Document, language_asked
from smartexpo.venue import selectors as venue

# A subscribed calendar or an app polls the programme; a release shows within five minutes.
PUBLIC_CACHE = "public, max-age=300"
# An agenda's address is its secret: no shared cache keeps it, and every poll asks again
# (cheaply: 304 while nothing changed).
PRIVATE_CACHE = "private, no-cache"


def _not_modified(request: HttpRequest, doc: Document) -> bool:
    asked = request.headers.get("If-None-Match")
    if asked is not None:
        return doc.etag in {tag.strip() for tag in asked.split(",")} or asked.strip() == "*"
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return bool(doc.last_modified and since and doc.last_modified.timestamp() // 1 <= since)


LANGUAGE_TAGS = {EN: "en", ZH: "zh-Hans", BOTH: "en, zh-Hans"}


def _answer(
    request: HttpRequest,
    doc: Document,
    *,
    content_type: str,
    filename: str,
    cache: str,
    lang: str,
) -> HttpResponse:
    if _not_modified(request, doc):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(doc.body, content_type=content_type)
        disposition = "attachment" if filename.endswith(".ics") else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["ETag"] = doc.etag
    if doc.last_modified is not None:
        response["Last-Modified"] = http_date(doc.last_modified.timestamp())
    response["Cache-Control"] = cache
    # The document's language is the one `?lang=` asked for, whatever the browser prefers.
    response["Content-Language"] = LANGUAGE_TAGS[lang]
    response["X-Content-Type-Options"] = "nosniff"
    return response


CALENDAR = "text/calendar; charset=utf-8"


@require_safe
def programme_ics(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    lang = language_asked(request.GET.get("lang"), BOTH)
    doc = ical.programme_calendar(expo=edition, lang=lang)
    return _answer(
        request,
        doc,
        content_type=CALENDAR,
        filename=f"{edition.slug}-programme.ics",
        cache=PUBLIC_CACHE,
        lang=lang,
    )


@require_safe
def agenda_ics(request: HttpRequest, expo: str, secret: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    lang = language_asked(request.GET.get("lang"), BOTH)
    doc = ical.agenda_calendar(expo=edition, secret=secret, lang=lang)
    if doc is None:
        raise Http404
    response = _answer(
        request,
        doc,
        content_type=CALENDAR,
        filename=f"{edition.slug}-agenda.ics",
        cache=PRIVATE_CACHE,
        lang=lang,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def schedule_json(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    lang = language_asked(request.GET.get("lang"), EN)
    doc = frab.schedule_json(expo=edition, lang=lang)
    return _answer(
        request,
        doc,
        content_type="application/json",
        filename=f"{edition.slug}-schedule.json",
        cache=PUBLIC_CACHE,
        lang=lang,
    )


@require_safe
def schedule_xml(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    lang = language_asked(request.GET.get("lang"), EN)
    doc = frab.schedule_xml(expo=edition, lang=lang)
    return _answer(
        request,
        doc,
        content_type="application/xml; charset=utf-8",
        filename=f"{edition.slug}-schedule.xml",
        cache=PUBLIC_CACHE,
        lang=lang,
    )
