"""A small programme on the test edition (`expo`): two forums, two rooms, speakers, sessions
on 26 August 2019, published as release 1."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from smartexpo.programme.services.editing import forum_create, session_create, speaker_create
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.venue.models import Gate, Zone, ZoneKind

CST = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """An instant in August 2019, Chongqing time."""
    return dt.datetime(2019, 8, day, hour, minute, tzinfo=CST)


@pytest.fixture
def rooms(expo):
    small = Zone.objects.create(
        expo=expo,
        code="R2",
        kind=ZoneKind.ROOM,
        name_en="Meeting Room 2",
        name_zh="第二会议室",
        area_m2=Decimal(80),
        capacity=3,
        position=12,
    )
    Gate.objects.create(
        expo=expo,
        code="D-R1",
        name_en="Room 1 door",
        name_zh="一号厅门",
        zone=expo.zones.get(code="R1"),
    )
    Gate.objects.create(
        expo=expo, code="D-R2", name_en="Room 2 door", name_zh="二号厅门", zone=small
    )
    return {"R1": expo.zones.get(code="R1"), "R2": small}


@pytest.fixture
def programme(expo, rooms):
    """Release 1: `keynote` (R1, 09:30–10:30, no reservation), `silk` (R2, 3 seats by
    reservation, 11:00–12:00), `ai` (R1, 11:30–12:30, 50 seats) and Ada in two."""
    main = forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    silk = forum_create(expo=expo, code="silk", name_en="Digital Silk Road", name_zh="数字丝绸之路")
    ada = speaker_create(
        expo=expo, name_en="Ada Chen", name_zh="陈艾达", affiliation_en="Chongqing University"
    )
    bo = speaker_create(expo=expo, name_en="Bo Li", name_zh="李博")
    cai = speaker_create(expo=expo, name_en="Cai Wen", name_zh="蔡文", affiliation_en="CQ AI Lab")
    keynote, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Opening keynote",
        title_zh="开幕主旨演讲",
        starts_at=at(26, 9, 30),
        ends_at=at(26, 10, 30),
        format="keynote",
        speakers=[ada.pk],
        tags=["5g"],
    )
    silk_talk, _ = session_create(
        expo=expo,
        forum="silk",
        room="R2",
        title_en="Cooperation along the Silk Road",
        title_zh="丝路数字合作",
        starts_at=at(26, 11),
        ends_at=at(26, 12),
        format="panel",
        seats=3,
        speakers=[ada.pk, bo.pk],
    )
    ai, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="AI in manufacturing",
        title_zh="人工智能与制造",
        starts_at=at(26, 11, 30),
        ends_at=at(26, 12, 30),
        format="talk",
        seats=50,
        speakers=[cai.pk],
        tags=["ai"],
    )
    release = programme_publish(expo=expo, actor="test")
    return {
        "forums": {"main": main, "silk": silk},
        "speakers": {"ada": ada, "bo": bo, "cai": cai},
        "sessions": {"keynote": keynote, "silk": silk_talk, "ai": ai},
        "release": release,
    }
