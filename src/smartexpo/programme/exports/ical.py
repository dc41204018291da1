"""iCalendar feeds (RFC 5545, with RFC 7986's calendar properties), made with the `icalendar`
library: the whole published programme, and a visitor's personal agenda by its secret address.

Times are written in UTC (`…Z`). A session is one fixed instant, never a recurrence, and the
edition's zone (Asia/Shanghai) has no daylight saving time, so a TZID with its VTIMEZONE would
carry nothing more; UTC is the one form every calendar app reads alike with no zone lookup (an
app that maps TZIDs by name, or ignores an unknown VTIMEZONE, cannot shift it), and each app
shows the time in its own zone, at the expo that of Chongqing.

Each event keeps its UID for good (`session-<id>@<edition>.smartexpo`). Its SEQUENCE counts the
releases that changed its published record (`history.Revision`), and DTSTAMP and LAST-MODIFIED
are when the last of them was published: a feed changes only when a release changes it, and a
calendar app sees a moved or changed session as an update of the same event.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Calendar, Event
from icalendar.prop import vDuration

from smartexpo.programme.exports.common import (
    BOTH,
    EN,
    Document,
    ReleaseMemo,
    document,
    expo_key,
    feed_url,
    programme_url,
    release_key,
    session_uid,
    session_url,
    text,
)
from smartexpo.programme.exports.history import History, Revision, last_records, release_history
from smartexpo.programme.models import AgendaFeed, ReservationStatus
from smartexpo.programme.selectors import agenda_of, published_programme
from smartexpo.venue.models import Expo

PRODID = "-//SmartExpo//Forum programme//EN"
# How often a subscribed calendar should read the feed again (RFC 7986 REFRESH-INTERVAL, and
# X-PUBLISHED-TTL, which Outlook and older Apple apps read instead).
REFRESH = dt.timedelta(hours=1)

_programmes = ReleaseMemo()


def _utc(instant: str) -> dt.datetime:
    return dt.datetime.fromisoformat(instant).astimezone(dt.UTC)


def _calendar(*, name: str, description: str, source: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.calendar_name = name  # NAME and X-WR-CALNAME
    cal.add("x-wr-caldesc", description)
    cal.add("description", description)
    cal.add("source", source, parameters={"VALUE": "URI"})
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def _description(record: dict[str, Any], lang: str, note: str) -> str:
    parts = []
    if note:
        parts.append(note)
    abstract = record["abstract"]
    if lang == BOTH:
        parts += list(dict.fromkeys(a for a in (abstract["en"], abstract["zh"]) if a))
    elif text(abstract, lang):
        parts.append(text(abstract, lang))
    speakers = []
    for person in record["speakers"]:
        affiliation = text(person["affiliation"], lang) if person["affiliation"]["en"] else ""
        name = text(person["name"], lang)
        speakers.append(
            _("%(name)s (%(affiliation)s)") % {"name": name, "affiliation": affiliation}
            if affiliation
            else name
        )
    if speakers:
        names = pgettext("list separator", ", ").join(speakers)
        parts.append(_("Speakers: %(names)s") % {"names": names})
    parts.append(_("Forum: %(forum)s") % {"forum": text(record["forum_name"], lang)})
    return "\n\n".join(parts)


def _event(
    expo: Expo,
    record: dict[str, Any],
    history: History,
    lang: str,
    *,
    stamp: dt.datetime,
    status: str = "",
    note: str = "",
) -> Event:
    # Every published session has its revision; a history cut short (releases deleted in the
    # admin) still gives the DTSTAMP that RFC 5545 requires.
    revision = history.revisions.get(record["id"]) or Revision(0, stamp, stamp, None)
    link_lang = EN if lang == BOTH else lang
    summary = text(record["title"], lang)
    if status == "CANCELLED":
        # Apps that ignore STATUS still tell the visitor.
        summary = _("Cancelled: %(title)s") % {"title": summary}
    room, venue_en = record["room_name"], expo.venue_en
    venue_zh = expo.venue_zh or venue_en
    # Each language's own address order: "Room, Venue" and "Venue Room".
    location = {
        "en": f"{room['en']}, {venue_en}" if venue_en else room["en"],
        "zh": f"{venue_zh} {room['zh']}" if venue_zh else room["zh"],
    }
    event = Event()
    event.add("uid", session_uid(expo.slug, record["id"]))
    event.add("dtstamp", revision.modified)
    event.add("created", revision.created)
    event.add("last-modified", revision.modified)
    event.add("sequence", revision.sequence)
    event.add("dtstart", _utc(record["starts_at"]))
    event.add("dtend", _utc(record["ends_at"]))
    event.add("summary", summary)
    event.add("description", _description(record, lang, note))
    event.add("location", text(location, lang))
    event.add("url", session_url(expo.slug, record["id"], link_lang), parameters={"VALUE": "URI"})
    event.add("categories", [text(record["forum_name"], lang)])
    if status:
        event.add("status", status)
    return event


def _language(lang: str) -> str:
    return EN if lang == BOTH else lang


def programme_calendar(*, expo: Expo, lang: str = BOTH) -> Document:
    """The published programme as a calendar: one event per session of the latest release
    (none before the first), kept until the next release."""
    published = published_programme(expo=expo)

    def build() -> Document:
        history = release_history(expo=expo, published=published)
        with translation.override(_language(lang)):
            cal = _calendar(
                name=_("%(expo)s: programme") % {"expo": text(expo_names(expo), lang)},
                description=_("The forum programme, as published (version %(version)s).")
                % {"version": published.version},
                source=feed_url("programme-ics", expo=expo.slug),
            )
            cal.add("url", programme_url(expo.slug, _language(lang)), parameters={"VALUE": "URI"})
            for record in published.sessions:
                cal.add_component(_event(expo, record, history, lang, stamp=published.published_at))
        return document(cal.to_ical(), published.published_at)

    return _programmes.get((expo_key(expo), lang), release_key(published), build)


def expo_names(expo: Expo) -> dict[str, str]:
    return {"en": expo.name_en, "zh": expo.name_zh or expo.name_en}


def agenda_calendar(*, expo: Expo, secret: str, lang: str = BOTH) -> Document | None:
    """The agenda of the registration whose feed has this secret (None: no such feed in this
    edition) as a calendar: its reservations (CONFIRMED, or TENTATIVE on the waiting list) and
    its starred sessions (no status), and, CANCELLED under the same UID, those that left the
    published programme, as they were last published. Built on every request: a seat confirmed
    from the waiting list changes it without a release."""
    feed = (
        AgendaFeed.objects.select_related("registration")
        .filter(secret=secret, registration__expo=expo)
        .first()
    )
    if feed is None:
        return None
    registration = feed.registration
    published = published_programme(expo=expo)
    history = release_history(expo=expo, published=published)
    agenda = agenda_of(registration=registration)
    reservations = {r["session"]: r for r in agenda["reservations"]}
    wanted = list(dict.fromkeys([*reservations, *agenda["favourites"]]))
    gone = last_records(
        expo=expo, history=history, session_ids=[pk for pk in wanted if pk not in published.by_id]
    )
    with translation.override(_language(lang)):
        cal = _calendar(
            name=_("%(expo)s: my agenda") % {"expo": text(expo_names(expo), lang)},
            description=_("Your reservations and starred sessions of the forum programme."),
            source=feed_url("agenda-ics", expo=expo.slug, secret=feed.secret),
        )
        records = [published.by_id.get(pk) or gone.get(pk) for pk in wanted]
        for record in sorted(filter(None, records), key=lambda r: (r["starts_at"], r["id"])):
            status, note = _agenda_status(record, published, reservations.get(record["id"]))
            cal.add_component(
                _event(
                    expo,
                    record,
                    history,
                    lang,
                    stamp=published.published_at or timezone.now(),
                    status=status,
                    note=note,
                )
            )
    return document(cal.to_ical(), None)


def _agenda_status(record, published, reservation) -> tuple[str, str]:
    if record["id"] not in published.by_id:
        return "CANCELLED", _("This session is no longer in the programme.")
    if reservation is None:
        return "", ""
    if reservation["status"] == ReservationStatus.WAITLISTED:
        return "TENTATIVE", _("You are on the waiting list: number %(position)s.") % {
            "position": reservation["position"]
        }
    return "CONFIRMED", _("Your seat is reserved.")
