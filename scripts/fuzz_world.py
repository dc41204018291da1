"""The small world `make fuzz` runs against, made through the project's own services.

`world_seed()` is called in a process whose Django settings point at the fuzz run's temporary
data directory (scripts/fuzz.py sets `SMARTEXPO_DATA_DIR` first). It returns what the hooks
(scripts/fuzz_hooks.py) need to aim requests at real objects — the edition's slug, codes, ids,
serials, ticket secrets — and the token of each role. Everything is a JSON value, written to
`world.json` beside the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

EDITION = "fuzz-2019"
OTHER_EDITION = "fuzz-2018"
DAYS = ("2019-08-26", "2019-08-27", "2019-08-28")


def world_seed() -> dict:
    """Two editions (the second one only to be the wrong edition of a token), a venue with
    halls, booths, a room, gates, exhibitors, ticket types, registrations, devices of each
    kind (one revoked), an alert, a published programme, and a token per role."""
    from django.db import transaction

    with transaction.atomic():
        world = _catalogue()
    # Registrations, devices and sensor events each commit on their own (as the API does).
    world.update(_people(world))
    world.update(_devices(world))
    world.update(_crowd(world))
    world.update(_programme(world))
    world.update(_deals(world))
    return world


def _catalogue() -> dict:
    from smartexpo.exhibitors.models import ExhibitorStatus, Sector, Tag
    from smartexpo.exhibitors.services import booth_assign, exhibitor_create, showcase_item_add
    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from smartexpo.venue.models import Booth, Expo, Gate, Zone, ZoneKind
    from smartexpo.venue.services import booth_create

    sectors = [
        Sector.objects.create(code=code, name_en=en, name_zh=zh, position=i)
        for i, (code, en, zh) in enumerate(
            [("information-technology", "Information technology", "信息技术"),
             ("smart-vehicles", "Intelligent connected vehicles", "智能网联汽车")]
        )
    ]  # fmt: skip
    tags = [
        Tag.objects.create(code=code, name_en=en, name_zh=zh, position=i)
        for i, (code, en, zh) in enumerate([("ai", "AI", "人工智能"), ("5g", "5G", "5G")])
    ]
    previous = Expo.objects.create(
        slug=OTHER_EDITION,
        name_en="Fuzz Expo 2018",
        name_zh="模糊测试博览会2018",
        starts_on=dt.date(2018, 8, 23),
        ends_on=dt.date(2018, 8, 25),
        venue_en="Fuzz Center",
        expected_visitors=100,
    )
    expo = Expo.objects.create(
        slug=EDITION,
        name_en="Fuzz Expo 2019",
        name_zh="模糊测试博览会2019",
        starts_on=dt.date.fromisoformat(DAYS[0]),
        ends_on=dt.date.fromisoformat(DAYS[-1]),
        venue_en="Fuzz Center",
        venue_zh="模糊测试中心",
        expected_visitors=1000,
        previous=previous,
        # On sale whatever today is: an edition's sale closes with its last day by default.
        sales_close_at=dt.datetime(2099, 12, 31, tzinfo=dt.UTC),
    )

    def zone(code, kind, area, capacity, **extra):
        return Zone.objects.create(
            expo=expo,
            code=code,
            kind=kind,
            name_en=f"Zone {code}",
            name_zh=f"{code}区",
            area_m2=Decimal(area),
            capacity=capacity,
            **extra,
        )

    venue = zone("V", ZoneKind.VENUE, 5000, 3000)
    halls = {
        code: zone(code, ZoneKind.HALL, 1000, 500, position=i + 1, plan_x=Decimal(i * 60),
                   plan_y=Decimal(0), plan_width=Decimal(50), plan_depth=Decimal(20))
        for i, code in enumerate(["N1", "S1"])
    }  # fmt: skip
    zone("R1", ZoneKind.ROOM, 300, 200, position=10)
    # A small zone: the seed fills it past its capacity, so the edition has an alert.
    zone("N1-B", ZoneKind.BOOTH, 36, 20, position=11, hall=halls["N1"])
    Gate.objects.create(expo=expo, code="G1", name_en="North gate", name_zh="北门", zone=venue)
    Gate.objects.create(
        expo=expo, code="G-N1", name_en="Hall N1 gate", name_zh="N1馆入口", zone=halls["N1"]
    )
    for n in range(4):
        booth_create(hall=halls["N1"], code=f"N1-{n + 1:03d}", x=n * 6, y=0, width=6, depth=6)
    booth_create(hall=halls["S1"], code="S1-001", x=0, y=0, width=12, depth=6)

    exhibitors = []
    for slug, en, zh, status in [
        ("huawei", "Huawei", "华为", ExhibitorStatus.APPROVED),
        ("toyota", "Toyota", "丰田", ExhibitorStatus.APPROVED),
        ("newcomer", "Newcomer Robotics", "新来机器人", ExhibitorStatus.PENDING),
    ]:
        exhibitors.append(
            exhibitor_create(
                expo=expo,
                slug=slug,
                name_en=en,
                name_zh=zh,
                sector=sectors[len(exhibitors) % 2],
                tags=tags,
                website=f"https://www.{slug}.example",
                status=status,
            )
        )
    showcase_item_add(
        exhibitor=exhibitors[0], title_en="5G base station", title_zh="5G基站", description_en="."
    )
    booth_assign(booth=Booth.objects.get(expo=expo, code="N1-001"), exhibitor=exhibitors[0])
    booth_assign(booth=Booth.objects.get(expo=expo, code="S1-001"), exhibitor=exhibitors[1])
    ticket_type_create(
        expo=expo, code="day", name_en="Day pass", name_zh="日票", days=DAYS[:2],
        quota_per_day=100_000, zones=["V"],
    )  # fmt: skip
    ticket_type_create(
        expo=expo, code="pro", name_en="Professional", name_zh="专业观众票", days=DAYS,
        quota_per_day=100_000, zones=["V", "N1"], all_days=True,
    )  # fmt: skip
    # A sold-out day: the waiting list accepts entries only for such a day.
    ticket_type_create(
        expo=expo, code="vip", name_en="VIP", name_zh="贵宾票", days=DAYS[2:], quota_per_day=0
    )
    return {
        "expo": EDITION,
        "other_expo": OTHER_EDITION,
        "days": list(DAYS),
        "halls": ["N1", "S1"],
        "zones": ["V", "N1", "S1", "R1", "N1-B"],
        "zone_kinds": list(ZoneKind.values),
        "gates": ["G1", "G-N1"],
        "booths": ["N1-001", "N1-002", "N1-003", "N1-004", "S1-001"],
        "exhibitors": [e.pk for e in exhibitors],
        "sectors": [s.code for s in sectors],
        "tags": [t.code for t in tags],
        "ticket_types": ["day", "pro", "vip"],
    }


def _people(world: dict) -> dict:
    from smartexpo.tickets.services.cancellation import registration_cancel
    from smartexpo.tickets.services.registration import registration_create
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    issued = [
        registration_create(
            expo=expo,
            ticket_type=code,
            days=list(days),
            name=name,
            email=f"visitor{n}@example.cn",
        )
        for n, (code, days, name) in enumerate(
            [
                ("day", DAYS[:1], "Li Wei"),
                ("pro", DAYS, "Wang Fang"),
                ("day", DAYS[:2], "Zhang Min"),
                ("pro", DAYS, "Chen Jing"),
            ]
        )
    ]
    # One cancelled registration: its ticket is revoked (a scan of it is `revoked`).
    registration_cancel(registration=issued[-1].registration)
    return {
        "registrations": [i.registration.pk for i in issued],
        "serials": [t.serial for i in issued for t in i.tickets],
        "secrets": [s for i in issued for s in i.secrets],
        "manage_token": issued[0].manage_token,
        "manage_registration": issued[0].registration.pk,
        "manage_serial": issued[0].tickets[0].serial,
    }


def _devices(world: dict) -> dict:
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.devices.services import device_create, device_revoke
    from smartexpo.exhibitors.models import Exhibitor
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    scanner, scanner_token = device_create(
        expo=expo, name="Fuzz scanner", kind="scanner", gates=world["gates"]
    )
    sensor, sensor_token = device_create(
        expo=expo, name="Fuzz sensor", kind="sensor", zones=world["zones"]
    )
    revoked, revoked_token = device_create(
        expo=expo, name="Revoked scanner", kind="scanner", gates=["G1"]
    )
    device_revoke(device=revoked)
    # Devices that the organiser role may revoke (DELETE …/devices/{id} with a real id)
    # without taking the scanner's and sensor's tokens away from the roles that run after it.
    spares = [
        device_create(expo=expo, name=f"Spare {kind} {n}", kind=kind, **{binding: codes})[0].pk
        for n in range(3)
        for kind, binding, codes in [("scanner", "gates", ["G1"]), ("sensor", "zones", ["N1"])]
    ]
    _org, organizer_token = token_create(role="organizer", name="Fuzz organiser")
    _exh, exhibitor_token = token_create(
        role=Role.EXHIBITOR,
        name="Huawei staff",
        exhibitor=Exhibitor.objects.get(pk=world["exhibitors"][0]),
    )
    return {
        "devices": [*spares, revoked.pk],
        "role_devices": [scanner.pk, sensor.pk],
        "tokens": {
            "organizer": organizer_token,
            "exhibitor": exhibitor_token,
            "scanner": scanner_token,
            "sensor": sensor_token,
            "revoked-device": revoked_token,
        },
    }


def _crowd(world: dict) -> dict:
    """People entering the small booth zone past its capacity (an alert), and some leaving."""
    from smartexpo.core.bodies import items_checked
    from smartexpo.crowd.ingest import events_ingest
    from smartexpo.crowd.models import CrowdAlert
    from smartexpo.crowd.schemas import EventIn
    from smartexpo.crowd.services import pending_fold
    from smartexpo.devices.auth import Sensor
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    sensor = Sensor(world["role_devices"][1], expo.pk, "Fuzz sensor", frozenset(world["zones"]))
    events = [
        {"id": "seed-1", "zone": "N1-B", "kind": "enter", "at": "2019-08-26T10:00:00+08:00",
         "count": 25, "visitor": "v1"},
        {"id": "seed-2", "zone": "N1-B", "kind": "exit", "at": "2019-08-26T11:00:00+08:00",
         "count": 20},
        {"id": "seed-3", "zone": "N1", "kind": "enter", "at": "2019-08-26T10:30:00+08:00",
         "count": 40, "visitor": "v2"},
    ]  # fmt: skip
    result = events_ingest(expo=expo, sensor=sensor, items=items_checked(EventIn, events))
    assert not result.rejected, result.rejected
    pending_fold(expo=expo)
    alerts = list(CrowdAlert.objects.filter(expo=expo).values_list("pk", flat=True))
    assert alerts, "the seed's events should raise an alert"
    return {"alerts": alerts}


def _programme(world: dict) -> dict:
    """A forum with three sessions in room R1 on the first day, published: a keynote without
    reservation, a talk with 5 seats and one with 2 (for the waiting list), and two speakers."""
    from smartexpo.programme.services.editing import forum_create, session_create, speaker_create
    from smartexpo.programme.services.publishing import programme_publish
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    forum_create(expo=expo, code="main", name_en="Main Forum", name_zh="主论坛")
    speakers = [
        speaker_create(expo=expo, name_en="Ada Chen", name_zh="陈艾达", affiliation_en="CQU"),
        speaker_create(expo=expo, name_en="Bo Li", name_zh="李博"),
    ]
    sessions = []
    for hour, seats, title in ((10, None, "Opening keynote"), (11, 5, "AI"), (14, 2, "5G")):
        session, _warnings = session_create(
            expo=expo,
            forum="main",
            room="R1",
            title_en=title,
            starts_at=dt.datetime.fromisoformat(f"{DAYS[0]}T{hour}:00:00+08:00"),
            ends_at=dt.datetime.fromisoformat(f"{DAYS[0]}T{hour}:50:00+08:00"),
            seats=seats,
            speakers=[s.pk for s in speakers[: 1 + hour % 2]],
            tags=world["tags"][:1],
        )
        sessions.append(session.pk)
    programme_publish(expo=expo, actor="fuzz")
    return {
        "forums": ["main"],
        "rooms": ["R1"],
        "sessions": sessions,
        "speakers": [s.pk for s in speakers],
    }


def _deals(world: dict) -> dict:
    """Two deals: one with a public amount, one whose amount is confidential."""
    from smartexpo.deals.services.deals import deal_create
    from smartexpo.exhibitors.models import Exhibitor
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    slug = Exhibitor.objects.get(pk=world["exhibitors"][0]).slug
    deals = [
        deal_create(
            expo=expo,
            data={
                "title": {"en": f"Fuzz project {n}"},
                "sector": world["sectors"][0],
                "kind": "procurement",
                "amount": amount,
                "amount_confidential": n == 1,
                "signed_on": DAYS[0],
                "at_expo": True,
                "parties": [{"name": {"en": "Acme"}, "country": "DE"}, {"exhibitor": slug}],
            },
        ).pk
        for n, amount in enumerate(("1250000.50", "99.99"))
    ]
    return {"deals": deals, "exhibitor_slugs": [slug]}
