"""A visitor's personal agenda, behind their registration's manage link: starred sessions and
reservations by day, the sessions a release moved or cancelled, and the agenda's calendar feed.

Opening it remembers the registration in the browser's session (`visitor.remember`), which is
what puts the programme pages' buttons in front of the visitor.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from smartexpo.programme import blocks, display, pages, panels, selectors
from smartexpo.programme.services.reservations import (
    agenda_feed_renew,
    agenda_feed_secret,
    favourite_remove,
)
from smartexpo.programme.views import visitor
from smartexpo.tickets import selectors as tickets
from smartexpo.venue import selectors as venue


def _registration(expo: str, token: str):
    edition = venue.expo_or_404(slug=expo)
    registration = tickets.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    return edition, registration


def agenda(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    if request.method == "POST":
        return _act(request, edition, registration)
    visitor.remember(request, edition, registration)
    published = selectors.published_programme(expo=edition)
    rows = display.rows(published, edition.slug)
    held = selectors.agenda_of(registration=registration)
    days, gone = _agenda_items(edition, published, rows, held)
    labels, csrf = blocks.Labels(), get_token(request)
    for day in days:
        for item in day["items"]:
            item["seats_html"] = labels.seats(item["left"])
            item["actions_html"] = blocks.actions(
                item, csrf_token=csrf, action_url=request.path, agenda=True
            )
    secret = agenda_feed_secret(registration=registration)
    feed = request.build_absolute_uri(f"/expos/{edition.slug}/agenda/{secret}.ics")
    context = {
        "expo": edition,
        "registration": registration,
        "token": token,
        "days": days,
        "gone": gone,
        "empty": not days and not gone,
        "published": published,
        "feed": feed,
        "webcal": "webcal://" + feed.split("://", 1)[1],
        # What higher apps add (the recommendations), `programme.panels`.
        "panels": panels.agenda_panels(request, edition, registration, token),
    }
    return render(request, "programme/agenda.html", context)


def _agenda_items(edition, published, rows, held) -> tuple[list[dict], list[dict]]:
    """The agenda's sessions by day in time order, and those no longer published."""
    items: dict[int, dict[str, Any]] = {}
    for r in held["reservations"]:
        items[r["session"]] = {"mine": {"status": r["status"]}, "position": r.get("position")}
    for pk in held["favourites"]:
        items.setdefault(pk, {"mine": {}})["mine"]["starred"] = True
    moved = {m["id"]: m["from"] for m in (published.changes or {}).get("moved", [])}
    seats = selectors.seats_available(session_ids=[pk for pk in items if pk in rows])
    by_day: dict[str, list[dict]] = {}
    gone_ids = []
    for pk, item in items.items():
        row = rows.get(pk)
        if row is None:
            gone_ids.append(pk)
            continue
        item.update(s=row, left=seats.get(pk, row["seats"]))
        if pk in moved:
            start = dt.datetime.fromisoformat(moved[pk]["starts_at"])
            item["was"] = f"{display.day_label(start.date().isoformat())} {start:%H:%M}"
        by_day.setdefault(row["day"], []).append(item)
    days = [
        {
            "day": day,
            "label": display.day_label(day),
            "items": sorted(found, key=lambda i: (i["s"]["start"], i["s"]["room"])),
        }
        for day, found in sorted(by_day.items())
    ]
    titles = pages.sessions_unpublished(expo=edition, ids=gone_ids)
    lang = display.lang_key()
    gone = [
        {
            "id": pk,
            "title": titles.get(pk, {}).get(lang, f"#{pk}"),
            **items[pk],
        }
        for pk in sorted(gone_ids)
    ]
    return days, gone


def _act(request: HttpRequest, edition, registration) -> HttpResponse:
    action = request.POST.get("action", "")
    value = request.POST.get("session", "")
    session_id = int(value) if value.isdigit() and len(value) < 12 else None
    here = request.path
    if action == "forget":
        visitor.forget(request, edition)
        messages.success(request, _("This browser no longer remembers your registration."))
        return redirect("programme:programme", expo=edition.slug)
    if action == "renew":
        agenda_feed_renew(registration=registration)
        messages.success(
            request, _("Your calendar has a new address; the old one no longer works.")
        )
        return redirect(f"{here}#feed")
    if action == "cancel" and session_id is not None:
        messages.success(request, visitor.cancelled_message(registration, session_id))
        return redirect(here)
    if action == "unstar" and session_id is not None:
        favourite_remove(registration=registration, session_id=session_id)
        messages.success(request, _("The star is removed from your agenda."))
        return redirect(here)
    messages.error(request, _("That button is not one of this page's. Please try again."))
    return redirect(here)
