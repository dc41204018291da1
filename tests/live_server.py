"""`smartexpo serve` as users run it, on a SQLite database of its own, for tests that need real
worker processes (caches across processes, hostile clients).

The world is made in a child process whose settings point at the temporary data directory:
a small edition (a venue zone and a hall with a gate each, a day pass), an organiser token and
a scanner device, printed as JSON.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

WORLD = textwrap.dedent(
    """
    import datetime as dt, json
    import django
    django.setup()
    from smartexpo.devices.services import device_create
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from smartexpo.venue.models import Expo, Gate, Zone

    expo = Expo.objects.create(
        slug="x-2019", name_en="X", starts_on=dt.date(2019, 8, 26), ends_on=dt.date(2019, 8, 29),
        sales_close_at=dt.datetime(2099, 12, 31, tzinfo=dt.UTC),  # on sale, whatever today is
    )
    venue = Zone.objects.create(expo=expo, code="V", kind="venue", name_en="V", area_m2=5000,
                                capacity=3000)
    hall = Zone.objects.create(expo=expo, code="N1", kind="hall", name_en="N1", area_m2=1000,
                               capacity=500)
    Gate.objects.create(expo=expo, code="G1", name_en="G1", zone=venue)
    Gate.objects.create(expo=expo, code="G-N1", name_en="G-N1", zone=hall)
    ticket_type_create(expo=expo, code="day", name_en="Day", days=["2019-08-26"],
                       quota_per_day=100000, zones=["V"])
    _t, organizer = token_create(role=Role.ORGANIZER, name="ops")
    _d, scanner = device_create(expo=expo, name="s", kind="scanner", gates=["G1", "G-N1"])
    print(json.dumps({"organizer": organizer, "scanner": scanner}))
    """
)


@dataclass
class Served:
    base: str
    port: int
    tokens: dict[str, str]
    database: Path
    process: subprocess.Popen  # `smartexpo serve`


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(
    data: Path, *, env: dict[str, str] | None = None, args=(), world: str = WORLD
) -> Iterator[Served]:
    """A migrated, seeded data dir served by `smartexpo serve --workers 2 --no-mailer`; the
    server's process group is stopped (and killed if it lingers) on the way out. `world` is the
    script that seeds it (WORLD unless given), printing what the tests need as JSON last."""
    environment = {**os.environ, "SMARTEXPO_DATA_DIR": str(data), **(env or {})}
    environment.pop("DATABASE_URL", None)
    environment["DJANGO_SETTINGS_MODULE"] = "smartexpo.settings"
    cli = [sys.executable, "-m", "smartexpo"]
    subprocess.run([*cli, "migrate", "-v0"], env=environment, check=True, timeout=300)
    made = subprocess.run(
        [sys.executable, "-c", world], env=environment, check=True, timeout=300, capture_output=True
    )
    tokens = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "2", "--no-mailer", *args],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/expos", timeout=5).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.pid, 9)
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    try:
        yield Served(base, port, tokens, next(Path(data).glob("*.sqlite3")), server)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, 9)
