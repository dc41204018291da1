"""A change made in one process is seen by every other process on its next request.

`smartexpo serve --workers 2` on a SQLite database of its own: the organiser changes the
catalogue through one worker (or with plain SQL from this test's process, a third one), and
every request right after, each on a new connection so that both workers answer, must see it.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs its own server on SQLite; the PostgreSQL run covers the stamps in-process",
)

WORLD = textwrap.dedent(
    """
    import datetime as dt, json
    import django
    django.setup()
    from smartexpo.checkin.devices import device_create
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.tickets.services import ticket_type_create
    from smartexpo.venue.models import Expo, Gate, Zone

    expo = Expo.objects.create(
        slug="x-2019", name_en="X", starts_on=dt.date(2019, 8, 26), ends_on=dt.date(2019, 8, 29)
    )
    venue = Zone.objects.create(expo=expo, code="V", kind="venue", name_en="V", area_m2=5000,
                                capacity=3000)
    hall = Zone.objects.create(expo=expo, code="N1", kind="hall", name_en="N1", area_m2=1000,
                               capacity=500)
    Gate.objects.create(expo=expo, code="G1", name_en="G1", zone=venue)
    Gate.objects.create(expo=expo, code="G-N1", name_en="G-N1", zone=hall)
    ticket_type_create(expo=expo, code="day", name_en="Day", days=["2019-08-26"],
                       quota_per_day=100, zones=["V"])
    _t, organizer = token_create(role=Role.ORGANIZER, name="ops")
    _d, scanner = device_create(expo=expo, name="s", kind="scanner", gates=["G1", "G-N1"])
    print(json.dumps({"organizer": organizer, "scanner": scanner}))
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Requests to the server, each on a new connection (granian keeps a connection on the
    worker that accepted it; new ones are spread over both)."""

    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body=None, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Connection", "close")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data = tmp_path_factory.mktemp("stamps")
    env = {**os.environ, "SMARTEXPO_DATA_DIR": str(data), "SMARTEXPO_RATE_LIMIT_REGISTRATIONS": "0"}
    env.pop("DATABASE_URL", None)
    env["DJANGO_SETTINGS_MODULE"] = "smartexpo.settings"
    cli = [sys.executable, "-m", "smartexpo"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True, timeout=180)
    made = subprocess.run(
        [sys.executable, "-c", WORLD], env=env, check=True, timeout=120, capture_output=True
    )
    tokens = json.loads(made.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "2", "--no-mailer", "--no-folder"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = Server(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    while True:
        try:
            client.call("GET", "/api/v1/expos")
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("the server did not start")
            time.sleep(0.2)
    try:
        yield client, tokens, next(Path(data).glob("*.sqlite3"))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)


def _garbage(secret: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)))
    raw[1] ^= 0x7F  # a key id the edition does not have
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_a_ticket_type_made_through_one_worker_admits_at_once_on_both(served):
    client, tokens, _db = served
    scans = "/api/v1/expos/x-2019/checkin/scans"
    nonce = iter(range(10**6))
    for round_ in range(6):
        code = f"t{round_}"
        status, body = client.call(
            "POST",
            "/api/v1/expos/x-2019/registrations",
            {"ticket_type": "day", "days": ["2019-08-26"], "name": "G", "email": "g@x.cn"},
        )
        assert status == 201, body
        # Garbage naming an unknown key: the old context reloaded itself on it, then ignored
        # the next second's changes.
        for _ in range(4):
            garbage = {"secret": _garbage(body["tickets"][0]["secret"]), "gate": "G1"}
            status, answer = client.call(
                "POST",
                scans,
                {**garbage, "direction": "in", "nonce": f"x{next(nonce)}"},
                tokens["scanner"],
            )
            assert answer["reason"] == "invalid"
        created = {
            "code": code,
            "name": {"en": code, "zh": code},
            "days": ["2019-08-26"],
            "quota_per_day": 10,
            "zones": ["V", "N1"],
        }
        status, body = client.call(
            "POST", "/api/v1/expos/x-2019/ticket-types", created, tokens["organizer"]
        )
        assert status == 201, body
        status, body = client.call(
            "POST",
            "/api/v1/expos/x-2019/registrations",
            {"ticket_type": code, "days": ["2019-08-26"], "name": "V", "email": "v@x.cn"},
        )
        assert status == 201, body
        secret = body["tickets"][0]["secret"]
        for direction in ("in", "out") * 3:
            scan = {"secret": secret, "gate": "G-N1", "direction": direction}
            scan.update(nonce=f"n{next(nonce)}", scanned_at="2019-08-26T10:00:00+08:00")
            status, answer = client.call("POST", scans, scan, tokens["scanner"])
            assert answer["result"] == "admit", (round_, direction, answer)
            assert answer["ticket"]["type"] == code


def test_a_capacity_changed_with_plain_sql_by_a_third_process_is_in_every_next_answer(served):
    client, tokens, database = served
    occupancy = "/api/v1/expos/x-2019/venue/occupancy"
    for capacity in (480, 470, 460, 450):
        client.call("GET", occupancy, token=tokens["organizer"])  # both workers cache a table
        client.call("GET", occupancy, token=tokens["organizer"])
        with sqlite3.connect(database, timeout=30) as db:
            db.execute("UPDATE venue_zone SET capacity = ? WHERE code = 'N1'", (capacity,))
        for _ in range(4):
            status, body = client.call("GET", occupancy, token=tokens["organizer"])
            assert status == 200
            assert {z["zone"]: z["capacity"] for z in body["zones"]}["N1"] == capacity
