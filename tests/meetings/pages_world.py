"""The meetings pages' test world, built with the ORM (the request services are another
module's): a published session of 8 tables in hall N1 with booth meetings, a visitor who opted
in ("Li Open") with a meeting at table 3 with Huawei and a pending request from Toyota, a
visitor who did not opt in, and a booth meeting of Huawei with a third visitor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from smartexpo.meetings.models import (
    Meeting,
    MeetingRequest,
    MeetingSession,
    Participant,
    Priority,
    RequestStatus,
)
from smartexpo.venue.models import Booth, Zone
from tests.checkin.conftest import make_types
from tests.leads.conftest import visitor

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2019, 8, 26, 9, 0, tzinfo=SHANGHAI)


@dataclass
class World:
    expo: object
    session: MeetingSession
    li: object  # tests.leads.conftest.Visitor, opted in
    wang: object  # not opted in
    zhao: object  # meets Huawei at its booth
    li_p: Participant
    zhao_p: Participant
    huawei_p: Participant
    toyota_p: Participant
    table_meeting: Meeting
    booth_meeting: Meeting
    toyota_request: MeetingRequest


def ask(expo, requester, recipient, *, status=RequestStatus.PENDING, priority=Priority.WANT, **kw):
    low, high = sorted([requester, recipient], key=lambda p: p.pk)
    return MeetingRequest.objects.create(
        expo=expo,
        requester=requester,
        recipient=recipient,
        low=low,
        high=high,
        priority=priority,
        status=status,
        **kw,
    )


def place(request, session, slot, **where):
    starts = session.starts_at + dt.timedelta(minutes=session.slot_minutes * slot)
    return Meeting.objects.create(
        request=request,
        session=session,
        slot=slot,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=session.slot_minutes),
        **where,
    )


def build(expo) -> World:
    make_types(expo)
    session = MeetingSession.objects.create(
        expo=expo,
        code="day1",
        name_en="Matchmaking day 1",
        name_zh="洽谈第一天",
        starts_at=START,
        ends_at=START + dt.timedelta(hours=3),
        slot_minutes=20,
        tables=8,
        zone=Zone.objects.get(expo=expo, code="N1"),
        booth_meetings=True,
        published_at=timezone.now(),
    )
    li = visitor(expo, name="Li Open", company="Open Trading Co")
    wang = visitor(expo, name="Wang Closed", company="Closed Ltd")
    zhao = visitor(expo, name="Zhao Booth", company="Booth Buyers")
    huawei, toyota = expo.test_exhibitors["huawei"], expo.test_exhibitors["toyota"]
    li_p = Participant.objects.create(expo=expo, registration=li.registration, open=True)
    zhao_p = Participant.objects.create(expo=expo, registration=zhao.registration, open=True)
    huawei_p = Participant.objects.create(expo=expo, exhibitor=huawei, open=True)
    toyota_p = Participant.objects.create(expo=expo, exhibitor=toyota, open=True)
    accepted = ask(expo, li_p, huawei_p, status=RequestStatus.ACCEPTED, message="About 5G")
    table_meeting = place(accepted, session, 2, table=3)
    booth_request = ask(expo, huawei_p, zhao_p, status=RequestStatus.ACCEPTED)
    booth_meeting = place(booth_request, session, 4, booth=Booth.objects.get(code="N1-001"))
    toyota_request = ask(expo, toyota_p, li_p, priority=Priority.MUST, message="Cars?")
    return World(
        expo=expo,
        session=session,
        li=li,
        wang=wang,
        zhao=zhao,
        li_p=li_p,
        zhao_p=zhao_p,
        huawei_p=huawei_p,
        toyota_p=toyota_p,
        table_meeting=table_meeting,
        booth_meeting=booth_meeting,
        toyota_request=toyota_request,
    )
