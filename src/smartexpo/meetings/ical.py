"""A participant's meetings as an iCalendar feed (RFC 5545, the `icalendar` library), as the
programme's feeds are made (`programme/exports/ical.py`): times in UTC, one event per meeting.

The UID belongs to the request (`meeting-<request id>@<edition>.smartexpo`), not to the
meeting row: a re-solve that moves a meeting is the same event moved, and SEQUENCE is the
meeting's `version`, bumped by every move, so a calendar app updates the event it has.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from smartexpo.meetings import pages
from smartexpo.meetings.models import Participant

PRODID = "-//SmartExpo//Business meetings//EN"


def meeting_uid(expo_slug: str, request_id: int) -> str:
    return f"meeting-{request_id}@{expo_slug}.smartexpo"


def meetings_calendar(
    *, participant: Participant, language: str = "en", page_url: str = ""
) -> bytes:
    """The participant's scheduled meetings, in `language`, as the bytes of a calendar."""
    expo = participant.expo
    with translation.override(language):
        who = pages.participant_name(participant)
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.calendar_name = _("%(expo)s: my meetings") % {"expo": expo.name}
        cal.add("x-wr-caldesc", _("The business meetings scheduled for %(who)s.") % {"who": who})
        stamp = timezone.now()
        for slot in pages.schedule_of(participant=participant):
            m = slot.meeting
            event = Event()
            event.add("uid", meeting_uid(expo.slug, m.request_id))
            event.add("dtstamp", stamp)
            event.add("sequence", m.version)
            event.add("dtstart", m.starts_at.astimezone(dt.UTC))
            event.add("dtend", m.ends_at.astimezone(dt.UTC))
            event.add("summary", _("Meeting with %(partner)s") % {"partner": slot.partner_name})
            location = slot.place
            if m.table is not None and m.session.zone_id:
                location = f"{slot.place}, {m.session.zone.name}"
            elif m.booth_id:
                location = f"{slot.place}, {m.booth.hall.name}"
            event.add("location", location)
            lines = [slot.session_name]
            if page_url:
                lines.append(page_url)
            event.add("description", "\n".join(lines))
            event.add("status", "CONFIRMED")
            if page_url:
                event.add("url", page_url, parameters={"VALUE": "URI"})
            cal.add_component(event)
    return cal.to_ical()
