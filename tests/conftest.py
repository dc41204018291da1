"""Shared fixtures: a small edition built through the services, and a client for every role."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.exhibitors.models import ExhibitorStatus, Sector, Tag
from smartexpo.exhibitors.services import booth_assign, exhibitor_create, showcase_item_add
from smartexpo.tickets.identity import resident_check_digit
from smartexpo.venue.models import Expo, Gate, Zone, ZoneKind
from smartexpo.venue.services import booth_create

# The property tests check what is drawn, not how fast it is drawn: on a busy machine (two
# cores, a parallel run, a server under load beside it) a draw can wait a second for the CPU,
# which Hypothesis' "too slow" health check and its deadline would report as a failure.
hypothesis_settings.register_profile(
    "smartexpo", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("smartexpo")

# The live server's listen backlog defaults to 5, so a burst of concurrent clients would be
# reset by the kernel before Django ever saw them; production runs gunicorn (backlog 2048).
ThreadedWSGIServer.request_queue_size = 256


@pytest.fixture(autouse=True)
def fresh_process_caches():
    """Each test's database starts over (ids are reused), so per-process caches must too."""
    from smartexpo.checkin import doors
    from smartexpo.core.stamps import forget_all
    from smartexpo.deals import breakdowns, memo
    from smartexpo.deals.selectors import forget_tallies
    from smartexpo.devices.auth import forget_device_caches
    from smartexpo.planning import bookings_kept
    from smartexpo.programme import display, pages
    from smartexpo.programme.exports.common import ReleaseMemo
    from smartexpo.programme.selectors import forget_published
    from smartexpo.recommend.selectors import forget_served

    def forget():
        forget_all()
        forget_device_caches()
        # The programme's: the parsed release, and what pages, feeds and doors keep of it.
        forget_published()
        display.forget()
        pages.forget()
        ReleaseMemo.forget_all()
        doors.forget()
        forget_served()  # the recommendations' loaded models
        forget_tallies()
        memo.forget_all()
        breakdowns.forget()  # the deals pages' breakdowns
        bookings_kept.forget()  # the booking curve's counts read so far

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def no_rate_limit_unless_asked(settings):
    """Tests register many people, and ask thousands of questions, from one address; the
    rate-limit tests turn the limits back on."""
    from smartexpo.core.flood import forget_addresses

    settings.SMARTEXPO_RATE_LIMIT_REGISTRATIONS = 0
    settings.SMARTEXPO_RATE_LIMIT_REQUESTS = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_HOURLY = 0
    settings.SMARTEXPO_RATE_LIMIT_TICKET_LINKS_PER_ADDRESS_HOURLY = 0
    settings.SMARTEXPO_RATE_LIMIT_PORTAL_EMAILS = 0
    settings.SMARTEXPO_RATE_LIMIT_INVITATIONS = 0
    forget_addresses()


@pytest.fixture(autouse=True)
def english_by_default():
    """Every test starts in English: a request in Chinese leaves its language active in the
    thread, and `reverse()` in the next test would then produce `/zh-hans/` addresses."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


class ProductionHandler:
    """Hands the test client's requests to `smartexpo.wsgi.application`, the callable that
    `smartexpo serve` runs (the lean /api/ stack, the registration route), instead of Django's
    test handler with the full site stack; API tests then test what users run.

    `app` names another WSGI callable of `smartexpo.wsgi` (the permission matrix also asks a
    hot route's ninja operation, through the API's own Django handler)."""

    def __init__(self, app=None):
        self.app = app

    def __call__(self, environ):
        from smartexpo.wsgi import application

        app = self.app or application
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = status, headers

        # As Django's own test handler does: the test's transaction must survive the request.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        response = HttpResponse(body, status=int(started["status"][:3]))
        del response["Content-Type"]
        for name, value in started["headers"]:
            response.headers[name] = value
        response.wsgi_request = SimpleNamespace()
        return response


class ApiClient:
    """A test client that speaks JSON and carries a bearer token, like an integration would,
    to the WSGI application that production serves."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.client.handler = ProductionHandler()
        self.token = token

    def _headers(self, extra):
        headers = dict(extra or {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path, data=None, headers=None):
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path, body=None, headers=None, raw: str | bytes | None = None):
        payload = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            path, payload, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path, body=None, headers=None):
        return self.client.put(
            path,
            json.dumps(body or {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path, body=None, headers=None, raw=None):
        payload = raw if raw is not None else json.dumps(body or {})
        return self.client.patch(
            path, payload, content_type="application/json", headers=self._headers(headers)
        )

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


def rid(seq: int = 123) -> str:
    """A valid resident ID number, one per `seq` (0–999)."""
    first17 = f"11010519900101{seq:03d}"
    return first17 + resident_check_digit(first17)


def public_day_pass(expo: Expo, *, quota_per_day: int, **extra):
    """The `public-day` type most ticket tests use: a day pass for 26 and 27 August 2019."""
    from smartexpo.tickets.services.ticket_types import ticket_type_create

    return ticket_type_create(
        expo=expo,
        code="public-day",
        name_en="Public day pass",
        name_zh="普通观众日票",
        days=["2019-08-26", "2019-08-27"],
        quota_per_day=quota_per_day,
        **extra,
    )


def day_ticket(expo: Expo, *, quota_per_day: int, code: str = "day", days=("2019-08-26",), **extra):
    """A day ticket open to everyone: `day`, valid on 26 August 2019 unless told otherwise
    (`extra`: any other argument of `ticket_type_create`, names included)."""
    from smartexpo.tickets.services.ticket_types import ticket_type_create

    values = {"name_en": "Day", "name_zh": "日票", **extra}
    return ticket_type_create(
        expo=expo, code=code, days=list(days), quota_per_day=quota_per_day, **values
    )


def registration_body(n: int = 1, *, ticket_type="public-day", days=("2019-08-26",), **extra):
    """The fields of person `n`'s registration (a body for the API, arguments for the
    service): a name, an email and a resident ID number of their own."""
    return {
        "ticket_type": ticket_type,
        "days": list(days),
        "name": f"Guest {n}",
        "email": f"g{n}@example.cn",
        "id_number": rid(n),
        **extra,
    }


def register(expo: Expo, n: int = 1, **fields):
    """Register person `n` through the service (`registration_body`'s fields, any of them
    overridden); returns what the service issued."""
    from smartexpo.tickets.services.registration import registration_create

    return registration_create(expo=expo, **registration_body(n, **fields))


def superuser_client(username: str = "boss") -> Client:
    """A client signed in to the admin as a superuser, as the demo's organiser is."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser(
        username, f"{username}@example.org", "pw-for-tests-1"
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(db) -> Client:
    """The admin, signed in as a superuser (`superuser_client`)."""
    return superuser_client()


ON_SALE_UNTIL = dt.datetime(2099, 12, 31, tzinfo=dt.UTC)


def make_expo(slug="test-2019", **extra) -> Expo:
    values = {
        "name_en": "Test Expo 2019",
        "name_zh": "测试博览会2019",
        "starts_on": dt.date(2019, 8, 26),
        "ends_on": dt.date(2019, 8, 29),
        "venue_en": "Test Center",
        "venue_zh": "测试中心",
        "expected_visitors": 1000,
        # The test editions are of 2019 and 2018, long over: by default (`tickets.sales`) their
        # registration would be closed. Tests of the window pass their own (None: the default).
        "sales_close_at": ON_SALE_UNTIL,
    }
    values.update(extra)
    return Expo.objects.create(slug=slug, **values)


@pytest.fixture
def taxonomy(db):
    sectors = {
        code: Sector.objects.create(code=code, name_en=en, name_zh=zh, position=i)
        for i, (code, en, zh) in enumerate(
            [
                ("information-technology", "Information technology", "信息技术"),
                ("smart-vehicles", "Intelligent connected vehicles", "智能网联汽车"),
            ]
        )
    }
    tags = {
        code: Tag.objects.create(code=code, name_en=en, name_zh=zh, position=i)
        for i, (code, en, zh) in enumerate(
            [("ai", "Artificial intelligence", "人工智能"), ("5g", "5G", "5G")]
        )
    }
    return sectors, tags


@pytest.fixture
def expo(db, taxonomy):
    """A small edition: a venue zone, two halls with booths, a forum room, gates, exhibitors."""
    sectors, tags = taxonomy
    expo = make_expo()
    venue = Zone.objects.create(
        expo=expo,
        code="V",
        kind=ZoneKind.VENUE,
        name_en="Venue",
        name_zh="场馆",
        area_m2=Decimal(5000),
        capacity=3000,
    )
    halls = {}
    for i, code in enumerate(["N1", "S1"]):
        halls[code] = Zone.objects.create(
            expo=expo,
            code=code,
            kind=ZoneKind.HALL,
            name_en=f"Hall {code}",
            name_zh=f"{code}馆",
            area_m2=Decimal(1000),
            capacity=500,
            position=i + 1,
            plan_x=Decimal(i * 60),
            plan_y=Decimal(0),
            plan_width=Decimal(50),
            plan_depth=Decimal(20),
        )
    Zone.objects.create(
        expo=expo,
        code="R1",
        kind=ZoneKind.ROOM,
        name_en="Forum Room 1",
        name_zh="第一论坛厅",
        area_m2=Decimal(300),
        capacity=200,
        position=10,
    )
    Zone.objects.create(
        expo=expo,
        code="N1-B",
        kind=ZoneKind.BOOTH,
        hall=halls["N1"],
        name_en="Booth area",
        name_zh="展位区",
        area_m2=Decimal(36),
        capacity=20,
        position=11,
    )
    Gate.objects.create(expo=expo, code="G1", name_en="North gate", name_zh="北门", zone=venue)
    Gate.objects.create(
        expo=expo, code="G-N1", name_en="Hall N1 gate", name_zh="N1馆入口", zone=halls["N1"]
    )
    for n in range(4):
        booth_create(hall=halls["N1"], code=f"N1-{n + 1:03d}", x=n * 6, y=0, width=6, depth=6)
    booth_create(hall=halls["S1"], code="S1-001", x=0, y=0, width=12, depth=6)

    huawei = exhibitor_create(
        expo=expo,
        slug="huawei",
        name_en="Huawei",
        name_zh="华为",
        sector=sectors["information-technology"],
        tags=[tags["5g"], tags["ai"]],
        description_en="Telecoms and devices.",
        description_zh="通信与终端。",
        website="https://www.huawei.com",
        fortune500=True,
        status=ExhibitorStatus.APPROVED,
    )
    showcase_item_add(
        exhibitor=huawei,
        title_en="5G base station",
        title_zh="5G基站",
        description_en="A 5G radio.",
        description_zh="5G无线设备。",
    )
    toyota = exhibitor_create(
        expo=expo,
        slug="toyota",
        name_en="Toyota",
        name_zh="丰田",
        sector=sectors["smart-vehicles"],
        tags=[tags["ai"]],
        country="JP",
        status=ExhibitorStatus.APPROVED,
    )
    pending = exhibitor_create(
        expo=expo,
        slug="newcomer",
        name_en="Newcomer Robotics",
        name_zh="新来机器人",
        sector=sectors["information-technology"],
    )
    from smartexpo.venue.models import Booth

    booth_assign(booth=Booth.objects.get(code="N1-001"), exhibitor=huawei)
    booth_assign(booth=Booth.objects.get(code="S1-001"), exhibitor=toyota)
    expo.test_exhibitors = {"huawei": huawei, "toyota": toyota, "pending": pending}
    expo.test_halls = halls
    return expo


@pytest.fixture
def other_expo(db, taxonomy):
    return make_expo(slug="test-2018", starts_on=dt.date(2018, 8, 23), ends_on=dt.date(2018, 8, 25))


@pytest.fixture
def anonymous():
    return ApiClient()


@pytest.fixture
def organizer(db):
    _token, raw = token_create(role=Role.ORGANIZER, name="Test organiser")
    return ApiClient(raw)


@pytest.fixture
def exhibitor(expo):
    _token, raw = token_create(
        role=Role.EXHIBITOR, name="Huawei staff", exhibitor=expo.test_exhibitors["huawei"]
    )
    return ApiClient(raw)


@pytest.fixture
def other_exhibitor(expo):
    _token, raw = token_create(
        role=Role.EXHIBITOR, name="Toyota staff", exhibitor=expo.test_exhibitors["toyota"]
    )
    return ApiClient(raw)


@pytest.fixture
def device(expo):
    _token, raw = token_create(role=Role.DEVICE, name="Gate 1 scanner", expo=expo)
    return ApiClient(raw)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "detail"}, body
    return body["error"]


@pytest.fixture
def production_server(transactional_db):
    """`smartexpo.wsgi.application` on a threaded HTTP server at 127.0.0.1: what `smartexpo
    serve` runs, for tests with real concurrent clients. Yields the base URL."""
    import threading

    from django.core.servers.basehttp import WSGIRequestHandler

    from smartexpo.wsgi import application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.set_app(application)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)
