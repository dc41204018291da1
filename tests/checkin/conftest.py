"""Check-in fixtures: ticket types with zones, issued tickets, scanner devices."""

from __future__ import annotations

import itertools

import pytest

from smartexpo.devices.services import device_create
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient

SCANS = "/api/v1/expos/test-2019/checkin/scans"
SYNC = "/api/v1/expos/test-2019/checkin/sync"
KEYS = "/api/v1/expos/test-2019/checkin/keys"
_nonces = itertools.count(1)
PRO_DAYS = ("2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29")


def make_types(expo) -> dict:
    """A public day pass (26-27 August, the venue only) and a professional pass (all four
    days, the venue and hall N1), on the shared test edition (gates G1 → venue V, G-N1 → hall
    N1; Asia/Shanghai)."""
    day = ticket_type_create(
        expo=expo,
        code="day",
        name_en="Day pass",
        name_zh="日票",
        days=["2019-08-26", "2019-08-27"],
        quota_per_day=100,
        zones=["V"],
    )
    pro = ticket_type_create(
        expo=expo,
        code="pro",
        name_en="Professional",
        name_zh="专业观众票",
        days=list(PRO_DAYS),
        quota_per_day=5000,
        zones=["V", "N1"],
        all_days=True,
    )
    return {"day": day, "pro": pro}


@pytest.fixture
def types(expo):
    return make_types(expo)


_people = itertools.count(1)


def issue(expo, code="day", days=("2019-08-26", "2019-08-27"), name="Li Wei"):
    """Register someone and return (ticket, secret)."""
    n = next(_people)
    issued = registration_create(
        expo=expo, ticket_type=code, days=list(days), name=name, email=f"p{n}@example.cn"
    )
    return issued.tickets[0], issued.secrets[0]


@pytest.fixture
def ticket(expo, types):
    return issue(expo)


def scanner_client(expo, gates=("G1", "G-N1"), name="Gate scanner") -> ApiClient:
    _device, token = device_create(expo=expo, name=name, kind="scanner", gates=list(gates))
    return ApiClient(token)


@pytest.fixture
def scanner(expo, types):
    return scanner_client(expo)


def scan(client, secret, *, gate="G1", direction="in", at="2019-08-26T10:00:00+08:00", nonce=None):
    body = {
        "secret": secret,
        "gate": gate,
        "direction": direction,
        "nonce": nonce or f"n{next(_nonces)}",
    }
    if at is not None:
        body["scanned_at"] = at
    return client.post(SCANS, body)


def result_of(response) -> tuple[str, str | None]:
    """(result, reason) of a scan's 200 answer."""
    assert response.status_code == 200, response.content
    body = response.json()
    return body["result"], body.get("reason")
