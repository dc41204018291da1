"""Per-process caches never change an answer: a change made anywhere is seen by the next request.

Every change below is made the way another process would make it, without telling this
process's caches: through the ORM or plain SQL. Only the catalogue stamp, moved by the
database's triggers, can tell the caches; the next request must still answer as the database
says.
"""

from __future__ import annotations

import pytest
from django.db import connection

from smartexpo.core.stamps import CATALOGUE, stamp_read
from smartexpo.devices.models import Device
from smartexpo.devices.services import device_create
from smartexpo.exhibitors.models import Tag
from smartexpo.tickets.models import DayQuota, TicketType
from smartexpo.tickets.services.registration import registration_create
from smartexpo.tickets.services.signing_keys import signing_key_rotate
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.ticket_secrets import parse_secret
from smartexpo.venue.models import Expo, Gate, Zone
from tests.checkin.conftest import issue, make_types, result_of, scan, scanner_client
from tests.conftest import ApiClient, error_of

REGISTER = "/api/v1/expos/test-2019/registrations"
OCCUPANCY = "/api/v1/expos/test-2019/venue/occupancy"


@pytest.fixture
def types(expo):
    return make_types(expo)


@pytest.fixture
def scanner(expo, types):
    return scanner_client(expo)


def _flip_kid(secret: str) -> str:
    """A secret whose key id names no key of the edition (garbage a gate sees all the time)."""
    import base64

    raw = bytearray(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)))
    raw[1] ^= 0x7F
    return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


def test_a_ticket_of_a_type_made_a_moment_ago_is_admitted_though_garbage_just_reloaded_the_context(
    expo, types, scanner
):
    """The defect: a scan naming an unknown key id reloaded the context; a type created in the
    next second was then unknown to it, and its tickets were refused `zone_not_allowed`."""
    _ticket, secret = issue(expo)
    assert result_of(scan(scanner, _flip_kid(secret)))[1] == "invalid"
    ticket_type_create(
        expo=expo,
        code="vip",
        name_en="VIP",
        days=["2019-08-26"],
        quota_per_day=10,
        zones=["V", "N1"],
    )
    _vip, vip_secret = issue(expo, code="vip", days=["2019-08-26"])
    answer = scan(scanner, vip_secret).json()
    assert answer["result"] == "admit"
    assert answer["ticket"]["type"] == "vip"


def test_a_zone_added_to_a_ticket_type_elsewhere_admits_at_the_next_scan(expo, types, scanner):
    _ticket, secret = issue(expo)  # the day pass admits to the venue only
    assert result_of(scan(scanner, secret, gate="G-N1"))[1] == "zone_not_allowed"
    types["day"].zones.add(Zone.objects.get(expo=expo, code="N1"))
    assert result_of(scan(scanner, secret, gate="G-N1")) == ("admit", None)


def test_a_zone_taken_from_a_ticket_type_elsewhere_refuses_at_the_next_scan(expo, types, scanner):
    """A stale cache must not admit either."""
    _pro, secret = issue(
        expo, code="pro", days=["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]
    )
    assert result_of(scan(scanner, secret, gate="G1")) == ("admit", None)
    types["pro"].zones.remove(Zone.objects.get(expo=expo, code="N1"))
    assert result_of(scan(scanner, secret, gate="G-N1"))[1] == "zone_not_allowed"


def test_a_gate_added_to_a_scanner_elsewhere_serves_at_the_next_scan(expo, types):
    client = scanner_client(expo, gates=("G1",), name="One-gate scanner")
    _ticket, secret = issue(
        expo, code="pro", days=["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]
    )
    assert result_of(scan(client, secret, gate="G-N1"))[1] == "gate_not_allowed"
    # The many-to-many row alone, as a shell or another server might add it: no service ran.
    Device.objects.get(name="One-gate scanner").gates.add(Gate.objects.get(expo=expo, code="G-N1"))
    assert result_of(scan(client, secret, gate="G-N1")) == ("admit", None)


def test_a_gate_created_elsewhere_admits_at_the_next_scan(expo, types, scanner):
    _ticket, secret = issue(expo)
    assert result_of(scan(scanner, secret, gate="G2"))[1] == "gate_not_allowed"
    gate = Gate.objects.create(
        expo=expo, code="G2", name_en="South gate", zone=Zone.objects.get(expo=expo, code="V")
    )
    Device.objects.get(name="Gate scanner").gates.add(gate)
    assert result_of(scan(scanner, secret, gate="G2")) == ("admit", None)


def test_a_key_rotated_elsewhere_signs_the_next_registration_and_its_ticket_scans(
    expo, types, scanner
):
    _old, old_secret = issue(expo)
    signing_key_rotate(expo=expo)
    _new, new_secret = issue(expo)
    assert parse_secret(new_secret).kid == parse_secret(old_secret).kid + 1
    assert result_of(scan(scanner, new_secret)) == ("admit", None)


def test_a_day_and_a_tag_added_elsewhere_are_accepted_by_the_next_registration(expo, types):
    anonymous = ApiClient()
    body = {
        "ticket_type": "day",
        "days": ["2019-08-28"],
        "name": "Zhang San",
        "email": "zs@example.cn",
        "interests": ["robots"],
    }
    refused = anonymous.post(REGISTER, body)
    assert refused.status_code == 422
    assert set(error_of(refused)["detail"]["fields"]) == {"days", "interests"}
    DayQuota.objects.create(ticket_type=types["day"], day="2019-08-28", size=5)
    Tag.objects.create(code="robots", name_en="Robots", name_zh="机器人")
    assert anonymous.post(REGISTER, body).status_code == 201


def test_a_quota_shrunk_elsewhere_is_never_exceeded(expo, types):
    DayQuota.objects.filter(ticket_type=types["day"]).update(size=1)
    issue(expo, days=["2019-08-26"])
    with pytest.raises(Exception, match="No places left"):
        registration_create(
            expo=expo, ticket_type="day", days=["2019-08-26"], name="Late", email="l@example.cn"
        )


def test_an_edition_unpublished_elsewhere_stops_registering_at_once(expo, types):
    anonymous = ApiClient()
    body = {"ticket_type": "day", "days": ["2019-08-26"], "name": "A", "email": "a@example.cn"}
    assert anonymous.post(REGISTER, body).status_code == 201
    Expo.objects.filter(pk=expo.pk).update(is_published=False)
    assert anonymous.post(REGISTER, body).status_code == 404


def test_a_capacity_changed_by_plain_sql_shows_in_the_next_occupancy(expo, organizer):
    def capacity_of_n1():
        zones = organizer.get(OCCUPANCY).json()["zones"]
        return next(z["capacity"] for z in zones if z["zone"] == "N1")

    assert capacity_of_n1() == 500
    with connection.cursor() as cursor:
        cursor.execute("UPDATE venue_zone SET capacity = 450 WHERE code = 'N1'")
    assert capacity_of_n1() == 450


def test_a_zone_created_elsewhere_is_listed_and_accepts_sensor_events_at_once(expo, organizer):
    listed = {z["zone"] for z in organizer.get(OCCUPANCY).json()["zones"]}
    assert "N2" not in listed
    _device, token = device_create(expo=expo, name="All doors", kind="sensor", zones=["N1"])
    Zone.objects.create(
        expo=expo, code="N2", kind="hall", name_en="Hall N2", area_m2=800, capacity=400
    )
    Device.objects.get(name="All doors").zones.add(Zone.objects.get(expo=expo, code="N2"))
    event = {"id": "e1", "zone": "N2", "kind": "enter", "at": "2019-08-26T10:00:00+08:00"}
    answer = ApiClient(token).post("/api/v1/expos/test-2019/venue/events", {"events": [event]})
    assert answer.json()["accepted"] == 1
    assert "N2" in {z["zone"] for z in organizer.get(OCCUPANCY).json()["zones"]}


# --- the stamp itself ------------------------------------------------------------------------


CHANGES = {
    "an edition": lambda expo, types: Expo.objects.filter(pk=expo.pk).update(closes_at="19:00"),
    "a zone": lambda expo, types: Zone.objects.filter(expo=expo, code="N1").update(capacity=1),
    "a gate": lambda expo, types: Gate.objects.filter(code="G1").update(name_en="Gate one"),
    "a ticket type": lambda expo, types: TicketType.objects.filter(code="day").update(name_en="D"),
    "a ticket type's zones": lambda expo, types: types["day"].zones.clear(),
    "a day's quota": lambda expo, types: DayQuota.objects.filter(ticket_type=types["day"]).update(
        size=7
    ),
    "a new day": lambda expo, types: DayQuota.objects.create(
        ticket_type=types["day"], day="2019-08-29", size=3
    ),
    "a deleted day": lambda expo, types: DayQuota.objects.filter(
        ticket_type=types["day"], day="2019-08-27"
    ).delete(),
    "a signing key": lambda expo, types: signing_key_rotate(expo=expo),
    "a tag": lambda expo, types: Tag.objects.filter(code="ai").update(name_en="AI"),
    "a device's gates": lambda expo, types: device_create(
        expo=expo, name="New scanner", kind="scanner", gates=["G1"]
    ),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_behind_a_cache_moves_the_catalogue_stamp(expo, types, change):
    issue(expo)  # makes the edition's first signing key
    before = stamp_read(CATALOGUE)
    CHANGES[change](expo, types)
    assert stamp_read(CATALOGUE) not in (None, before)


def test_places_taken_and_given_back_do_not_move_the_stamp(expo, types):
    """A registration updates a quota's `sold` on every request: a stamp moved by it would
    reload every cache on every request."""
    issue(expo)
    before = stamp_read(CATALOGUE)
    ticket, _secret = issue(expo)
    from smartexpo.tickets.services.cancellation import registration_cancel

    registration_cancel(registration=ticket.registration)
    assert stamp_read(CATALOGUE) == before
