"""The public programme: the day grid (a list on phones), a session, the speakers.

Every page reads the latest release (`selectors.published_programme`, cached per process) and
the live seats in one query; a visitor whose browser remembers their registration
(`visitor.remembered`) also gets their stars and reservations, in two more.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from smartexpo.core.errors import SmartExpoError
from smartexpo.core.stamps import stamp_read
from smartexpo.programme import blocks, display, pages, selectors
from smartexpo.programme.views import visitor
from smartexpo.venue import selectors as venue
from smartexpo.venue.clock import edition_now

FILTERS = ("forum", "sector", "tag", "room")
CODE = re.compile(r"[\w.-]{1,40}")
MAX_QUERY = 100


def _post_session(request: HttpRequest) -> int | None:
    value = request.POST.get("session", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def programme(request: HttpRequest, expo: str) -> HttpResponse:
    if request.method == "GET" and not _carries_state(request):
        return _programme_for_anyone(request, expo)
    edition = venue.expo_or_404(slug=expo)
    registration = visitor.remembered(request, edition)
    published = selectors.published_programme(expo=edition)
    rows = display.rows(published, edition.slug)
    error = None
    if request.method == "POST":
        outcome = visitor.perform(
            request,
            edition,
            registration,
            _post_session(request),
            published=published,
            rows=rows,
            back=request.get_full_path(),
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    return _render_programme(request, edition, published, rows, registration, error)


def _render_programme(request, edition, published, rows, registration, error, extra=None):
    context = {"expo": edition, "published": published, "registration": registration}
    if published.sessions:
        chosen = _chosen(request, edition, published, rows)
        context.update(
            _programme_context(request, edition, published, rows, registration, error, chosen)
        )
        context["release"] = display.memo(
            published, "release", lambda: _release_note(edition, published, rows)
        )
    context["error"] = error
    # A refusal at a session this page does not show (another day, or no programme) is said
    # at the top instead.
    shown = {item["s"]["id"] for item in context.get("items", [])}
    context["error_above"] = error if error and error["session"] not in shown else None
    context.update(extra or {})
    return render(request, "programme/programme.html", context, status=409 if error else 200)


# --- the page as anyone without a session sees it ------------------------------------------
#
# The programme page is the one every visitor opens, and most open it without a session: no
# remembered registration, no messages. For them the page is the same for everyone who asks
# the same address in the same language while the release, the catalogue (the edition, tags
# and sectors: its stamp), the seats left and the "now" and "next" marks are the same; it is
# kept under exactly those, per release, with a stand-in for the CSRF token of the language
# switcher's form, which is the only thing of the visitor's own it holds.

CSRF_STAND_IN = "csrf0stand0in0for0the0visitors0own0token"
KEPT_PAGES = 512


def _carries_state(request: HttpRequest) -> bool:
    """Whether the request brings a session or messages (then its page is its own)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES


def _programme_for_anyone(request: HttpRequest, expo: str) -> HttpResponse:
    version = stamp_read()
    try:
        edition = venue.expo_get_cached(slug=expo, version=version)
    except SmartExpoError:
        raise Http404 from None
    published = selectors.published_programme(expo=edition)
    rows = display.rows(published, edition.slug)
    if not published.sessions or version is None:
        return _render_programme(request, edition, published, rows, None, None)
    chosen = _chosen(request, edition, published, rows)
    key = (
        version,
        request.get_full_path(),
        chosen["day"],
        chosen["now_label"],
        tuple(sorted(chosen["seats"].items())),
        tuple(sorted(chosen["marks"].items())),
    )
    kept = display.memo(published, "pages", dict)
    hit = kept.get(key)
    if hit is not None and hit[0] is edition:
        html = hit[1]
    else:
        response = _render_programme(
            request, edition, published, rows, None, None, {"csrf_token": CSRF_STAND_IN}
        )
        html = response.content.decode()
        if len(kept) >= KEPT_PAGES:
            kept.clear()
        kept[key] = (edition, html)
    return HttpResponse(html.replace(CSRF_STAND_IN, get_token(request)))


def _known(rows) -> dict[str, Any]:
    """The forums, rooms, sectors and tags the release has: the filters' choices."""
    return {
        "forum": {r["forum"]: r["forum_name"] for r in rows.values()},
        "room": {r["room"]: r["room_name"] for r in rows.values()},
        "sector": {c for r in rows.values() for c in r["sectors"]},
        "tag": {c for r in rows.values() for c in r["tags"]},
    }


def _chosen(request, edition, published, rows) -> dict[str, Any]:
    """What the request picks out of the release, and what is live: the filters (unknown
    ones dropped), the day, the sessions shown, their seats left and the now/next marks."""
    params = {key: request.GET.get(key, "").strip() for key in ("q", "day", *FILTERS)}
    params["q"] = params["q"][:MAX_QUERY]
    known = display.memo(published, "known", lambda: _known(rows))
    errors = {}
    for key in FILTERS:
        if params[key] and not (CODE.fullmatch(params[key]) and params[key] in known[key]):
            errors[key] = True
            params[key] = ""
    matched = selectors.sessions_filtered(
        published, q=params["q"], **{key: params[key] or None for key in FILTERS}
    )
    now = edition_now(edition).astimezone(edition.tz)
    today = now.date().isoformat()
    days = published.days
    if params["day"] and params["day"] not in days:
        errors["day"] = True
    if params["day"] not in days:
        params["day"] = today if today in days else days[0]
    day = params["day"]
    day_rows = [rows[r["id"]] for r in matched if r["day"] == day]
    return {
        "params": params,
        "known": known,
        "errors": errors,
        "matched": matched,
        "now": now,
        "during": today in days,
        "now_label": f"{now:%H:%M}" if today in days else "",
        "day": day,
        "day_rows": day_rows,
        "marks": display.now_and_next(day_rows, now) if day == today else {},
        "seats": selectors.seats_available(session_ids=[r["id"] for r in day_rows if r["seats"]]),
    }


def _programme_context(
    request, edition, published, rows, registration, error, chosen
) -> dict[str, Any]:
    params, known, errors = chosen["params"], chosen["known"], chosen["errors"]
    matched, day, day_rows = chosen["matched"], chosen["day"], chosen["day_rows"]
    marks, seats, now = chosen["marks"], chosen["seats"], chosen["now"]
    days = published.days
    counts = dict.fromkeys(days, 0)
    for r in matched:
        counts[r["day"]] += 1
    list_view = request.GET.get("view") == "list"
    order = display.memo(published, "rooms", lambda: pages.room_order(expo=edition))
    grid = display.day_grid(day_rows, order)
    mine = pages.visitor_marks(registration=registration) if registration else {}
    items = [
        {
            "s": r,
            "left": seats.get(r["id"], r["seats"]),
            "mark": marks.get(r["id"]),
            "area": grid.placed[r["id"]],
            "mine": mine.get(r["id"], {}),
        }
        for r in day_rows
    ]
    labels = blocks.Labels()
    if registration is None:
        html = "".join(blocks.session_block(item, labels) for item in items)
    else:
        token, here = get_token(request), request.get_full_path()
        html = "".join(
            blocks.session_block(
                item,
                labels,
                blocks.actions(item, csrf_token=token, action_url=here, error=error),
            )
            for item in items
        )
    sector_names, tag_names = pages.label_names(sectors=known["sector"], tags=known["tag"])
    kept = {k: v for k, v in params.items() if v and k != "day"}
    base = reverse("programme:programme", args=[edition.slug])
    view = {"view": "list"} if list_view else {}
    return {
        "params": params,
        "errors": errors,
        "items": items,
        "sessions_html": mark_safe(html),  # noqa: S308 - blocks escapes every value
        "grid": grid,
        "list_view": list_view,
        "during": chosen["during"],
        "now_label": f"{now:%H:%M}",
        "day": day,
        "day_label": display.day_label(day),
        "tabs": [
            {
                "day": d,
                "label": display.day_label(d),
                "count": counts[d],
                "url": f"{base}?{urlencode({**kept, 'day': d, **view})}",
            }
            for d in days
        ],
        "other_days": sum(counts.values()) - counts[day],
        "filtered": bool(kept),
        "forums": sorted(known["forum"].items(), key=lambda f: f[1]),
        "rooms": sorted(known["room"].items(), key=lambda f: f[1]),
        "sectors": [(c, n) for c, n in sector_names.items()],
        "tags": [(c, n) for c, n in tag_names.items()],
        "grid_url": f"{base}?{urlencode({**kept, 'day': day})}",
        "list_url": f"{base}?{urlencode({**kept, 'day': day, 'view': 'list'})}",
    }


def _local(edition, instant: dt.datetime | None) -> str:
    if instant is None:
        return ""
    return formats.date_format(instant.astimezone(edition.tz), "DATETIME_FORMAT")


def _release_note(edition, published, rows) -> dict[str, Any]:
    """The latest release: its version, when, and what it changed since the one before."""
    changes = published.changes or {}
    room_names = {r["room"]: r["room_name"] for r in rows.values()}
    moved = []
    for m in changes.get("moved", []):
        if m["id"] not in rows:
            continue
        start = dt.datetime.fromisoformat(m["from"]["starts_at"])
        end = dt.datetime.fromisoformat(m["from"]["ends_at"])
        was = f"{display.day_label(start.date().isoformat())} {start:%H:%M}–{end:%H:%M}"
        room = room_names.get(m["from"]["room"], m["from"]["room"])
        moved.append({"s": rows[m["id"]], "was": f"{was}, {room}"})
    dropped = pages.release_dropped(expo=edition, published=published)
    lang = display.lang_key()
    return {
        "version": published.version,
        "published_at": _local(edition, published.published_at),
        "added": [rows[pk] for pk in changes.get("added", []) if pk in rows],
        "moved": moved,
        "changed": [rows[pk] for pk in changes.get("changed", []) if pk in rows],
        "cancelled": [
            {"title": r["title"][lang], "time": r["starts_at"][:16].replace("T", " ")}
            for r in dropped.values()
        ],
    }


def session(request: HttpRequest, expo: str, pk: int) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    published = selectors.published_programme(expo=edition)
    rows = display.rows(published, edition.slug)
    row = rows.get(pk)
    if row is None:
        raise Http404
    registration = visitor.remembered(request, edition)
    error = None
    if request.method == "POST":
        outcome = visitor.perform(
            request,
            edition,
            registration,
            pk,
            published=published,
            rows=rows,
            back=request.get_full_path(),
        )
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    left = selectors.seats_available(session_ids=[pk]).get(pk, row["seats"])
    mine = pages.visitor_marks(registration=registration).get(pk, {}) if registration else {}
    position = None
    if mine.get("status") == "waitlisted":
        position = next(
            (
                r.get("position")
                for r in selectors.agenda_of(registration=registration)["reservations"]
                if r["session"] == pk
            ),
            None,
        )
    sector_names, tag_names = pages.label_names(sectors=set(row["sectors"]), tags=set(row["tags"]))
    now = edition_now(edition)
    base = reverse("programme:programme", args=[edition.slug])
    item = {"s": row, "left": left, "mine": mine, "position": position}
    context = {
        "expo": edition,
        "s": row,
        "seats_html": blocks.Labels().seats(left),
        "actions_html": blocks.actions(
            item, csrf_token=get_token(request), action_url=request.get_full_path(), error=error
        )
        if registration
        else "",
        "position": position,
        "waiting": pages.waitlist_length(session_id=pk) if row["seats"] else 0,
        "day_label": display.day_label(row["day"]),
        "running": row["start"] <= now < row["end"],
        "over": row["end"] <= now,
        "sectors": [sector_names.get(c, c) for c in row["sectors"]],
        "tags": [tag_names.get(c, c) for c in row["tags"]],
        "registration": registration,
        "error": error,
        "day_url": f"{base}?{urlencode({'day': row['day']})}",
        "room_url": f"{base}?{urlencode({'day': row['day'], 'room': row['room']})}",
        "forum_url": f"{base}?{urlencode({'day': row['day'], 'forum': row['forum']})}",
    }
    return render(request, "programme/session.html", context, status=409 if error else 200)


def _speakers(published, rows) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for speaker_id, session_ids in selectors.speakers_published(published).items():
        first = rows[session_ids[0]]
        person = next(p for p in first["speakers"] if p["id"] == speaker_id)
        found[speaker_id] = {**person, "sessions": [rows[pk] for pk in session_ids]}
    return found


def speakers(request: HttpRequest, expo: str) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    published = selectors.published_programme(expo=edition)
    people = sorted(
        _speakers(published, display.rows(published, edition.slug)).values(),
        key=lambda p: p["name"].lower(),
    )
    photos = pages.speaker_photos(expo=edition, ids=[p["id"] for p in people])
    for person in people:
        person["photo"] = photos.get(person["id"])
    context = {"expo": edition, "people": people, "published": published}
    return render(request, "programme/speakers.html", context)


def speaker(request: HttpRequest, expo: str, pk: int) -> HttpResponse:
    edition = venue.expo_or_404(slug=expo)
    published = selectors.published_programme(expo=edition)
    person = _speakers(published, display.rows(published, edition.slug)).get(pk)
    profile = selectors.speaker_get(expo=edition, pk=pk) if person else None
    if profile is None:
        raise Http404
    context = {
        "expo": edition,
        "person": person,
        "bio": profile.bio,
        "photo": profile.photo_digest or None,
    }
    return render(request, "programme/speaker.html", context)


def speaker_photo(request: HttpRequest, expo: str, pk: int, digest: str) -> HttpResponse:
    """A published speaker's photo; its address names its digest, so it is kept a year."""
    edition = venue.expo_or_404(slug=expo)
    published = selectors.published_programme(expo=edition)
    if pk not in selectors.speakers_published(published) or len(digest) > 64:
        raise Http404
    found = pages.speaker_photo(expo=edition, pk=pk, digest=digest)
    if found is None:
        raise Http404
    data, content_type = found
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
