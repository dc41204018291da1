"""Two small editions for the forecast's tests, written straight into the database: 2018 (three
days) with registrations and gate admissions, and 2019 (four days, `previous` 2018) with
registrations only. Who registers when and who comes follow known rates, so that the tests
can say what a forecast should find."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from smartexpo.checkin.models import Direction, Scan, ScanResult, ScanSource
from smartexpo.devices.services import device_create
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.venue.models import Expo, Gate, Zone, ZoneKind

# Show-up of a day ticket on its day (the first day draws more) and of a pass on each day.
DAY_RATE = {"first": 0.7, "other": 0.55}
PASS_RATE = 0.4
GATE_WEIGHTS = {"G-N": 2, "G-E": 1}
# Bookings: days before the opening, exponential with this mean (a late-filling curve).
MEAN_LEAD_DAYS = 12.0


@dataclasses.dataclass
class World:
    previous: Expo
    edition: Expo
    day_tickets: dict[dt.date, int]  # the edition's day tickets per day (all bookings)
    passes: int


def edition_make(slug: str, starts: dt.date, days: int, previous: Expo | None = None) -> Expo:
    expo = Expo.objects.create(
        slug=slug,
        name_en=slug,
        name_zh=slug,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=days - 1),
        venue_en="Venue",
        venue_zh="场馆",
        timezone="Asia/Shanghai",
        previous=previous,
        sales_close_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
    )
    venue = Zone.objects.create(
        expo=expo, code="V", kind=ZoneKind.VENUE, name_en="Venue", area_m2=5000, capacity=9000
    )
    Gate.objects.create(expo=expo, code="G-N", name_en="North", zone=venue, lanes=4)
    Gate.objects.create(expo=expo, code="G-E", name_en="East", zone=venue, lanes=2)
    for code, all_days in (("day", False), ("pass", True)):
        ticket_type_create(
            expo=expo,
            code=code,
            name_en=code,
            days=expo.days,
            quota_per_day=100_000,
            all_days=all_days,
        )
    return expo


def _opening(expo: Expo, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, expo.opens_at, tzinfo=expo.tz)


def register(expo: Expo, rng: random.Random, per_day: int, passes: int, start: int) -> list[int]:
    """Register `per_day` day tickets for each day and `passes` passes; stamp their bookings
    (days before the opening drawn from the curve); return the ticket ids."""
    rows = [
        {"ticket_type": "day", "days": [day.isoformat()], "name": "V", "email": "v@example.cn"}
        for day in expo.days
        for _ in range(per_day)
    ] + [
        {"ticket_type": "pass", "days": [d.isoformat() for d in expo.days], "name": "P"}
        | {"email": "p@example.cn"}
        for _ in range(passes)
    ]
    result = registrations_bulk_create(expo=expo, rows=rows, source="import")
    assert not result.errors
    ids = [rid for _i, rid in result.created]
    opening = _opening(expo, expo.starts_on)
    tickets = list(Ticket.objects.filter(registration_id__in=ids).order_by("id"))
    for ticket in tickets:
        ticket.created_at = opening - dt.timedelta(days=rng.expovariate(1 / MEAN_LEAD_DAYS))
    Ticket.objects.bulk_update(tickets, ["created_at"])
    return [t.pk for t in tickets]


def admit(expo: Expo, rng: random.Random, *, until: dt.datetime | None = None, boost=1.0) -> int:
    """Admit the edition's tickets by the rates (times `boost`), each at a gate at a time drawn
    after its day's opening; a tenth come in twice. Only scans before `until` are kept.
    Returns the scans written."""
    device, _raw = device_create(expo=expo, name="Gates", kind="scanner", gates=list(GATE_WEIGHTS))
    gates = {g.code: g for g in Gate.objects.filter(expo=expo)}
    codes = list(GATE_WEIGHTS)
    weights = list(GATE_WEIGHTS.values())
    scans = []
    tickets = Ticket.objects.filter(expo=expo).select_related("ticket_type").order_by("id")
    for i, day in enumerate(expo.days):
        opening = _opening(expo, day)
        for ticket in tickets:
            if day.isoformat() not in ticket.days:
                continue
            if ticket.ticket_type.code == "pass":
                rate = PASS_RATE
            else:
                rate = DAY_RATE["first" if i == 0 else "other"]
            if rng.random() >= min(1.0, rate * boost):
                continue
            times = [opening + dt.timedelta(minutes=min(rng.expovariate(1 / 80), 500))]
            if rng.random() < 0.1:
                times.append(times[0] + dt.timedelta(minutes=90))
            gate = gates[rng.choices(codes, weights)[0]]
            for at in times:
                if until is not None and at >= until:
                    continue
                scans.append(
                    Scan(
                        expo=expo,
                        device=device,
                        gate=gate,
                        gate_code=gate.code,
                        zone=gate.zone,
                        direction=Direction.IN,
                        nonce=f"n{len(scans)}",
                        serial=ticket.serial,
                        ticket=ticket,
                        scanned_at=at,
                        received_at=at,
                        result=ScanResult.ADMIT,
                        source=ScanSource.ONLINE,
                    )
                )
    Scan.objects.bulk_create(scans, batch_size=2_000)
    return len(scans)


def world_make(*, per_day_2018=300, passes_2018=60, growth=1.2, seed=7) -> World:
    """2018 with its history, and 2019 registered (`growth` times 2018's per day)."""
    rng = random.Random(seed)
    previous = edition_make("w-2018", dt.date(2018, 8, 23), 3)
    register(previous, rng, per_day_2018, passes_2018, 0)
    admit(previous, rng)
    edition = edition_make("w-2019", dt.date(2019, 8, 26), 4, previous=previous)
    per_day, passes = round(per_day_2018 * growth), round(passes_2018 * growth)
    register(edition, rng, per_day, passes, 10_000)
    return World(previous, edition, dict.fromkeys(edition.days, per_day), passes)


def expected_admissions(world: World, index: int) -> float:
    """What the rates promise on the edition's day `index`, every booking made."""
    rate = DAY_RATE["first" if index == 0 else "other"]
    return world.day_tickets[world.edition.days[index]] * rate + world.passes * PASS_RATE
