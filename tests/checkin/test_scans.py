"""Online scans: every reason, day boundaries, nonces, permissions and bad input."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartexpo.checkin.models import Scan
from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.keys import private_key
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.signing_keys import signing_key_active
from tests.checkin.conftest import PRO_DAYS, SCANS, issue, result_of, scan, scanner_client
from tests.conftest import ApiClient, error_of

DAY_ONE = dt.date(2019, 8, 26)


def test_an_entry_is_admitted_with_the_masked_holder_then_refused_as_already_inside(
    scanner, expo, types
):
    ticket, secret = issue(expo, name="Anna Schmidt")
    first = scan(scanner, secret)
    assert first.json() == {
        "result": "admit",
        "ticket": {"serial": ticket.serial, "type": "day", "holder": "A*** S***"},
    }
    assert result_of(scan(scanner, secret, gate="G1")) == ("reject", "already_inside")
    assert "Anna" not in scan(scanner, secret).content.decode()


def test_exit_then_re_entry_and_an_exit_without_entry(scanner, ticket):
    _ticket, secret = ticket
    assert result_of(scan(scanner, secret, direction="out")) == ("reject", "not_inside")
    assert result_of(scan(scanner, secret)) == ("admit", None)
    assert result_of(scan(scanner, secret, direction="out")) == ("admit", None)
    assert result_of(scan(scanner, secret, direction="out")) == ("reject", "not_inside")
    assert result_of(scan(scanner, secret)) == ("admit", None)


def test_a_new_day_starts_outside(scanner, ticket):
    """Nobody scans out at closing time: yesterday's entry does not block today's."""
    _ticket, secret = ticket
    assert result_of(scan(scanner, secret, at="2019-08-26T17:00:00+08:00")) == ("admit", None)
    assert result_of(scan(scanner, secret, at="2019-08-27T09:00:00+08:00")) == ("admit", None)
    out = scan(scanner, secret, direction="out", at="2019-08-28T09:00:00+08:00")
    assert result_of(out) == ("reject", "not_inside")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2019-08-25T23:59:59+08:00", ("reject", "wrong_day")),
        ("2019-08-26T00:00:00+08:00", ("admit", None)),
        ("2019-08-25T16:00:00+00:00", ("admit", None)),  # the same instant in UTC
        ("2019-08-25T15:59:59Z", ("reject", "wrong_day")),
        ("2019-08-27T23:59:59+08:00", ("admit", None)),
        ("2019-08-28T00:00:00+08:00", ("reject", "wrong_day")),
        ("2019-08-27T16:00:00Z", ("reject", "wrong_day")),  # 28 August 00:00 in Chongqing
    ],
)
def test_day_boundaries_are_midnight_in_the_expo_time_zone(scanner, ticket, at, expected):
    _ticket, secret = ticket
    assert result_of(scan(scanner, secret, at=at)) == expected


def test_a_ticket_type_enters_only_the_zones_it_lists(scanner, expo, types):
    _ticket, day_secret = issue(expo, "day")
    _pro, pro_secret = issue(expo, "pro", days=PRO_DAYS)
    assert result_of(scan(scanner, day_secret, gate="G-N1")) == ("reject", "zone_not_allowed")
    assert result_of(scan(scanner, pro_secret, gate="G-N1")) == ("admit", None)
    # The refused entry changed nothing: the day pass can still enter at the venue gate.
    assert result_of(scan(scanner, day_secret, gate="G1")) == ("admit", None)


def test_a_gate_the_device_does_not_serve_is_refused(expo, types, ticket):
    _ticket, secret = ticket
    north_only = scanner_client(expo, gates=["G1"])
    assert result_of(scan(north_only, secret, gate="G-N1")) == ("reject", "gate_not_allowed")
    assert result_of(scan(north_only, secret, gate="NOPE")) == ("reject", "gate_not_allowed")
    assert result_of(scan(north_only, secret, gate="G1")) == ("admit", None)


def test_a_validly_signed_serial_without_a_ticket_is_unknown(scanner, expo, types):
    key = signing_key_active(expo=expo)
    claims = ts.TicketClaims(serial=424242, type_id=types["day"].pk, days=(DAY_ONE,))
    secret = ts.sign_secret(claims, kid=key.kid, private_key=private_key(record=key))
    assert result_of(scan(scanner, secret)) == ("reject", "unknown")


def test_a_ticket_cancelled_a_moment_ago_is_revoked_and_may_still_leave(scanner, ticket):
    ticket_obj, secret = ticket
    assert result_of(scan(scanner, secret)) == ("admit", None)
    registration_cancel(registration=ticket_obj.registration)
    assert result_of(scan(scanner, secret, direction="out")) == ("admit", None)
    refused = scan(scanner, secret)
    assert result_of(refused) == ("reject", "revoked")
    assert refused.json()["ticket"]["serial"] == ticket_obj.serial


def test_reasons_are_checked_in_order(scanner, expo, types):
    """Unknown and revoked outrank the day and zone rules; the day outranks the zone."""
    ticket, secret = issue(expo, "day")
    registration_cancel(registration=ticket.registration)
    assert result_of(scan(scanner, secret, gate="G-N1", at="2019-08-29T10:00:00+08:00")) == (
        "reject",
        "revoked",
    )
    _t, other = issue(expo, "day")
    assert result_of(scan(scanner, other, gate="G-N1", at="2019-08-29T10:00:00+08:00")) == (
        "reject",
        "wrong_day",
    )


def _flip(secret: str, bit: int) -> str:
    raw = bytearray(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)))
    raw[bit // 8] ^= 1 << (bit % 8)
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def _forged(expo, types) -> str:
    """Well-formed and signed, by a key that is not the edition's (same key id)."""
    kid = signing_key_active(expo=expo).kid
    claims = ts.TicketClaims(serial=5, type_id=types["day"].pk, days=(DAY_ONE,))
    return ts.sign_secret(claims, kid=kid, private_key=ts.generate_private_key())


@pytest.mark.parametrize(
    "make",
    [
        lambda s, e, t: s[:-1],  # truncated
        lambda s, e, t: s[:40],
        lambda s, e, t: s + "A",
        lambda s, e, t: s.replace("A", "+", 1) if "A" in s else "+" + s[1:],  # not base64url
        lambda s, e, t: s + "==",  # padded
        lambda s, e, t: "",
        lambda s, e, t: "!!!! not a ticket !!!!",
        lambda s, e, t: "二维码",
        lambda s, e, t: "A" * 5000,
        lambda s, e, t: _flip(s, 0),  # version 0x00
        lambda s, e, t: _flip(s, 9),  # another key id
        lambda s, e, t: _forged(e, t),
    ],
    ids=[
        "truncated",
        "short",
        "extended",
        "plus",
        "padded",
        "empty",
        "garbage",
        "chinese",
        "huge",
        "wrong-version",
        "unknown-kid",
        "forged",
    ],
)
def test_bad_secrets_are_rejected_invalid_and_logged(scanner, expo, types, ticket, make):
    _ticket, secret = ticket
    response = scan(scanner, make(secret, expo, types))
    assert response.json() == {"result": "reject", "reason": "invalid"}
    assert Scan.objects.filter(reason="invalid").count() == 1
    assert Ticket.objects.filter(inside_day__isnull=False).count() == 0


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bit=st.integers(min_value=0, max_value=84 * 8 - 1))
def test_every_single_bit_flip_is_invalid(scanner, ticket, bit):
    _ticket, secret = ticket
    response = scan(scanner, _flip(secret, bit))
    assert response.json() == {"result": "reject", "reason": "invalid"}


def test_a_repeated_nonce_returns_the_first_answer_and_changes_nothing(scanner, expo, types):
    _ticket, secret = issue(expo)
    first = scan(scanner, secret, nonce="lane-3-0001")
    again = scan(scanner, secret, nonce="lane-3-0001")
    assert first.json() == again.json()
    assert first.json()["result"] == "admit"
    # Even with another ticket in the body: the nonce was answered already.
    _other, other_secret = issue(expo)
    assert scan(scanner, other_secret, nonce="lane-3-0001").json() == first.json()
    assert Scan.objects.count() == 1
    # The same nonce from another device is another scan.
    second_device = scanner_client(expo, name="Lane 4")
    assert result_of(scan(second_device, secret, nonce="lane-3-0001")) == (
        "reject",
        "already_inside",
    )


def test_every_scan_is_in_the_log_with_device_gate_time_and_outcome(scanner, expo, ticket):
    ticket_obj, secret = ticket
    scan(scanner, secret, gate="G1", at="2019-08-26T09:30:00+08:00", nonce="a")
    scan(scanner, secret, gate="G1", at="2019-08-26T09:31:00+08:00", nonce="b")
    scan(scanner, "garbage", gate="G1", nonce="c")
    log = list(Scan.objects.order_by("id").select_related("device", "gate", "zone"))
    assert [(s.nonce, s.result, s.reason) for s in log] == [
        ("a", "admit", ""),
        ("b", "reject", "already_inside"),
        ("c", "reject", "invalid"),
    ]
    assert {s.device.name for s in log} == {"Gate scanner"}
    assert log[0].gate.code == "G1" and log[0].zone.code == "V"
    assert log[0].ticket_id == ticket_obj.pk and log[0].serial == ticket_obj.serial
    assert log[0].scanned_at.isoformat() == "2019-08-26T01:30:00+00:00"
    assert log[0].source == "online"


def test_without_scanned_at_the_scan_happens_now(scanner, ticket):
    _ticket, secret = ticket
    # Today is not an expo day of 2019.
    assert result_of(scan(scanner, secret, at=None)) == ("reject", "wrong_day")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gate": "G1", "direction": "in", "nonce": "x"}, "secret"),
        ({"secret": 5, "gate": "G1", "direction": "in", "nonce": "x"}, "secret"),
        ({"secret": "s", "direction": "in", "nonce": "x"}, "gate"),
        ({"secret": "s", "gate": "G1", "direction": "sideways", "nonce": "x"}, "direction"),
        ({"secret": "s", "gate": "G1", "direction": "in"}, "nonce"),
        ({"secret": "s", "gate": "G1", "direction": "in", "nonce": "x" * 65}, "nonce"),
        ({"secret": "s", "gate": "G1", "direction": "in", "nonce": 7}, "nonce"),
        (
            {"secret": "s", "gate": "G1", "direction": "in", "nonce": "x", "scanned_at": "soon"},
            "scanned_at",
        ),
        (
            {
                "secret": "s",
                "gate": "G1",
                "direction": "in",
                "nonce": "x",
                "scanned_at": "2019-08-26T10:00:00",
            },
            "scanned_at",
        ),
    ],
)
def test_bad_scan_bodies_are_422_at_the_field(scanner, body, field):
    response = scanner.post(SCANS, body)
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]
    assert Scan.objects.count() == 0


@pytest.mark.parametrize(("raw", "status"), [("{nope", 400), ("[]", 422), ("", 422)])
def test_a_scan_body_that_is_not_a_json_object_is_refused(scanner, raw, status):
    response = scanner.post(SCANS, raw=raw)
    assert response.status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 401), ("organizer", 403), ("exhibitor", 403), ("device", 403)],
)
def test_only_scanner_devices_scan(ticket, role, status, request):
    """The bare `device` token has no scanner device behind it."""
    _ticket, secret = ticket
    response = scan(request.getfixturevalue(role), secret)
    assert response.status_code == status
    assert error_of(response)["code"] == ("unauthenticated" if status == 401 else "forbidden")


def test_a_scanner_of_another_edition_and_a_sensor_are_refused(other_expo, expo, ticket):
    from smartexpo.devices.services import device_create
    from smartexpo.venue.models import Gate, Zone, ZoneKind

    zone = Zone.objects.create(
        expo=other_expo, code="V", kind=ZoneKind.VENUE, name_en="V", area_m2=1, capacity=1
    )
    Gate.objects.create(expo=other_expo, code="G1", name_en="G1", zone=zone)
    foreign = scanner_client(other_expo, gates=["G1"])
    _ticket, secret = ticket
    assert scan(foreign, secret).status_code == 403
    _sensor, token = device_create(expo=expo, name="Door counter", kind="sensor", zones=["V"])
    assert scan(ApiClient(token), secret).status_code == 403


def test_a_revoked_device_is_refused_at_once(expo, types, ticket, organizer):
    from smartexpo.devices.models import Device

    scanner = scanner_client(expo, name="Lost tablet")
    _ticket, secret = ticket
    assert scan(scanner, secret).status_code == 200
    device = Device.objects.get(name="Lost tablet")
    deleted = organizer.delete(f"/api/v1/expos/test-2019/devices/{device.pk}")
    assert deleted.status_code == 204
    refused = scan(scanner, secret)
    assert refused.status_code == 401
    assert error_of(refused)["code"] == "unauthenticated"


def test_garbage_naming_unknown_keys_and_gates_never_reloads_the_context(
    scanner, expo, types, ticket, monkeypatch
):
    from smartexpo.checkin import context

    _ticket, secret = ticket
    assert result_of(scan(scanner, secret)) == ("admit", None)
    loads = []
    real = context._load
    monkeypatch.setattr(context._contexts, "_load", lambda e: loads.append(1) or real(e))
    for n in range(20):
        assert result_of(scan(scanner, _flip(secret, 9), nonce=f"kid{n}"))[1] == "invalid"
        assert result_of(scan(scanner, secret, gate="NOPE", nonce=f"g{n}"))[1] == (
            "gate_not_allowed"
        )
    # The catalogue stamp has not moved, so the context in memory is the truth: a key id or a
    # gate it lacks does not exist, in this process or any other.
    assert loads == []


def test_tickets_signed_before_and_after_a_key_rotation_both_scan(scanner, expo, types):
    from smartexpo.tickets.services.signing_keys import signing_key_rotate

    _old, old_secret = issue(expo)
    assert result_of(scan(scanner, old_secret)) == ("admit", None)
    signing_key_rotate(expo=expo)
    _new, new_secret = issue(expo)
    assert ts.parse_secret(new_secret).kid == ts.parse_secret(old_secret).kid + 1
    assert result_of(scan(scanner, new_secret)) == ("admit", None)
    assert result_of(scan(scanner, old_secret, direction="out")) == ("admit", None)
