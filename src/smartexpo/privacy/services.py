"""A person's personal data: the export, put together from every app that stores some, and
its erasure (`docs/personal-data.md`). Both are written to the audit log."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from smartexpo.checkin.selectors import ticket_checkins
from smartexpo.core.audit import audit_record
from smartexpo.core.models import AuditAction
from smartexpo.leads.personal_data import registration_leads_data
from smartexpo.leads.services.consent import registration_leads_erase
from smartexpo.meetings.personal_data import (
    registration_meetings_data,
    registration_meetings_erase,
)
from smartexpo.programme.personal_data import registration_programme_data
from smartexpo.programme.services.reservations import registration_programme_erase
from smartexpo.recommend.personal_data import (
    registration_recommend_data,
    registration_recommend_erase,
)
from smartexpo.tickets.models import Registration
from smartexpo.tickets.personal_data import registration_personal_data
from smartexpo.tickets.services.erasure import Erased, registration_erase

FORMAT = "smartexpo-personal-data/1"


def personal_data_collect(*, registration: Registration) -> dict:
    """Everything stored about the registration's person (a selector: nothing is written).

    `registration` (its fields, the restricted-type facts), `tickets` (with where each is
    inside now), `checkins` (the check-in log of its tickets), `waiting_list`,
    `idempotency_records` (stored answers, credentials withheld), `programme` (reservations,
    starred sessions, room-door attendance), `recommendations` (dismissals, booth visits),
    `leads` (the exhibitors that captured them), `meetings` (the opt-in, busy intervals,
    meeting requests and scheduled meetings)."""
    data = registration_personal_data(registration=registration)
    checkins = ticket_checkins(expo_id=registration.expo_id, tickets=data["tickets"])
    tickets = []
    for ticket in data["tickets"]:
        ticket = dict(ticket)
        ticket_id = ticket.pop("id")
        ticket.pop("inside_on")
        ticket["inside"] = checkins["inside"].get(ticket_id)
        tickets.append(ticket)
    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "registration": data["registration"],
        "tickets": tickets,
        "checkins": checkins["log"],
        "waiting_list": data["waiting_list"],
        "idempotency_records": data["idempotency_records"],
        "programme": registration_programme_data(registration=registration),
        "recommendations": registration_recommend_data(registration=registration),
        "leads": registration_leads_data(registration=registration),
        "meetings": registration_meetings_data(registration=registration),
    }


def personal_data_export(*, registration: Registration, actor: str, via: str) -> dict:
    """The export of one person's data, logged (`actor`, `via`: api, page or admin)."""
    return personal_data_export_many(registrations=[registration], actor=actor, via=via)[0]


@transaction.atomic
def personal_data_export_many(
    *, registrations: Iterable[Registration], actor: str, via: str
) -> list[dict]:
    """The exports of several people (the back office's action), one audit entry each."""
    exports = []
    for registration in registrations:
        data = personal_data_collect(registration=registration)
        audit_record(
            actor=actor,
            action=AuditAction.PERSONAL_DATA_EXPORT,
            target=f"registration {registration.pk}",
            expo=registration.expo,
            detail={
                "via": via,
                "tickets": len(data["tickets"]),
                "checkins": len(data["checkins"]),
                "waiting_list_entries": len(data["waiting_list"]),
                "idempotency_records": len(data["idempotency_records"]),
                "reservations": len(data["programme"]["reservations"]),
                "favourites": len(data["programme"]["favourites"]),
                "leads": len(data["leads"]),
                "meeting_requests": len(data["meetings"]["requests"]),
            },
        )
        exports.append(data)
    return exports


def personal_data_erase(*, registration: Registration, actor: str, via: str) -> Erased:
    """Erase the person's data: the programme's part (`registration_programme_erase`), the
    recommendations' (`registration_recommend_erase`: dismissals, booth visits), the leads
    exhibitors captured of them (`registration_leads_erase`: deleted), the meetings'
    (`registration_meetings_erase`: the participant, its requests and meetings), then ticketing's
    (`tickets.services.erasure.registration_erase`, which logs it), in one transaction."""
    with transaction.atomic():
        registration_programme_erase(registration=registration)
        registration_recommend_erase(registration=registration)
        registration_leads_erase(registration=registration)
        registration_meetings_erase(registration=registration)
        return registration_erase(registration=registration, actor=actor, via=via)
