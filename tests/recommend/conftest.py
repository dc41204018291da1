"""A small networking world: the test edition's exhibitors, a published programme, visitors
with profiles, and helpers to build the edition's recommender and to ask for its answers."""

from __future__ import annotations

import datetime as dt

import pytest

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.exhibitors.models import ExhibitorStatus
from smartexpo.exhibitors.services import exhibitor_create
from smartexpo.programme.services.editing import forum_create, session_create
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.recommend.services.building import recommender_build
from smartexpo.tickets.models import Registration
from tests.conftest import ApiClient, public_day_pass, register

CST = dt.timezone(dt.timedelta(hours=8))


def profile(issued, **fields) -> Registration:
    """Give a registration its networking profile (the fields P's form and API fill in)."""
    Registration.objects.filter(pk=issued.registration.pk).update(**fields)
    return Registration.objects.get(pk=issued.registration.pk)


@pytest.fixture
def world(expo, taxonomy):
    """Huawei (IT, 5G/AI, hall N1), Toyota (vehicles, AI, hall S1), BYD (vehicles); two
    sessions; visitors: a vehicle buyer sharing name and company, an IT partner sharing only
    their email, a Huawei employee (by company name), and a visitor who shares nothing."""
    sectors, tags = taxonomy
    byd = exhibitor_create(
        expo=expo,
        slug="byd",
        name_en="BYD",
        name_zh="比亚迪",
        sector=sectors["smart-vehicles"],
        tags=[tags["ai"]],
        description_en="Electric cars and batteries.",
        description_zh="电动汽车与电池。",
        status=ExhibitorStatus.APPROVED,
    )
    public_day_pass(expo, quota_per_day=100)
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    sessions = {}
    for n, (name, title_en, title_zh) in enumerate(
        [
            ("cars", "Self-driving cars in cities", "城市中的自动驾驶汽车"),
            ("radio", "5G radio networks", "5G无线网络"),
        ]
    ):
        starts = dt.datetime(2019, 8, 26, 10 + 2 * n, tzinfo=CST)
        sessions[name], _w = session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=title_en,
            title_zh=title_zh,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=50),
            sectors=["smart-vehicles" if name == "cars" else "information-technology"],
        )
    programme_publish(expo=expo, actor="test")
    people = {}
    people["buyer"] = profile(
        register(expo, 1, ticket_type="public-day"),
        sectors=["smart-vehicles"],
        interests=["ai"],
        intents=["buy"],
        company="Shanghai Fleet Co., Ltd.",
        title="Purchasing manager",
        phone="13800000001",
        share=["name", "company"],
    )
    people["partner"] = profile(
        register(expo, 2, ticket_type="public-day"),
        sectors=["information-technology"],
        interests=["5g"],
        intents=["partner"],
        company="Telco Partners",
        title="CTO",
        share=["email"],
    )
    people["insider"] = profile(
        register(expo, 3, ticket_type="public-day"),
        sectors=["information-technology"],
        interests=["5g", "ai"],
        intents=["partner"],
        company="HUAWEI Technologies Co., Ltd.",
        share=["name", "email"],
    )
    people["private"] = profile(
        register(expo, 4, ticket_type="public-day"),
        sectors=["smart-vehicles"],
        interests=["ai"],
        intents=["buy"],
        company="Quiet Motors",
        share=[],
    )
    expo.test_exhibitors["byd"] = byd
    expo.test_sessions = sessions
    expo.test_people = people
    return expo


@pytest.fixture
def sensor(expo):
    """A sensor of every zone of the test edition (its booth zone N1-B included)."""
    from smartexpo.devices.services import device_create

    _device, token = device_create(
        expo=expo, name="Every zone", kind="sensor", zones=["V", "N1", "S1", "R1", "N1-B"]
    )
    return ApiClient(token)


def build(expo):
    return recommender_build(expo=expo)


def holder(registration: Registration) -> ApiClient:
    from smartexpo.tickets.selectors import manage_token_of

    return ApiClient(manage_token_of(registration))


def exhibitor_client(exhibitor) -> ApiClient:
    _token, raw = token_create(
        role=Role.EXHIBITOR, name=f"{exhibitor.slug} staff", exhibitor=exhibitor
    )
    return ApiClient(raw)
