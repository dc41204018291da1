"""Offline admissions synced in batches: recorded always, conflicts answered, idempotent."""

from __future__ import annotations

from smartexpo.checkin.models import Scan
from smartexpo.tickets.issuing import ticket_secret
from smartexpo.tickets.models import Ticket
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from tests.checkin.conftest import PRO_DAYS, SYNC, issue, scan, scanner_client
from tests.conftest import error_of

AT = "2019-08-26T10:00:00+08:00"


def item(secret, nonce, *, gate="G1", direction="in", at=AT):
    return {
        "secret": secret,
        "gate": gate,
        "direction": direction,
        "nonce": nonce,
        "scanned_at": at,
    }


def test_offline_admissions_are_recorded_and_conflicts_answered(scanner, expo, types):
    a = issue(expo)
    b = issue(expo)
    revoked = issue(expo)
    registration_cancel(registration=revoked[0].registration)
    scans = [
        item(a[1], "s1"),
        item(a[1], "s2"),  # the same ticket again: already inside
        item(b[1], "s3", gate="G-N1"),  # a day pass into hall N1
        item(revoked[1], "s4"),
        item(b[1], "s5", at="2019-08-29T10:00:00+08:00"),  # not a day of this pass
        item(a[1], "s6", direction="out"),
        item("garbage", "s7"),
    ]
    response = scanner.post(SYNC, {"scans": scans})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["nonce"] for r in results] == [s["nonce"] for s in scans]
    assert [(r["result"], r.get("reason"), r.get("detail")) for r in results] == [
        ("admit", None, None),
        ("reject", "conflict", {"reason": "already_inside"}),
        ("reject", "conflict", {"reason": "zone_not_allowed"}),
        ("reject", "conflict", {"reason": "revoked"}),
        ("reject", "conflict", {"reason": "wrong_day"}),
        ("admit", None, None),
        ("reject", "invalid", None),
    ]
    assert set(results[0]) == {"nonce", "result"}  # no ticket: the scanner showed it offline
    assert Scan.objects.filter(source="sync").count() == 7
    # Conflicts still move the ticket: b was let in offline (on the 29th, its last scan).
    states = dict(Ticket.objects.values_list("serial", "inside_day"))
    assert str(states[b[0].serial]) == "2019-08-29"
    assert states[a[0].serial] is None  # in, then out
    assert str(states[revoked[0].serial]) == "2019-08-26"


def test_a_gate_the_device_does_not_serve_is_a_conflict_when_synced(expo, types):
    north_only = scanner_client(expo, gates=["G1"])
    _ticket, secret = issue(expo, "pro", days=PRO_DAYS)
    results = north_only.post(SYNC, {"scans": [item(secret, "x", gate="G-N1")]}).json()
    assert results["results"][0]["detail"] == {"reason": "gate_not_allowed"}
    assert results["results"][0]["reason"] == "conflict"


def test_unknown_and_online_state_are_respected(scanner, expo, types):
    from smartexpo.tickets import ticket_secrets as ts
    from smartexpo.tickets.keys import private_key
    from smartexpo.tickets.services.signing_keys import signing_key_active

    key = signing_key_active(expo=expo)
    ghost = ts.sign_secret(
        ts.TicketClaims(serial=77, type_id=types["day"].pk, days=(ts.DAY_ZERO,)),
        kid=key.kid,
        private_key=private_key(record=key),
    )
    _ticket, secret = issue(expo)
    assert scan(scanner, secret).json()["result"] == "admit"  # online first
    results = scanner.post(SYNC, {"scans": [item(ghost, "g"), item(secret, "h")]}).json()
    assert [(r["result"], r["reason"]) for r in results["results"]] == [
        ("reject", "unknown"),
        ("reject", "conflict"),
    ]
    assert results["results"][1]["detail"] == {"reason": "already_inside"}


def test_a_batch_of_5000_with_duplicates_inside_it_and_a_resend(scanner, expo, types):
    rows = [
        {
            "ticket_type": "pro",
            "days": list(PRO_DAYS),
            "name": f"Visitor {n}",
            "email": f"v{n}@example.cn",
        }
        for n in range(4000)
    ]
    result = registrations_bulk_create(expo=expo, rows=rows, source="import")
    assert not result.errors
    tickets = list(Ticket.objects.filter(ticket_type__code="pro").order_by("id"))
    secrets = [ticket_secret(t) for t in tickets]
    scans = [item(s, f"n{i}") for i, s in enumerate(secrets)]
    # 600 repeats of earlier nonces (same body), 400 second entries of earlier tickets.
    scans += [dict(scans[i]) for i in range(600)]
    scans += [item(secrets[i], f"again{i}") for i in range(400)]
    assert len(scans) == 5000
    response = scanner.post(SYNC, {"scans": scans})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 5000
    assert all(r["result"] == "admit" for r in results[:4000])
    assert results[4000:4600] == results[:600]
    assert all(r.get("detail") == {"reason": "already_inside"} for r in results[4600:])
    assert Scan.objects.count() == 4400
    assert Ticket.objects.filter(inside_day__isnull=False).count() == 4000
    again = scanner.post(SYNC, {"scans": scans})
    assert again.json() == response.json()
    assert Scan.objects.count() == 4400


def test_bad_items_are_answered_invalid_and_the_rest_kept(scanner, expo, types):
    _ticket, secret = issue(expo)
    scans = [
        "not an object",
        {"secret": secret, "gate": "G1", "direction": "in"},  # no nonce
        {"secret": secret, "gate": "G1", "direction": "up", "nonce": "bad-direction"},
        item(secret, "good"),
    ]
    results = scanner.post(SYNC, {"scans": scans}).json()["results"]
    assert [r["nonce"] for r in results] == [None, None, "bad-direction", "good"]
    assert [r["reason"] for r in results[:3]] == ["invalid"] * 3
    assert "direction" in results[2]["detail"]["fields"]
    assert results[3]["result"] == "admit"
    assert Scan.objects.count() == 1


def test_oversized_and_malformed_batches_are_refused(scanner, expo, types):
    too_many = {"scans": [item("x", f"n{i}") for i in range(5001)]}
    response = scanner.post(SYNC, too_many)
    assert response.status_code == 422
    assert "scans" in error_of(response)["detail"]["fields"]
    assert scanner.post(SYNC, {"scans": "all of them"}).status_code == 422
    assert scanner.post(SYNC, raw="{").status_code == 400
    assert Scan.objects.count() == 0


def test_sync_is_for_scanner_devices(anonymous, organizer, expo, types):
    assert anonymous.post(SYNC, {"scans": []}).status_code == 401
    assert organizer.post(SYNC, {"scans": []}).status_code == 403


def test_scans_of_several_scanners_are_applied_in_the_order_given(expo, types):
    from smartexpo.checkin.schemas import ScanPayload
    from smartexpo.checkin.services.sync import scans_sync_many
    from smartexpo.devices.auth import Scanner
    from smartexpo.devices.services import device_create

    north, _ = device_create(expo=expo, name="North", kind="scanner", gates=["G1"])
    hall, _ = device_create(expo=expo, name="Hall", kind="scanner", gates=["G1", "G-N1"])
    a = Scanner(north.pk, expo.pk, "North", frozenset({"G1"}))
    b = Scanner(hall.pk, expo.pk, "Hall", frozenset({"G1", "G-N1"}))
    _ticket, secret = issue(expo)
    scans = [
        (a, item(secret, "same")),
        (b, item(secret, "same", direction="out", at="2019-08-26T11:00:00+08:00")),
        (a, item(secret, "again", at="2019-08-26T12:00:00+08:00")),
        (a, item(secret, "same")),  # a repeated nonce of the first scanner
    ]
    results = scans_sync_many(
        expo=expo, items=[(s, ScanPayload.model_validate(scan)) for s, scan in scans]
    )
    assert [(r["nonce"], r["result"]) for r in results] == [
        ("same", "admit"),
        ("same", "admit"),  # the same nonce at another device is another scan
        ("again", "admit"),
        ("same", "admit"),
    ]
    assert Scan.objects.count() == 3
    assert str(Ticket.objects.get().inside_day) == "2019-08-26"
