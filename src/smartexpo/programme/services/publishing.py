"""Publishing a release of the programme: what the public sees from then on."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from smartexpo.core.audit import audit_record
from smartexpo.core.errors import SmartExpoError
from smartexpo.programme.models import (
    Release,
    Reservation,
    ReservationStatus,
    SessionSeats,
)
from smartexpo.programme.selectors import working_records, working_sessions
from smartexpo.programme.services.reservations import waitlist_promote
from smartexpo.programme.snapshot import changes_between
from smartexpo.programme.warnings import programme_warnings
from smartexpo.venue.models import Expo

__all__ = ["programme_publish", "working_sessions"]


@transaction.atomic
def programme_publish(
    *, expo: Expo, actor: str, confirm: bool = False, comment: str = ""
) -> Release:
    """Publish the working programme as the edition's next release and return it, with the
    changes since the one before. With warnings open, publishing is refused (409
    `unconfirmed_warnings`, the warnings in `detail.warnings`) unless `confirm`; a confirmed
    release keeps the warnings it was published with. Seats follow the release: a quota that
    grew offers its new seats to the waiting list at once."""
    # Publishes of one edition run one at a time: each numbers its release after the last.
    Expo.objects.select_for_update().filter(pk=expo.pk).first()
    warnings = [w.as_dict() for w in programme_warnings(expo=expo)]
    if warnings and not confirm:
        raise SmartExpoError(
            "unconfirmed_warnings",
            _("The programme has %(n)s open warnings; confirm to publish it anyway.")
            % {"n": len(warnings)},
            {"warnings": warnings},
        )
    records = working_records(expo)
    previous = Release.objects.filter(expo=expo).order_by("-version").first()
    release = Release.objects.create(
        expo=expo,
        version=(previous.version if previous else 0) + 1,
        published_by=actor[:150],
        comment=comment[:300],
        sessions=records,
        changes=changes_between(previous.sessions if previous else [], records),
        warnings=warnings,
    )
    SessionSeats.objects.bulk_create(
        [SessionSeats(session_id=r["id"], seats=r["seats"]) for r in records],
        update_conflicts=True,
        unique_fields=["session"],
        update_fields=["seats"],
    )
    waiting = (
        Reservation.objects.filter(
            session_id__in=[r["id"] for r in records if r["seats"]],
            status=ReservationStatus.WAITLISTED,
        )
        .values_list("session_id", flat=True)
        .distinct()
    )
    for session_id in list(waiting):
        waitlist_promote(session_id=session_id)
    audit_record(
        actor=actor,
        action="programme.publish",
        target=f"release {release.version}",
        expo=expo,
        detail={"sessions": len(records), "warnings": len(warnings)},
    )
    return release
