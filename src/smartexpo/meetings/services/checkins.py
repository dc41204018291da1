"""Check-in at a business meeting (docs/meetings-checkin.md): a ticket's secret, scanned by the
other side of the meeting or by a table scanner, marks who turned up.

Who scans decides what is checked in:
- a side of the meeting (an exhibitor's token or one of its lead devices; a registration's
  manage token) scanning the other side's ticket checks in BOTH sides of their meeting on now:
  the scan proves both stood at the table;
- a table scanner (`MeetingDevice`, bound to a session and perhaps one table) checks in only
  the side whose ticket it scanned. An exhibitor's side is a staff pass of that exhibitor
  (a registration with `exhibitor` set): its staff carry the exhibitor's tickets.

Each side is written by its own conditional UPDATE (`… WHERE a_checked_in_at IS NULL`), never
by saving the row: two scans at once (each side scanning the other, or both sides at one
table scanner) both land, and a repeated scan keeps the first instant (idempotent).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from smartexpo.core.errors import SmartExpoError, invalid, not_found
from smartexpo.core.models import ApiToken, Role
from smartexpo.devices.models import DeviceKind
from smartexpo.devices.services import device_create
from smartexpo.leads.models import LeadDevice
from smartexpo.meetings.models import (
    Meeting,
    MeetingDevice,
    MeetingSession,
    Participant,
    RequestStatus,
)
from smartexpo.tickets import selectors as ticket_selectors
from smartexpo.tickets.models import Registration, RegistrationStatus
from smartexpo.venue.clock import edition_now
from smartexpo.venue.models import Expo

# Ids only: a log line never carries a person's details.
logger = logging.getLogger("smartexpo.meetings")

# A scan counts for the meeting on at its instant, or one starting within GRACE_BEFORE (people
# sit down early) or ended within GRACE_AFTER (a scan made at the table, sent a little late).
GRACE_BEFORE = dt.timedelta(minutes=10)
GRACE_AFTER = dt.timedelta(minutes=5)
# A scanning device's clock may run a little ahead of the server's; more is a mistake.
CLOCK_SKEW = dt.timedelta(minutes=2)


@dataclass(frozen=True)
class MeetingScanner:
    """Who scans: the participant ids of one side (`sides`), or a table scanner (`table`)."""

    sides: tuple[int, ...] = ()
    table: MeetingDevice | None = None
    # Whose own tickets these are (a side never checks itself in): its registration, and
    # the exhibitor whose staff passes it holds or whose token it is.
    registration_id: int | None = None
    exhibitor_id: int | None = None

    def owns(self, registration: Registration) -> bool:
        """Whether the ticket's registration is the scanner's own (or a staff pass of its
        exhibitor)."""
        return registration.pk == self.registration_id or (
            self.exhibitor_id is not None and registration.exhibitor_id == self.exhibitor_id
        )


def _participant_ids(expo: Expo, *, exhibitor_id=None, registration=None) -> list[int]:
    """The participant rows of an exhibitor and/or a registration (a staff pass acts for its
    exhibitor and, if it opted in itself, for its holder)."""
    query = Q(pk__in=[])
    if exhibitor_id is not None:
        query |= Q(exhibitor_id=exhibitor_id)
    if registration is not None:
        query |= Q(registration_id=registration.pk)
        if registration.exhibitor_id is not None:
            query |= Q(exhibitor_id=registration.exhibitor_id)
    return list(Participant.objects.filter(query, expo=expo).values_list("pk", flat=True))


def meeting_scanner_for(auth: ApiToken | Registration | None, *, expo: Expo) -> MeetingScanner:
    """The scanner a request's credential (`tickets.auth.token_or_manage`) is: an exhibitor's
    token or its lead device, a registration's manage token, or a table scanner of this
    edition. Refusals: 401 without a credential, 403 for any other token or edition."""
    if auth is None:
        raise SmartExpoError("unauthenticated", "A valid bearer token is required.")
    if isinstance(auth, Registration):
        if auth.expo_id != expo.pk:
            raise SmartExpoError("forbidden", "This registration belongs to another edition.")
        if auth.status != RegistrationStatus.ACTIVE or auth.erased_at is not None:
            raise SmartExpoError("forbidden", _("A cancelled registration takes no meetings."))
        return MeetingScanner(
            sides=tuple(_participant_ids(expo, registration=auth)),
            registration_id=auth.pk,
            exhibitor_id=auth.exhibitor_id,
        )
    if auth.expo_id is not None and auth.expo_id != expo.pk:
        raise SmartExpoError("forbidden", "This token belongs to another edition.")
    if auth.role == Role.EXHIBITOR and auth.exhibitor_id is not None:
        return MeetingScanner(
            sides=tuple(_participant_ids(expo, exhibitor_id=auth.exhibitor_id)),
            exhibitor_id=auth.exhibitor_id,
        )
    if auth.role == Role.DEVICE:
        table = (
            MeetingDevice.objects.select_related("session")
            .filter(device__token=auth, device__revoked_at__isnull=True, session__expo=expo)
            .first()
        )
        if table is not None:
            return MeetingScanner(table=table)
        lead = LeadDevice.objects.filter(
            device__token=auth, device__revoked_at__isnull=True, exhibitor__expo=expo
        ).first()
        if lead is not None:
            return MeetingScanner(
                sides=tuple(_participant_ids(expo, exhibitor_id=lead.exhibitor_id)),
                exhibitor_id=lead.exhibitor_id,
            )
    raise SmartExpoError(
        "forbidden",
        _(
            "Only a side of the meeting (an exhibitor's token, its lead device or a visitor's "
            "manage token) or a table scanner checks in at a meeting."
        ),
    )


def _scanned_at(expo: Expo, value) -> dt.datetime:
    now = edition_now(expo)
    if value is None:
        return now
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise invalid({"at": "An instant with its UTC offset is expected."})
    if value > now + CLOCK_SKEW:
        raise invalid({"at": "A check-in cannot be in the future."})
    return value


def _on_now(meetings, at: dt.datetime) -> Meeting | None:
    """The meeting running at `at`, else the one nearest to it within the graces (a person's
    meetings may follow each other at one table: a scan at 10:19 is the 10:00 one's)."""
    meetings = list(
        meetings.filter(
            request__status=RequestStatus.ACCEPTED,
            starts_at__lte=at + GRACE_BEFORE,
            ends_at__gte=at - GRACE_AFTER,
        ).select_related("request__low", "request__high", "booth", "session")
    )

    def distance(m: Meeting) -> dt.timedelta:
        if m.starts_at <= at < m.ends_at:
            return dt.timedelta(0)
        return m.starts_at - at if at < m.starts_at else at - m.ends_at

    return min(meetings, key=lambda m: (distance(m), m.starts_at, m.pk), default=None)


def _no_meeting() -> SmartExpoError:
    return SmartExpoError(
        "no_meeting_now",
        _("No meeting of these participants is on now."),
        {
            "before_minutes": int(GRACE_BEFORE.total_seconds() // 60),
            "after_minutes": int(GRACE_AFTER.total_seconds() // 60),
        },
    )


def meeting_checkin(
    *, expo: Expo, scanner: MeetingScanner, secret, at: dt.datetime | None = None
) -> Meeting:
    """Check in at the meeting on now whose other side (or, for a table scanner, whose side)
    holds the ticket `secret`; return the meeting as it stands. A side scanning the other
    checks in both; a table scanner the scanned side only. Repeats change nothing.
    Refusals: `invalid` (422) for a secret that does not verify or an `at` in the future,
    `revoked` (409) for a cancelled ticket, `forbidden` (403) for a side's own ticket,
    `no_meeting_now` (409) when no meeting of theirs is on within the graces (GRACE_BEFORE,
    GRACE_AFTER)."""
    at = _scanned_at(expo, at)
    ticket = ticket_selectors.ticket_of_secret(expo=expo, secret=secret)
    if scanner.table is None and scanner.owns(ticket.registration):
        # Checking oneself in would need no partner at the table: only the other side or a
        # table scanner may scan a side's ticket.
        raise SmartExpoError(
            "forbidden",
            _(
                "A side does not check itself in: scan the other side's ticket, or have a "
                "table scanner scan yours."
            ),
        )
    scanned = _participant_ids(expo, registration=ticket.registration)
    if not scanned:
        raise _no_meeting()
    meetings = Meeting.objects.filter(session__expo=expo)
    if scanner.table is not None:
        binding = scanner.table
        meetings = meetings.filter(session=binding.session_id).filter(
            Q(request__low__in=scanned) | Q(request__high__in=scanned)
        )
        if binding.table is not None:
            meetings = meetings.filter(table=binding.table)
        meeting = _on_now(meetings, at)
        if meeting is None:
            raise _no_meeting()
        sides = ["a" if meeting.request.low_id in scanned else "b"]
    else:
        mine = [pk for pk in scanner.sides if pk not in scanned]
        meeting = _on_now(
            meetings.filter(
                Q(request__low__in=mine, request__high__in=scanned)
                | Q(request__low__in=scanned, request__high__in=mine)
            ),
            at,
        )
        if meeting is None:
            raise _no_meeting()
        sides = ["a", "b"]
    for side in sides:
        field = f"{side}_checked_in_at"
        # One conditional UPDATE per side: a concurrent scan of the other side is never lost,
        # and a repeat keeps the first instant.
        Meeting.objects.filter(pk=meeting.pk, **{f"{field}__isnull": True}).update(**{field: at})
    meeting.refresh_from_db(fields=["a_checked_in_at", "b_checked_in_at"])
    logger.info("meeting %s checked in (%s)", meeting.pk, "+".join(sides))
    return meeting


@transaction.atomic
def meeting_device_create(
    *, expo: Expo, session_code: str, name: str, table: int | None = None
) -> tuple[MeetingDevice, str]:
    """A new table scanner of the edition's session `session_code` (at `table`, or anywhere
    in the area when None) and its token, shown only now. It serves no gate, so it admits
    nobody at the doors; revoking it is revoking its device (`DELETE …/devices/{id}`).
    Refusals: `not_found` for an unknown session, `invalid` for a table it does not have."""
    session = MeetingSession.objects.filter(expo=expo, code=session_code).first()
    if session is None:
        raise not_found("meeting session")
    if table is not None and not 1 <= table <= session.tables:
        raise invalid({"table": f"A table from 1 to {session.tables}."})
    device, raw = device_create(
        expo=session.expo, name=name, kind=DeviceKind.SCANNER, gateless=True
    )
    binding = MeetingDevice.objects.create(device=device, session=session, table=table)
    return binding, raw
