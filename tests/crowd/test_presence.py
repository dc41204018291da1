"""One model of presence: gate admissions and exits move the zone behind the gate, beside the
sensors' counts, in the same occupancy."""

from __future__ import annotations

from smartexpo.crowd.models import PendingMovement
from tests.checkin.conftest import PRO_DAYS, SYNC, issue, scan
from tests.crowd.conftest import counts, ev, post

AT = "2019-08-26T10:00:00+08:00"
LATER = "2019-08-26T10:30:00+08:00"


def item(secret, nonce, *, gate="G1", direction="in", at=AT):
    return {
        "secret": secret,
        "gate": gate,
        "direction": direction,
        "nonce": nonce,
        "scanned_at": at,
    }


def test_an_admission_and_an_exit_move_the_gates_zone(scanner, expo, organizer):
    _ticket, secret = issue(expo)
    assert scan(scanner, secret, at=AT).json()["result"] == "admit"
    assert counts(organizer, LATER)["V"]["count"] == 1
    assert (
        scan(scanner, secret, direction="out", at="2019-08-26T11:00:00+08:00").json()["result"]
        == "admit"
    )
    assert counts(organizer, LATER)["V"]["count"] == 1  # the exit is later than LATER
    assert counts(organizer, "2019-08-26T11:00:00+08:00")["V"]["count"] == 0


def test_a_refused_scan_moves_nobody(scanner, expo, organizer, types):
    _ticket, secret = issue(expo)
    scan(scanner, secret, at=AT)
    assert scan(scanner, secret, at=AT).json()["reason"] == "already_inside"
    assert scan(scanner, secret, gate="G-N1", at=AT).json()["reason"] == "zone_not_allowed"
    assert scan(scanner, "garbage", at=AT).json()["reason"] == "invalid"
    assert PendingMovement.objects.count() == 1
    zones = counts(organizer, LATER)
    assert (zones["V"]["count"], zones["N1"]["count"]) == (1, 0)


def test_a_repeated_nonce_is_one_movement(scanner, expo, organizer):
    _ticket, secret = issue(expo)
    scan(scanner, secret, at=AT, nonce="same")
    scan(scanner, secret, at=AT, nonce="same")
    assert counts(organizer, LATER)["V"]["count"] == 1


def test_synced_admissions_and_conflicts_both_move_people(scanner, expo, organizer):
    a, b, c = issue(expo), issue(expo), issue(expo)
    response = scanner.post(
        SYNC,
        {
            "scans": [
                item(a[1], "s1"),
                item(a[1], "s2"),  # conflict: already inside, but somebody went through
                item(b[1], "s3", gate="G-N1"),  # conflict: a day pass into hall N1
                item(c[1], "s4", gate="NOPE"),  # no such gate: no zone to count in
                item("garbage", "s5"),
            ]
        },
    )
    reasons = [r.get("reason") for r in response.json()["results"]]
    assert reasons == [None, "conflict", "conflict", "conflict", "invalid"]
    zones = counts(organizer, LATER)
    assert (zones["V"]["count"], zones["N1"]["count"]) == (2, 1)
    # Sent again, the batch changes nothing.
    scanner.post(SYNC, {"scans": [item(a[1], "s1"), item(a[1], "s2")]})
    assert counts(organizer, LATER)["V"]["count"] == 2


def test_gates_and_sensors_add_up_in_one_count(scanner, expo, organizer, all_zones_sensor):
    _ticket, pro_secret = issue(expo, code="pro", days=PRO_DAYS)
    assert scan(scanner, pro_secret, gate="G-N1", at=AT).json()["result"] == "admit"
    post(all_zones_sensor, [ev("N1", "enter", "2019-08-26T10:10:00+08:00", 4)])
    post(all_zones_sensor, [ev("N1", "exit", "2019-08-26T10:20:00+08:00", 2)])
    assert counts(organizer, LATER)["N1"]["count"] == 3


def test_admissions_count_each_ticket_once_among_the_days_distinct_visitors(
    scanner, expo, organizer
):
    from tests.crowd.conftest import FOOTFALL

    (_t1, one), (_t2, two) = issue(expo), issue(expo)
    scan(scanner, one, at=AT)
    scan(scanner, one, direction="out", at="2019-08-26T11:00:00+08:00")
    scan(scanner, one, at="2019-08-26T12:00:00+08:00")  # back in: a second visit
    # The other ticket through the offline sync.
    scanner.post(SYNC, {"scans": [item(two, "s1", at="2019-08-26T12:30:00+08:00")]})
    # Entries carry their ticket's hash (the same one each time), exits nobody's.
    queued = list(PendingMovement.objects.order_by("at_us").values_list("delta", "visitor"))
    assert [d for d, _v in queued] == [1, -1, 1, 1]
    assert queued[0][1] == queued[2][1] != queued[3][1] and queued[1][1] is None
    footfall = organizer.get(FOOTFALL, {"day": "2019-08-26", "kind": "venue"}).json()
    venue = {i["zone"]: i for i in footfall["items"]}["V"]
    assert (venue["visits"], venue["unique_visitors"]) == (3, 2)
