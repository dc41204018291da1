"""Reads of business meetings: sessions, participants, requests, busy intervals (the marked
ones and the reserved forum sessions), a participant's meetings, and what one side may see
of the other."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, not_found
from smartexpo.exhibitors.models import Exhibitor, ExhibitorStatus
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
from smartexpo.tickets.identity import mask_name
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.tickets.selectors import shared_profile
from smartexpo.venue.models import Expo

# Ids past this name nothing (and are past SQLite's integers): not found, never a 500.
MAX_ID = 2**53
LIVE = (RequestStatus.PENDING, RequestStatus.ACCEPTED)


# --- sessions --------------------------------------------------------------------------------


def session_list(*, expo: Expo) -> QuerySet[MeetingSession]:
    """The edition's meeting sessions, in the order they start."""
    return (
        MeetingSession.objects.filter(expo=expo).select_related("zone").order_by("starts_at", "id")
    )


def session_get(*, expo: Expo, code: str) -> MeetingSession:
    """One meeting session of the edition by its code, or `not_found`."""
    # A NUL is in no code, and PostgreSQL refuses it in a query: not found, never a 500.
    found = None if "\x00" in code else session_list(expo=expo).filter(code=code).first()
    if found is None:
        raise not_found("meeting session")
    return found


# --- participants ----------------------------------------------------------------------------


def participant_lookup(*, expo: Expo, ref: dict[str, int]) -> tuple[Participant | None, Any]:
    """(the participant row of `ref`, or None before its first use; the exhibitor or
    registration it names). `not_found` when the edition has no such approved exhibitor or
    registration (another edition's included)."""
    ((kind, pk),) = ref.items()
    target: Exhibitor | Registration | None = None
    if 1 <= pk < MAX_ID:
        if kind == "exhibitor":
            target = Exhibitor.objects.filter(
                expo=expo, pk=pk, status=ExhibitorStatus.APPROVED
            ).first()
        else:
            target = Registration.objects.filter(expo=expo, pk=pk).first()
    if target is None:
        raise not_found(kind)
    found = Participant.objects.filter(**{kind: target}).first()
    if found is not None:
        setattr(found, kind, target)
    return found, target


def participant_find(*, expo: Expo, ref: dict[str, int]) -> Participant:
    """The participant `ref` names as it stands, without making one: before its first use, an
    unsaved row with the defaults (an exhibitor open, a visitor not)."""
    found, target = participant_lookup(expo=expo, ref=ref)
    if found is not None:
        return found
    kind = next(iter(ref))
    return Participant(expo=expo, open=kind == "exhibitor", **{kind: target})


def is_active(participant_or_registration) -> bool:
    """Whether it may take part: any exhibitor; a registration that is active and not erased."""
    registration = participant_or_registration
    if isinstance(registration, Participant):
        if not registration.registration_id:
            return True
        registration = registration.registration
    if not isinstance(registration, Registration):
        return True
    return registration.status == RegistrationStatus.ACTIVE and registration.erased_at is None


def require_active(target) -> None:
    """Refuse (409 `participant_inactive`) a cancelled or erased registration."""
    if not is_active(target):
        raise SmartExpoError(
            "participant_inactive",
            _("This registration is cancelled or erased: it cannot take part in meetings."),
        )


def kind_of(participant: Participant) -> str:
    return "exhibitor" if participant.exhibitor_id else "visitor"


def party(participant: Participant, *, expo: Expo) -> dict[str, Any]:
    """What anyone on a request may see of one side: an exhibitor's names; of a visitor, the
    masked name and the fields it shares with exhibitors (within the edition's `lead_fields`),
    nothing once cancelled or erased."""
    if participant.exhibitor_id:
        exhibitor = participant.exhibitor
        return {
            "participant": participant.ref,
            "kind": "exhibitor",
            "name": exhibitor.name_en,
            "names": {"en": exhibitor.name_en, "zh": exhibitor.name_zh or exhibitor.name_en},
        }
    registration = participant.registration
    out: dict[str, Any] = {"participant": participant.ref, "kind": "visitor", "name": None}
    if registration.erased_at is None:
        out["name"] = mask_name(registration.name) or None
        shared = shared_profile(registration, lead_fields=expo.lead_fields or [])
        out["shared"] = {f: v for f, v in shared.items() if v}
    return out


# --- requests --------------------------------------------------------------------------------


def _requests() -> QuerySet[MeetingRequest]:
    return MeetingRequest.objects.select_related(
        "requester__exhibitor",
        "requester__registration",
        "recipient__exhibitor",
        "recipient__registration",
    )


def request_list(
    *,
    expo: Expo,
    participant: Participant | None = None,
    status: str | None = None,
    direction: str | None = None,
) -> QuerySet[MeetingRequest]:
    """The edition's requests in the order they were made; `participant`: only those it sent
    or received (`direction` "sent" or "received": only those); `status`: only that one."""
    qs = _requests().filter(expo=expo).order_by("id")
    if participant is not None:
        if participant.pk is None:
            return qs.none()
        if direction == "sent":
            qs = qs.filter(requester=participant)
        elif direction == "received":
            qs = qs.filter(recipient=participant)
        else:
            qs = qs.filter(Q(requester=participant) | Q(recipient=participant))
    if status:
        qs = qs.filter(status=status)
    return qs


def request_get(*, expo: Expo, pk: int, participant: Participant | None = None) -> MeetingRequest:
    """One request of the edition; with `participant`, only one it is a side of (any other
    does not exist for it: `not_found`)."""
    found = None
    unknown = participant is not None and participant.pk is None  # no request of its own yet
    if 1 <= pk < MAX_ID and not unknown:
        qs = _requests().filter(expo=expo, pk=pk)
        if participant is not None:
            qs = qs.filter(Q(requester=participant) | Q(recipient=participant))
        found = qs.first()
    if found is None:
        raise not_found("meeting request")
    return found


def pair_request(*, a: Participant, b: Participant) -> MeetingRequest | None:
    """The pair's request that is not cancelled (pending, accepted or declined), if any."""
    low, high = sorted((a.pk, b.pk))
    return (
        MeetingRequest.objects.filter(low_id=low, high_id=high)
        .exclude(status=RequestStatus.CANCELLED)
        .first()
    )


def partners_taken(*, participant: Participant) -> set[int]:
    """The participants paired with this one by a request not cancelled (pending, accepted,
    declined): never suggested to it."""
    if participant.pk is None:
        return set()
    rows = (
        MeetingRequest.objects.filter(Q(low=participant) | Q(high=participant))
        .exclude(status=RequestStatus.CANCELLED)
        .values_list("low_id", "high_id")
    )
    return {high if low == participant.pk else low for low, high in rows}


# --- busy intervals ----------------------------------------------------------------------------


def busy_marked(*, participant: Participant) -> list[Busy]:
    """The intervals the participant (or the organiser) marked busy, in time order."""
    if participant.pk is None:
        return []
    return list(Busy.objects.filter(participant=participant).order_by("starts_at", "id"))


def busy_programme(*, participant: Participant, expo: Expo) -> list[dict[str, Any]]:
    """The forum sessions the participant's registration holds a confirmed seat at, as
    published (`{"session", "from", "to"}`): busy without being marked. An exhibitor has none."""
    if not participant.registration_id:
        return []
    published = published_programme(expo=expo)
    held = Reservation.objects.filter(
        registration_id=participant.registration_id, status=ReservationStatus.CONFIRMED
    ).values_list("session_id", flat=True)
    return sorted(
        (
            {
                "session": pk,
                "from": published.starts[pk].astimezone(dt.UTC),
                "to": published.ends[pk].astimezone(dt.UTC),
            }
            for pk in held
            if pk in published.by_id
        ),
        key=lambda b: (b["from"], b["session"]),
    )


def busy_intervals(
    *, participant: Participant, expo: Expo
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every interval the participant takes no meeting in: marked, and reserved sessions."""
    marked = [(b.starts_at, b.ends_at) for b in busy_marked(participant=participant)]
    reserved = [(b["from"], b["to"]) for b in busy_programme(participant=participant, expo=expo)]
    return sorted(marked + reserved)


def busy_by_participant(*, expo: Expo) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    """`busy_intervals` of every participant of the edition at once (participant id → its
    intervals in time order; none: not listed), in two queries: what a solve reads."""
    found: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for pk, start, end in Busy.objects.filter(participant__expo=expo).values_list(
        "participant_id", "starts_at", "ends_at"
    ):
        found.setdefault(pk, []).append((start, end))
    published = published_programme(expo=expo)
    held = Reservation.objects.filter(
        status=ReservationStatus.CONFIRMED, registration__meeting_participant__expo=expo
    ).values_list("registration__meeting_participant", "session_id")
    for pk, session in held:
        if session in published.by_id:
            found.setdefault(pk, []).append((published.starts[session], published.ends[session]))
    return {pk: sorted(intervals) for pk, intervals in found.items()}


# --- meetings ----------------------------------------------------------------------------------


def participant_meetings(*, participant: Participant) -> list[Meeting]:
    """The participant's scheduled meetings, in time order (with request, session, booth)."""
    if participant.pk is None:
        return []
    return list(
        Meeting.objects.filter(Q(request__low=participant) | Q(request__high=participant))
        .select_related("request", "session", "booth", "request__low", "request__high")
        .order_by("starts_at", "id")
    )


# --- suggested partners ------------------------------------------------------------------------


def suggestions(*, expo: Expo, participant: Participant) -> list[dict[str, Any]]:
    """Partners worth a request, best first by the pair's reciprocal score (the edition's
    recommender; `no_model` before its first build): to a visitor the exhibitors recommended
    to it, to an exhibitor the visitors worth meeting who opted in to meetings. Never a pair
    with a request that is not cancelled (pending, accepted, or declined)."""
    from smartexpo.recommend import selectors as recommend

    served = recommend.served_model(expo=expo)
    taken = partners_taken(participant=participant)
    out = []
    if participant.registration_id:
        registration = participant.registration
        person, _history = recommend.person_now(registration)
        taken_exhibitors = set(
            Participant.objects.filter(pk__in=taken, exhibitor__isnull=False).values_list(
                "exhibitor_id", flat=True
            )
        )
        for item in recommend.for_visitor(expo=expo, registration=registration, kind="exhibitor"):
            exhibitor = item["exhibitor"]
            if exhibitor["id"] in taken_exhibitors:
                continue
            score = round(float(served.model.reciprocal(person, exhibitor["id"])), 4)
            out.append(
                {
                    "participant": {"exhibitor": exhibitor["id"]},
                    "exhibitor": exhibitor,
                    "score": score,
                    "reasons": item["reasons"],
                }
            )
        out.sort(key=lambda s: (-s["score"], s["participant"]["exhibitor"]))
        return out
    found = recommend.for_exhibitor(expo=expo, exhibitor=participant.exhibitor)
    ids = [item["visitor"]["registration"] for item in found]
    rows = Participant.objects.filter(registration_id__in=ids).values_list(
        "pk", "registration_id", "open"
    )
    open_ids = {registration for pk, registration, is_open in rows if is_open and pk not in taken}
    for item in found:
        visitor = dict(item["visitor"])
        registration_id = visitor.pop("registration")
        if registration_id in open_ids:
            out.append(
                {
                    "participant": {"registration": registration_id},
                    "visitor": visitor,
                    "score": item["score"],
                    "reasons": item["reasons"],
                }
            )
    return out
