"""A change made in one process is seen by every other process on its next request.

`smartexpo serve --workers 2` on a SQLite database of its own: the organiser changes the
catalogue through one worker (or with plain SQL from this test's process, a third one), and
every request right after, each on a new connection so that both workers answer, must see it.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import urllib.error
import urllib.request

import pytest

from tests import live_server

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="runs its own server on SQLite; the PostgreSQL run covers the stamps in-process",
)


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
    env = {"SMARTEXPO_RATE_LIMIT_REGISTRATIONS": "0", "SMARTEXPO_RATE_LIMIT_REQUESTS": "0"}
    with live_server.served(tmp_path_factory.mktemp("stamps"), env=env, args=["--no-folder"]) as s:
        yield Server(s.base), s.tokens, s.database


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
