"""What the meetings pages read (page-side selectors): a person's participant, their schedule
with partner names and places, the requests they received and sent, their busy time (their own
intervals and their reserved forum sessions) and the partners suggested to them.

Names on a page: an exhibitor by its bilingual name; a visitor by the name and company of their
registration — they opted in to meetings, so the partner they meet may know who they meet. An
erased registration shows as "Visitor" with its serial and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.exhibitors.models import Exhibitor
from smartexpo.meetings import selectors
from smartexpo.meetings.models import (
    Busy,
    Meeting,
    MeetingRequest,
    MeetingSession,
    Participant,
    RequestStatus,
)
from smartexpo.programme.models import Reservation, ReservationStatus
from smartexpo.programme.selectors import published_programme
from smartexpo.recommend import selectors as recommend
from smartexpo.tickets.models import Registration, RegistrationStatus

# How many suggested partners a page lists.
SUGGESTED = 8


def participant_of(*, registration: Registration | None = None, exhibitor: Exhibitor | None = None):
    """The person's participant row, or None before they first took part (nothing created)."""
    if registration is not None:
        return Participant.objects.filter(registration=registration).first()
    return Participant.objects.filter(exhibitor=exhibitor).first()


def participant_name(participant: Participant) -> str:
    """How pages, emails and cards name a participant, in the active language."""
    if participant.exhibitor_id:
        return participant.exhibitor.name
    registration = participant.registration
    if registration.erased_at is not None:
        return _("Visitor %(serial)s") % {"serial": registration.pk}
    if registration.company:
        return f"{registration.name} ({registration.company})"
    return registration.name


def _participants():
    return Participant.objects.select_related("exhibitor", "registration")


@dataclass
class Slot:
    """One meeting of a person's schedule, as their page, email, feed and agenda show it."""

    meeting: Meeting
    partner: Participant
    partner_name: str
    place: str  # "Table 12" or "Booth A-103"
    session_name: str
    map: dict = field(default_factory=dict)


def session_name(session: MeetingSession) -> str:
    zh = (get_language() or "en").startswith("zh")
    return ((session.name_zh if zh else "") or session.name_en) or session.code


def place_of(meeting: Meeting) -> str:
    if meeting.table is not None:
        return _("Table %(table)s") % {"table": meeting.table}
    if meeting.booth_id:
        return _("Booth %(booth)s") % {"booth": meeting.booth.code}
    return ""


def schedule_of(*, participant: Participant | None) -> list[Slot]:
    """The person's meetings in time order, each with its partner and place."""
    if participant is None or participant.pk is None:
        return []
    meetings = list(
        Meeting.objects.filter(Q(request__low=participant) | Q(request__high=participant))
        .select_related("request", "session", "session__zone", "booth", "booth__hall")
        .order_by("starts_at", "id")
    )
    partner_ids = {
        m.request.high_id if m.request.low_id == participant.pk else m.request.low_id
        for m in meetings
    }
    partners = _participants().in_bulk(partner_ids)
    out = []
    for m in meetings:
        other = partners[
            m.request.high_id if m.request.low_id == participant.pk else m.request.low_id
        ]
        out.append(
            Slot(
                meeting=m,
                partner=other,
                partner_name=participant_name(other),
                place=place_of(m),
                session_name=session_name(m.session),
            )
        )
    return out


@dataclass
class RequestRow:
    request: MeetingRequest
    partner: Participant
    partner_name: str


def _request_rows(queryset, participant: Participant, partner_field: str) -> list[RequestRow]:
    rows = list(
        queryset.select_related(
            partner_field, f"{partner_field}__exhibitor", f"{partner_field}__registration"
        )
    )
    return [
        RequestRow(
            request=r,
            partner=getattr(r, partner_field),
            partner_name=participant_name(getattr(r, partner_field)),
        )
        for r in rows
    ]


def requests_received(*, participant: Participant | None) -> list[RequestRow]:
    """Requests sent to the person that are pending or accepted, newest first."""
    if participant is None:
        return []
    live = MeetingRequest.objects.filter(
        recipient=participant, status__in=(RequestStatus.PENDING, RequestStatus.ACCEPTED)
    ).order_by("-id")
    return _request_rows(live, participant, "requester")


def requests_sent(*, participant: Participant | None) -> list[RequestRow]:
    """Requests the person sent that are pending, accepted or declined, newest first."""
    if participant is None:
        return []
    mine = (
        MeetingRequest.objects.filter(requester=participant)
        .exclude(status=RequestStatus.CANCELLED)
        .order_by("-id")
    )
    return _request_rows(mine, participant, "recipient")


def request_of(*, participant: Participant, pk: str, as_recipient: bool) -> MeetingRequest | None:
    """One of the person's requests by its id from a form (None for anything else)."""
    if not pk.isdigit() or len(pk) > 12:
        return None
    side = {"recipient": participant} if as_recipient else {"requester": participant}
    return MeetingRequest.objects.filter(pk=int(pk), **side).first()


def busy_of(*, participant: Participant | None) -> list[Busy]:
    return [] if participant is None else selectors.busy_marked(participant=participant)


def reserved_sessions(*, registration: Registration | None) -> list[dict]:
    """The forum sessions the visitor holds a seat at (busy for meetings too): title, times."""
    if registration is None:
        return []
    ids = Reservation.objects.filter(
        registration=registration, status=ReservationStatus.CONFIRMED
    ).values_list("session_id", flat=True)
    published = published_programme(expo=registration.expo)
    lang = "zh" if (get_language() or "en").startswith("zh") else "en"
    out = []
    for pk in ids:
        record = published.by_id.get(pk)
        if record is None:
            continue
        out.append(
            {
                "title": record["title"].get(lang) or record["title"]["en"],
                "starts_at": published.starts[pk],
                "ends_at": published.ends[pk],
            }
        )
    return sorted(out, key=lambda r: r["starts_at"])


def sessions_of(*, expo) -> list[MeetingSession]:
    return list(MeetingSession.objects.filter(expo=expo).order_by("starts_at", "id"))


def _paired(participant: Participant | None) -> set[tuple[str, int]]:
    """The partners the person already has a live request with (either way), as refs."""
    if participant is None:
        return set()
    ids = selectors.partners_taken(participant=participant)
    return {
        ("exhibitor", ex) if ex else ("registration", reg)
        for ex, reg in Participant.objects.filter(pk__in=ids).values_list(
            "exhibitor_id", "registration_id"
        )
    }


def suggested_for_visitor(*, expo, registration: Registration, participant) -> list[dict]:
    """Exhibitors worth meeting for the visitor (the reciprocal scores), those already asked
    either way left out; [] before the edition's first model."""
    try:
        found = recommend.for_visitor(expo=expo, registration=registration, kind="exhibitor")
    except SmartExpoError:
        return []
    lang = "zh" if (get_language() or "en").startswith("zh") else "en"
    taken = _paired(participant)
    out = []
    for item in found:
        thing = item["exhibitor"]
        if ("exhibitor", thing["id"]) in taken:
            continue
        out.append(
            {
                "ref": f"exhibitor:{thing['id']}",
                "label": thing["name"][lang] or thing["name"]["en"],
                "score": item["score"],
                "reasons": [r[lang] for r in item["reasons"]],
            }
        )
        if len(out) == SUGGESTED:
            break
    return out


def suggested_for_exhibitor(*, expo, exhibitor: Exhibitor, participant) -> list[dict] | None:
    """Visitors worth meeting for the exhibitor who opted in to meetings, those already asked
    either way left out; None before the edition's first model."""
    try:
        found = recommend.for_exhibitor(expo=expo, exhibitor=exhibitor, limit=SUGGESTED * 4)
    except SmartExpoError:
        return None
    ids = [item["visitor"]["registration"] for item in found]
    open_ids = set(
        Participant.objects.filter(
            registration_id__in=ids,
            open=True,
            registration__status=RegistrationStatus.ACTIVE,
            registration__erased_at__isnull=True,
        ).values_list("registration_id", flat=True)
    )
    taken = _paired(participant)
    lang = "zh" if (get_language() or "en").startswith("zh") else "en"
    out = []
    for item in found:
        pk = item["visitor"]["registration"]
        if pk not in open_ids or ("registration", pk) in taken:
            continue
        fields = item["visitor"]
        label = fields.get("name") or _("Visitor %(serial)s") % {"serial": pk}
        if fields.get("company"):
            label = f"{label} ({fields['company']})"
        out.append(
            {
                "ref": f"registration:{pk}",
                "label": label,
                "score": item["score"],
                "reasons": [r[lang] for r in item["reasons"]],
            }
        )
        if len(out) == SUGGESTED:
            break
    return out


def parse_ref(value: str) -> dict[str, int] | None:
    """A partner named by a form (`exhibitor:12` or `registration:34`) as the API's ref."""
    kind, _sep, pk = (value or "").partition(":")
    if kind not in ("exhibitor", "registration") or not pk.isdigit() or len(pk) > 12:
        return None
    return {kind: int(pk)}


def first_and_last(slots: list[Slot]) -> tuple[dt.datetime | None, dt.datetime | None]:
    if not slots:
        return None, None
    return slots[0].meeting.starts_at, max(s.meeting.ends_at for s in slots)
