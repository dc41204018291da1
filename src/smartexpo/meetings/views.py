"""The meetings pages: a visitor's behind their registration's manage link
(/expos/<e>/my/<token>/meetings/), an exhibitor's in the portal (which calls `meetings_page`),
the calendar feeds, and the panel on the visitor's agenda.

One page for everything a person does about meetings: opt in (visitors), request a suggested
partner, answer the requests received, cancel those sent, mark busy time, and read the schedule
with a map of where each meeting is. Writes go through the services; a refusal re-renders the
page (422) with what was typed and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError
from smartexpo.meetings import maps, pages
from smartexpo.meetings.forms import BusyForm, RequestForm
from smartexpo.meetings.ical import meetings_calendar
from smartexpo.meetings.models import Participant, RequestStatus
from smartexpo.meetings.services import availability, participants
from smartexpo.meetings.services import requests as asks
from smartexpo.tickets import selectors as tickets
from smartexpo.tickets.models import RegistrationStatus
from smartexpo.venue import selectors as venue


@dataclass
class Person:
    """Whose meetings page this is: a registration or an exhibitor of `expo`."""

    expo: object
    registration: object = None
    exhibitor: object = None

    @property
    def ref(self) -> dict[str, int]:
        if self.registration is not None:
            return {"registration": self.registration.pk}
        return {"exhibitor": self.exhibitor.pk}

    @property
    def is_visitor(self) -> bool:
        return self.registration is not None

    @property
    def can_take_part(self) -> bool:
        if self.registration is None:
            return True
        r = self.registration
        return r.status == RegistrationStatus.ACTIVE and r.erased_at is None

    def participant(self) -> Participant | None:
        return pages.participant_of(registration=self.registration, exhibitor=self.exhibitor)


def _registration(expo: str, token: str):
    edition = venue.expo_or_404(slug=expo)
    registration = tickets.registration_by_manage_token(raw=token)
    if registration is None or registration.expo_id != edition.pk:
        raise Http404
    return edition, registration


# --- writes: the services of the requests side ----------------------------------------------


def _me(person: Person) -> Participant:
    """The person's participant, created on first use."""
    return participants.participant_get(expo=person.expo, ref=person.ref)


def _act(request: HttpRequest, person: Person) -> str:
    """Carry out the form posted; returns the success message, or raises SmartExpoError with
    the reason (and the forms to show again with what was typed in `detail["forms"]`)."""
    action = request.POST.get("action", "")
    if not person.can_take_part:
        raise SmartExpoError("forbidden", _("Only a confirmed registration can take part."))
    if action == "open" and person.is_visitor:
        wanted = request.POST.get("open") == "1"
        participants.participation_set(
            expo=person.expo, ref=person.ref, open=wanted, cap=None, cap_given=False
        )
        if wanted:
            return _("You are open to meeting requests.")
        return _("You no longer take new meeting requests.")
    if action == "request":
        return _ask(request, person)
    if action in ("accept", "decline", "cancel"):
        return _answer(request, person, action)
    if action == "busy-add":
        form = BusyForm(request.POST)
        if not form.is_valid():
            raise _refused(_("Check the busy time."), busy_form=form)
        me = _me(person)
        current = [(b.starts_at, b.ends_at) for b in pages.busy_of(participant=me)]
        wanted = [*current, (form.cleaned_data["starts_at"], form.cleaned_data["ends_at"])]
        try:
            availability.availability_set(expo=person.expo, ref=me.ref, busy=wanted)
        except SmartExpoError as exc:
            raise _refused(exc.message, busy_form=form) from None
        return _("Busy time added.")
    if action == "busy-remove":
        busy = pages.busy_of(participant=person.participant())
        keep = [(b.starts_at, b.ends_at) for b in busy if str(b.pk) != request.POST.get("busy")]
        if len(keep) == len(busy):
            raise SmartExpoError("not_found", _("That busy time is not among yours."))
        availability.availability_set(expo=person.expo, ref=_me(person).ref, busy=keep)
        return _("Busy time removed.")
    raise SmartExpoError("invalid", _("Unknown action."))


def _ask(request: HttpRequest, person: Person) -> str:
    form = RequestForm(request.POST)
    if not form.is_valid():
        raise _refused(_("Check the request."), request_form=form)
    try:
        asks.request_create(
            expo=person.expo,
            requester=_me(person).ref,
            recipient=form.cleaned_data["to"],
            priority=form.cleaned_data["priority"],
            message=form.cleaned_data["message"],
        )
    except SmartExpoError as exc:
        raise _refused(exc.message, request_form=form) from None
    return _("Your meeting request was sent.")


def _answer(request: HttpRequest, person: Person, action: str) -> str:
    me = person.participant()
    pk = request.POST.get("request", "")
    found = pages.request_of(participant=me, pk=pk, as_recipient=action != "cancel") if me else None
    if found is None:
        raise SmartExpoError("not_found", _("That request is not among yours."))
    asks.request_transition(request=found, action=action, by=me)
    if action == "accept":
        return _("Request accepted: the meeting will be scheduled.")
    if action == "decline":
        return _("Request declined.")
    return _("Request cancelled.")


def _refused(message: str, **forms) -> SmartExpoError:
    return SmartExpoError("invalid", message, {"forms": forms})


# --- reads ------------------------------------------------------------------------------------


def _schedule(participant) -> list[dict]:
    """The schedule by session, each meeting with the map of its place."""
    sessions: dict[int, dict] = {}
    drawn: dict[tuple, dict] = {}
    for slot in pages.schedule_of(participant=participant):
        m = slot.meeting
        key = (m.session_id, m.table, m.booth_id)
        if key not in drawn:
            drawn[key] = maps.meeting_map(m)
        slot.map = drawn[key]
        entry = sessions.setdefault(m.session_id, {"name": slot.session_name, "slots": []})
        entry["slots"].append(slot)
    return list(sessions.values())


def page_context(request: HttpRequest, person: Person, *, forms: dict | None = None) -> dict:
    participant = person.participant()
    forms = forms or {}
    if person.is_visitor:
        suggested = (
            pages.suggested_for_visitor(
                expo=person.expo, registration=person.registration, participant=participant
            )
            if participant is not None and participant.open
            else []
        )
    else:
        suggested = pages.suggested_for_exhibitor(
            expo=person.expo, exhibitor=person.exhibitor, participant=participant
        )
    typed = forms.get("request_form")
    typed_to = typed.data.get("to", "") if typed is not None else ""
    return {
        "expo": person.expo,
        "person": person,
        "participant": participant,
        "open": participant.open if participant is not None else False,
        "sessions": [
            {"session": s, "name": pages.session_name(s)}
            for s in pages.sessions_of(expo=person.expo)
        ],
        "suggested": suggested,
        "suggestions_built": suggested is not None,
        "typed_to": typed_to,
        # A refused request to someone the list does not show: the form comes back on its own.
        "typed_elsewhere": typed is not None
        and typed_to not in {s["ref"] for s in suggested or []},
        "request_form": typed or RequestForm(),
        "busy_form": forms.get("busy_form") or BusyForm(),
        "received": pages.requests_received(participant=participant),
        "sent": pages.requests_sent(participant=participant),
        "busy": pages.busy_of(participant=participant),
        "reserved": pages.reserved_sessions(registration=person.registration),
        "schedule": _schedule(participant),
        "pending": RequestStatus.PENDING,
        "accepted": RequestStatus.ACCEPTED,
    }


def meetings_page(
    request: HttpRequest, person: Person, *, template: str, extra: dict, ics_url: str
) -> HttpResponse:
    """The meetings page for `person`: GET shows it, POST does one thing and comes back."""
    with timezone.override(person.expo.tz):
        status, forms = 200, {}
        if request.method == "POST":
            try:
                done = _act(request, person)
            except SmartExpoError as exc:
                status = 404 if exc.code == "not_found" else 422
                forms = (exc.detail or {}).get("forms", {}) if isinstance(exc.detail, dict) else {}
                messages.error(request, exc.message)
            else:
                messages.success(request, done)
                return redirect(request.path)
        context = {**page_context(request, person, forms=forms), **extra, "ics_url": ics_url}
        return render(request, template, context, status=status)


def mine(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    person = Person(expo=edition, registration=registration)
    ics = reverse("meetings:mine-ics", args=[edition.slug, token])
    extra = {"token": token, "registration": registration}
    return meetings_page(request, person, template="meetings/mine.html", extra=extra, ics_url=ics)


def ics_response(person: Person, *, page_url: str, filename: str) -> HttpResponse:
    participant = person.participant()
    if participant is None:
        participant = Participant(
            expo=person.expo, registration=person.registration, exhibitor=person.exhibitor
        )
    body = meetings_calendar(
        participant=participant, language=get_language() or "en", page_url=page_url
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def mine_ics(request: HttpRequest, expo: str, token: str) -> HttpResponse:
    edition, registration = _registration(expo, token)
    person = Person(expo=edition, registration=registration)
    page = request.build_absolute_uri(reverse("meetings:mine", args=[edition.slug, token]))
    return ics_response(person, page_url=page, filename="meetings.ics")


# --- the agenda's panel (programme.panels) --------------------------------------------------


def agenda_panel(request: HttpRequest, expo, registration, token: str) -> str:
    """The visitor's meetings on their agenda page, with the way to their meetings page;
    nothing when the edition has no meeting sessions."""
    if not pages.sessions_of(expo=expo):
        return ""
    participant = pages.participant_of(registration=registration)
    with timezone.override(expo.tz):
        context = {
            "expo": expo,
            "token": token,
            "participant": participant,
            "slots": pages.schedule_of(participant=participant),
        }
        return render_to_string("meetings/_agenda_panel.html", context, request=request)
