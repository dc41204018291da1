"""The offline verifier: the server's decisions from the keys package and the set-up alone."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartexpo.checkin.offline import OfflineScanner
from smartexpo.checkin.rules import ScanFacts, TicketFacts, TicketState, decide, scan_day
from tests.checkin.conftest import KEYS, PRO_DAYS, issue, scan, scanner_client

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.fixture
def offline(expo, types):
    client = scanner_client(expo, gates=["G1", "G-N1"])
    setup = client.get("/api/v1/expos/test-2019/checkin/setup").json()
    package = client.get(KEYS).json()
    return client, OfflineScanner(package, setup), setup


def test_offline_decisions_match_the_server_for_every_rule(offline, expo, types):
    client, scanner, _setup = offline
    day = issue(expo, "day")
    pro = issue(expo, "pro", days=PRO_DAYS)
    cases = [
        (day[1], "G1", "in", "2019-08-26T10:00:00+08:00"),
        (day[1], "G1", "in", "2019-08-26T10:01:00+08:00"),  # already inside
        (day[1], "G1", "out", "2019-08-26T12:00:00+08:00"),
        (day[1], "G1", "out", "2019-08-26T12:01:00+08:00"),  # not inside
        (day[1], "G-N1", "in", "2019-08-26T13:00:00+08:00"),  # zone
        (day[1], "G1", "in", "2019-08-28T00:00:00+08:00"),  # wrong day
        (pro[1], "G-N1", "in", "2019-08-29T23:59:59+08:00"),
        (pro[1], "G9", "in", "2019-08-29T10:00:00+08:00"),  # gate
        ("forged" + day[1][6:], "G1", "in", "2019-08-26T10:00:00+08:00"),
    ]
    for secret, gate, direction, when in cases:
        online = scan(client, secret, gate=gate, direction=direction, at=when).json()
        local = scanner.scan(secret, gate=gate, direction=direction, at=at(when))
        assert (local.result, local.reason) == (online["result"], online.get("reason")), (
            gate,
            direction,
            when,
        )


def test_a_revocation_is_known_offline_after_a_keys_refresh(offline, expo, types):
    from smartexpo.tickets.services.cancellation import registration_cancel

    client, scanner, _setup = offline
    ticket, secret = issue(expo)
    registration_cancel(registration=ticket.registration)
    assert scanner.scan(secret, gate="G1", direction="in", at=at("2019-08-26T10:00:00+08:00"))
    assert (
        scanner.scan(secret, gate="G1", direction="in", at=at("2019-08-26T10:00:00+08:00")).reason
        == "already_inside"
    )
    scanner.apply_keys(client.get(KEYS, {"since": scanner.generated_at}).json(), incremental=True)
    assert ticket.serial in scanner.revoked
    verdict = scanner.scan(secret, gate="G1", direction="in", at=at("2019-08-27T10:00:00+08:00"))
    assert (verdict.result, verdict.reason) == ("reject", "revoked")


def test_a_full_package_replaces_the_list_and_an_incremental_one_adds(offline):
    _client, scanner, _setup = offline
    scanner.apply_keys({"keys": [], "revoked": [1, 2]})
    scanner.apply_keys({"keys": [], "revoked": [3]}, incremental=True)
    assert scanner.revoked == {1, 2, 3}
    scanner.apply_keys({"keys": [], "revoked": [4]})
    assert scanner.revoked == {4}


@given(
    seconds=st.integers(min_value=-3 * 86400, max_value=3 * 86400),
)
def test_scan_day_is_the_local_date_whatever_the_offset(seconds):
    instant = dt.datetime(2019, 8, 26, tzinfo=SHANGHAI) + dt.timedelta(seconds=seconds)
    for zone in (dt.UTC, ZoneInfo("America/New_York"), SHANGHAI):
        assert scan_day(instant.astimezone(zone), SHANGHAI) == instant.astimezone(SHANGHAI).date()


def test_scan_day_refuses_a_naive_time():
    with pytest.raises(ValueError, match="offset"):
        scan_day(dt.datetime(2019, 8, 26, 10), SHANGHAI)


def test_the_day_and_zone_rules_at_their_edges():
    day = dt.date(2019, 8, 26)
    ticket = TicketFacts(True, (day,), frozenset({"V"}))
    outside = TicketState(True, False, None)

    def entry(ticket, on, zone):
        return decide(ticket, ScanFacts("in", on, True, zone), outside)

    assert entry(ticket, day, "V") is None
    assert entry(ticket, dt.date(2019, 8, 27), "V") == "wrong_day"
    assert entry(ticket, day, "N1") == "zone_not_allowed"
    assert entry(TicketFacts(True, (day,)), day, "V") == "zone_not_allowed"  # a type not known
    assert entry(ticket, day, None) == "zone_not_allowed"


def test_the_offline_module_needs_no_django():
    """A scanner app ships it with `cryptography` only: importing it must not import Django."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["django"] = None  # any `import django…` now fails
        from smartexpo.checkin.offline import OfflineScanner
        assert not any(m.startswith("django") and sys.modules[m] for m in sys.modules)
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.stdout.strip() == "ok", done.stderr
    assert OfflineScanner
