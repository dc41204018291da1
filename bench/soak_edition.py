"""The kill soak's database and edition.

The soak runs against a database of its own, made once and reused by every restart: SQLite in
a temporary data directory, or — when `DATABASE_URL` names a PostgreSQL server — a fresh
database `smartexpo_kill_<random>` on that server (so it never meets pytest-django's test
database there), dropped at the end. The edition is small and built through the project's
services: two days, a venue, two halls, a booth zone and a forum room, two gates, ticket types
with small quotas (so `sold_out` happens), scanner and sensor devices, an organiser token and a
few hundred staff tickets issued in bulk so that the scanners have tickets from the first
second.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SLUG = "soak"
DAYS = (dt.date(2030, 9, 17), dt.date(2030, 9, 18))
TIMEZONE = "Asia/Shanghai"
# code, kind, hall, area m², safe capacity: small rooms and low capacities, so alerts come and go.
ZONES = [
    ("V", "venue", None, 5000, 3000),
    ("N1", "hall", None, 400, 60),
    ("S1", "hall", None, 60, 0),
    ("N1-B", "booth", "N1", 36, 20),
    ("R1", "room", None, 300, 200),
]
GATES = [("G1", "V"), ("G-N1", "N1")]
SENSOR_ZONES = ["V", "N1", "S1", "N1-B"]  # not R1: an event there is `zone_not_allowed`
ONLINE_SCANNERS = ("gate-1", "gate-2")
OFFLINE_SCANNER = "offline-1"


class Database:
    """Where the soak's server keeps its data: a temporary data directory, and on PostgreSQL
    a database of its own on the server `base_url` names."""

    def __init__(self, base_url: str | None, *, keep: bool = False):
        self.keep = keep
        self.data_dir = Path(tempfile.mkdtemp(prefix="smartexpo-soak-"))
        self.vendor = "postgresql" if base_url and base_url.startswith("postgres") else "sqlite"
        self.url = None
        self.name = None
        if self.vendor == "postgresql":
            self.name = f"smartexpo_kill_{secrets.token_hex(4)}"
            parts = urlsplit(base_url)
            self._admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path="/" + self.name))

    def env(self) -> dict[str, str]:
        """The environment of everything that uses this database (server and checks)."""
        env = {"SMARTEXPO_DATA_DIR": str(self.data_dir)}
        if self.url:
            env["DATABASE_URL"] = self.url
        return env

    def describe(self) -> str:
        if self.vendor == "postgresql":
            return f"PostgreSQL database {self.name}"
        return f"SQLite in {self.data_dir}"

    def create(self) -> None:
        if self.vendor == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        """Remove the database and the data directory (unless asked to keep them)."""
        if self.keep:
            return
        if self.vendor == "postgresql":
            from django.db import connections

            connections.close_all()
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            conn.execute(statement)


def django_setup(env: dict[str, str]) -> None:
    """Set up Django in this process against the soak's database (before any model import)."""
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    import django

    django.setup()


def seed(*, quota: int, staff: int) -> dict:
    """Migrate the database and build the soak's edition; returns what the clients need
    (tokens, device ids, the staff tickets' serials and secrets)."""
    from django.core.management import call_command
    from django.db import connections

    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.devices.services import device_create
    from smartexpo.tickets.issuing import ticket_secret
    from smartexpo.tickets.models import Ticket
    from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from smartexpo.venue.models import Expo, Gate, Zone

    call_command("migrate", verbosity=0, interactive=False)
    expo = Expo.objects.create(
        slug=SLUG,
        name_en="Kill soak expo",
        name_zh="断电测试博览会",
        starts_on=DAYS[0],
        ends_on=DAYS[-1],
        timezone=TIMEZONE,
        # Registered for throughout the soak, whatever today is (`tickets.sales`).
        sales_close_at=dt.datetime(2099, 12, 31, tzinfo=dt.UTC),
        venue_en="Soak centre",
        venue_zh="测试中心",
    )
    zones: dict[str, Zone] = {}
    for position, (code, kind, hall, area, capacity) in enumerate(ZONES):
        zones[code] = Zone.objects.create(
            expo=expo,
            code=code,
            kind=kind,
            hall=zones.get(hall) if hall else None,
            name_en=f"Zone {code}",
            name_zh=f"{code}区",
            area_m2=Decimal(area),
            capacity=capacity,
            position=position,
        )
    for code, zone in GATES:
        Gate.objects.create(expo=expo, code=code, name_en=code, name_zh=code, zone=zones[zone])
    days = [d.isoformat() for d in DAYS]
    # Day tickets for the venue; a pass for both days, the venue and hall N1; staff passes.
    ticket_type_create(
        expo=expo, code="day", name_en="Day", days=days, quota_per_day=quota, zones=["V"]
    )
    ticket_type_create(
        expo=expo,
        code="pro",
        name_en="Pro",
        days=days,
        quota_per_day=max(1, quota // 2),
        zones=["V", "N1"],
        all_days=True,
    )
    ticket_type_create(
        expo=expo,
        code="staff",
        name_en="Staff",
        days=days,
        quota_per_day=staff,
        zones=["V", "N1"],
        all_days=True,
    )
    rows = [
        {"ticket_type": "staff", "days": days, "name": f"Staff {n}", "email": f"s{n}@soak.cn"}
        for n in range(staff)
    ]
    created = registrations_bulk_create(expo=expo, rows=rows, source="demo")
    if created.errors:
        raise RuntimeError(f"staff tickets refused: {created.errors[:3]}")
    tickets = [
        {"serial": t.serial, "secret": ticket_secret(t), "days": t.days}
        for t in Ticket.objects.filter(expo=expo, ticket_type__code="staff")
    ]
    scanners = {}
    for name in (*ONLINE_SCANNERS, OFFLINE_SCANNER):
        device, token = device_create(
            expo=expo, name=name, kind="scanner", gates=[g for g, _z in GATES]
        )
        scanners[name] = {"id": device.pk, "token": token}
    sensor, sensor_token = device_create(
        expo=expo, name="sensor-1", kind="sensor", zones=SENSOR_ZONES
    )
    _organizer, organizer_token = token_create(role=Role.ORGANIZER, name="soak organiser")
    connections.close_all()
    return {
        "expo": SLUG,
        "expo_id": expo.pk,
        "days": days,
        "timezone": TIMEZONE,
        "opens_at": expo.opens_at.isoformat(),
        "scanners": scanners,
        "sensor": {"id": sensor.pk, "token": sensor_token},
        "organizer": organizer_token,
        "tickets": tickets,
    }
