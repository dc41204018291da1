"""Check-in fixtures (not a conftest: the other meetings tests bring their own): a session of
the test edition on 26 August 2019, participants, and meetings placed by hand as a solve
would place them."""

from __future__ import annotations

import datetime as dt
import itertools

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingSession,
    Participant,
    RequestStatus,
)
from smartexpo.meetings.services.checkins import meeting_device_create
from smartexpo.tickets.models import TicketType
from smartexpo.tickets.services.restricted import pass_grant_set, staff_pass_issue
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient
from tests.leads.conftest import Visitor

CST = dt.timezone(dt.timedelta(hours=8))
TEN = dt.datetime(2019, 8, 26, 10, 0, tzinfo=CST)
CHECKIN = "/api/v1/expos/test-2019/meetings/checkin"
_codes = itertools.count(1)


def session(expo, *, start=TEN - dt.timedelta(hours=1), tables=10, code=None) -> MeetingSession:
    """A session of 20-minute slots from 09:00 (slot 3 starts at 10:00)."""
    return MeetingSession.objects.create(
        expo=expo,
        code=code or f"s{next(_codes)}",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        slot_minutes=20,
        tables=tables,
        booth_meetings=True,
    )


def participant(expo, *, exhibitor=None, registration=None) -> Participant:
    found, _new = Participant.objects.get_or_create(
        expo=expo, exhibitor=exhibitor, registration=registration, defaults={"open": True}
    )
    return found


def meeting(sess, one: Participant, other: Participant, *, slot=3, table=1) -> Meeting:
    """An accepted request of the pair, placed at `table` in `slot`."""
    low, high = sorted([one, other], key=lambda p: p.pk)
    request = MeetingRequest.objects.create(
        expo=sess.expo,
        requester=one,
        recipient=other,
        low=low,
        high=high,
        priority="want",
        status=RequestStatus.ACCEPTED,
    )
    starts = sess.starts_at + dt.timedelta(minutes=sess.slot_minutes * slot)
    return Meeting.objects.create(
        request=request,
        session=sess,
        slot=slot,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=sess.slot_minutes),
        table=table,
    )


def exhibitor_client(exhibitor) -> ApiClient:
    _token, raw = token_create(role=Role.EXHIBITOR, name="Staff", exhibitor=exhibitor)
    return ApiClient(raw)


def table_scanner(sess, table=None) -> tuple[int, str]:
    """A table scanner of the session: (device id, token)."""
    binding, raw = meeting_device_create(
        expo=sess.expo, session_code=sess.code, name="Table scanner", table=table
    )
    return binding.device_id, raw


def staff_pass(expo, exhibitor) -> Visitor:
    """A staff pass of the exhibitor (a registration with its `exhibitor`), as a Visitor."""
    if not TicketType.objects.filter(expo=expo, code="crew").exists():
        ticket_type_create(
            expo=expo,
            code="crew",
            name_en="Crew",
            days=["2019-08-26"],
            quota_per_day=50,
            access="exhibitor",
        )
    pass_grant_set(exhibitor=exhibitor, ticket_type="crew", passes=10)
    n = next(_codes)
    issued = staff_pass_issue(
        exhibitor=exhibitor, ticket_type="crew", name="Staff Member", email=f"staff{n}@example.cn"
    )
    return Visitor(issued)
