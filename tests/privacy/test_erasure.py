"""A person erases their data: what names them goes, their tickets are revoked and their places
freed, and what the expo counted — tickets, admissions, occupancy — stays as it was."""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.request

import pytest
from django.core import mail
from django.test import Client

from smartexpo.checkin.models import Scan
from smartexpo.core.models import AuditEntry
from smartexpo.crowd.models import OccupancyFrame, OccupancyMinute, PendingMovement, ZoneDay
from smartexpo.tickets.issuing import manage_digest
from smartexpo.tickets.models import (
    DayQuota,
    IdempotencyRecord,
    Invitation,
    PassGrant,
    Registration,
    Ticket,
    TicketDay,
    WaitlistEntry,
)
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.confirmations import confirmations_send
from smartexpo.tickets.services.restricted import (
    invitations_create,
    pass_grant_set,
    staff_pass_issue,
)
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.services.waitlist import offer_token, waitlist_join
from tests.checkin.conftest import scan, scanner_client
from tests.conftest import ApiClient, error_of
from tests.crowd.conftest import counts
from tests.privacy.conftest import KEYS, REGS, erase_url, export_url, register, resident_id

ERASED_FIELDS = ("name", "email", "id_type", "id_hash", "id_masked")


def erase(client, person_or_pk):
    pk = getattr(person_or_pk, "pk", person_or_pk)
    response = client.post(erase_url(pk))
    assert response.status_code == 200, response.content
    return response.json()


def test_erasure_answers_with_the_registration_its_status_and_when(person, holder):
    body = erase(holder, person)
    assert set(body) == {"id", "status", "erased_at"}
    assert (body["id"], body["status"]) == (person.pk, "cancelled")
    erased_at = Registration.objects.get(pk=person.pk).erased_at
    assert dt.datetime.fromisoformat(body["erased_at"]) - erased_at < dt.timedelta(milliseconds=1)


def test_erasure_removes_every_personal_field(person, holder):
    before = Registration.objects.get(pk=person.pk)
    assert all(getattr(before, f) for f in ERASED_FIELDS)
    erase(holder, person)
    after = Registration.objects.get(pk=person.pk)
    assert {f: getattr(after, f) for f in ERASED_FIELDS} == dict.fromkeys(ERASED_FIELDS, "")
    assert after.interests == []
    assert after.erased_at is not None
    assert set(TicketDay.objects.values_list("id_hash", flat=True)) == {""}


def test_the_manage_token_is_refused_after_erasure(expo, person, holder):
    erase(holder, person)
    response = holder.get(f"{REGS}/{person.pk}")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert holder.post(erase_url(person.pk)).status_code == 401
    assert Client().get(f"/expos/test-2019/my/{person.token}/").status_code == 404
    after = Registration.objects.get(pk=person.pk)
    # Unusable, and still unique: neither the old digest nor one the server can derive.
    assert after.manage_digest != manage_digest(person.token)
    assert len(after.manage_digest) == 64
    assert after.manage_nonce == ""


def test_erasure_revokes_the_tickets_for_offline_scanners_too(person, holder, organizer):
    assert person.serial not in organizer.get(KEYS).json()["revoked"]
    erase(holder, person)
    assert organizer.get(KEYS).json()["revoked"] == [person.serial]
    assert Ticket.objects.get(serial=person.serial).status == "revoked"


def test_a_revoked_ticket_is_refused_at_the_gate_after_erasure(expo, person, holder):
    erase(holder, person)
    answer = scan(scanner_client(expo), person.secret).json()
    assert (answer["result"], answer["reason"]) == ("reject", "revoked")


def _sold() -> dict:
    return {
        (q.ticket_type.code, q.day.isoformat()): q.sold
        for q in DayQuota.objects.select_related("ticket_type")
    }


def test_erasure_returns_the_places_and_sold_stays_the_tickets_holding_places(
    person, somebody_else, holder
):
    assert _sold()[("day", "2019-08-26")] == 2
    erase(holder, person)
    sold = _sold()
    assert (sold[("day", "2019-08-26")], sold[("day", "2019-08-27")]) == (1, 0)
    for (code, day), count in sold.items():
        holding = TicketDay.objects.filter(
            valid=True, day=day, ticket__ticket_type__code=code
        ).count()
        assert count == holding, (code, day)


def _history() -> dict:
    """Every row of the check-in log and the occupancy history, as stored."""

    def rows(model):
        return [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.order_by("pk").values_list()
        ]

    return {
        m.__name__: rows(m)
        for m in (Scan, PendingMovement, OccupancyMinute, OccupancyFrame, ZoneDay)
    }


def test_the_check_in_log_movements_and_occupancy_stay_identical(expo, person, holder, organizer):
    scanner = scanner_client(expo)
    assert scan(scanner, person.secret, at="2019-08-26T10:00:00+08:00").json()["result"] == "admit"
    at = "2019-08-26T11:00:00+08:00"
    occupancy = organizer.get("/api/v1/expos/test-2019/venue/occupancy", {"at": at}).json()
    assert counts(organizer, at)["V"]["count"] == 1
    history = _history()
    tickets = Ticket.objects.count()
    erase(holder, person)
    assert organizer.get("/api/v1/expos/test-2019/venue/occupancy", {"at": at}).json() == occupancy
    assert _history() == history
    assert Ticket.objects.count() == tickets
    assert Scan.objects.get().ticket_id == Ticket.objects.get(serial=person.serial).pk


def test_erasing_twice_is_harmless(person, holder, organizer):
    first = erase(holder, person)
    again = erase(organizer, person)
    assert again == first
    assert AuditEntry.objects.filter(action="personal_data.erase").count() == 1
    assert Registration.objects.get(pk=person.pk).status == "cancelled"


def test_an_erased_registration_is_sent_no_confirmation_email(person, holder):
    erase(holder, person)
    assert confirmations_send() == 0
    assert mail.outbox == []


def test_a_declined_request_erased_before_its_email_is_not_told(expo, types, organizer):
    ticket_type_create(
        expo=expo,
        code="press",
        name_en="Press",
        days=["2019-08-26"],
        quota_per_day=5,
        access="approval",
    )
    press = register(expo, code="press", days=["2019-08-26"])
    assert organizer.post(f"{REGS}/{press.pk}/decline").status_code == 200
    erase(organizer, press)
    assert Registration.objects.get(pk=press.pk).status == "declined"
    assert confirmations_send() == 0


def test_erasing_a_request_awaiting_approval_withdraws_it(expo, types, organizer):
    ticket_type_create(
        expo=expo,
        code="press",
        name_en="Press",
        days=["2019-08-26"],
        quota_per_day=5,
        access="approval",
    )
    press = register(expo, code="press", days=["2019-08-26"])
    erase(press.client, press)
    assert Registration.objects.get(pk=press.pk).status == "cancelled"
    response = organizer.post(f"{REGS}/{press.pk}/approve")
    assert error_of(response)["code"] == "not_pending"


def test_erasure_gives_back_the_invitation_use_and_the_staff_pass(expo, types, organizer):
    for code, access in (("vip", "invitation"), ("crew", "exhibitor")):
        ticket_type_create(
            expo=expo, code=code, name_en=code, days=["2019-08-26"], quota_per_day=5, access=access
        )
    (invitation,) = invitations_create(expo=expo, ticket_type="vip")
    guest = register(expo, code="vip", days=["2019-08-26"], invitation=invitation.code)
    huawei = expo.test_exhibitors["huawei"]
    grant = pass_grant_set(exhibitor=huawei, ticket_type="crew", passes=3)
    crew = staff_pass_issue(
        exhibitor=huawei, name="Staff One", email="s1@huawei.example", id_number=resident_id()
    )
    assert (Invitation.objects.get().uses, PassGrant.objects.get().used) == (1, 1)
    erase(guest.client, guest)
    erase(organizer, crew.registration.pk)
    assert (Invitation.objects.get().uses, PassGrant.objects.get(pk=grant.pk).used) == (0, 0)


@pytest.fixture
def tiny(expo, types):
    """A one-place type on the 28th: full as soon as somebody registers."""
    return ticket_type_create(
        expo=expo, code="tiny", name_en="Tiny", days=["2019-08-28"], quota_per_day=1
    )


def test_a_freed_place_goes_to_the_first_waiting(expo, tiny):
    holder_of_place = register(expo, code="tiny", days=["2019-08-28"])
    waiting = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="W", email="w@example.cn"
    )
    erase(holder_of_place.client, holder_of_place)
    assert WaitlistEntry.objects.get(pk=waiting.pk).status == "offered"
    assert DayQuota.objects.get(ticket_type=tiny).sold == 1  # held for the one offered


def test_the_persons_waiting_list_entries_are_anonymised_and_leave_the_list(
    expo, tiny, person, holder
):
    register(expo, name="First", email="first@example.cn", code="tiny", days=["2019-08-28"])
    mine = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Li", email="Li.Wei@example.cn"
    )
    theirs = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Zhao", email="zhao@example.cn"
    )
    erase(holder, person)
    mine.refresh_from_db()
    assert (mine.name, mine.email, mine.status) == ("", "", "withdrawn")
    theirs.refresh_from_db()
    assert (theirs.name, theirs.email, theirs.status) == ("Zhao", "zhao@example.cn", "waiting")


def test_an_offered_place_passes_to_the_next_when_the_offered_person_erases(expo, tiny, types):
    first = register(expo, name="First", email="first@example.cn", code="tiny", days=["2019-08-28"])
    person = register(expo, email="offered@example.cn")
    offered = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Li", email="offered@example.cn"
    )
    nxt = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Next", email="next@example.cn"
    )
    registration_cancel(registration=first.registration)
    offered.refresh_from_db()
    token = offer_token(offered)
    assert offered.status == "offered"
    erase(person.client, person)
    offered.refresh_from_db()
    assert (offered.status, offered.offer_digest, offered.name) == ("withdrawn", "", "")
    assert WaitlistEntry.objects.get(pk=nxt.pk).status == "offered"
    assert DayQuota.objects.get(ticket_type=tiny).sold == 1
    assert Client().get(f"/expos/test-2019/waitlist/{token}/").status_code == 404


def test_a_registration_from_an_offer_has_its_entry_anonymised(expo, tiny):
    from smartexpo.tickets.services.waitlist import offer_accept

    first = register(expo, name="First", email="first@example.cn", code="tiny", days=["2019-08-28"])
    entry = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Wu", email="wu@example.cn"
    )
    registration_cancel(registration=first.registration)
    entry.refresh_from_db()
    issued = offer_accept(
        token=offer_token(entry), name="Wu Hao", email="wu.hao@example.cn", id_number=resident_id()
    )
    ApiClient(issued.manage_token).post(erase_url(issued.registration.pk))
    entry.refresh_from_db()
    assert (entry.name, entry.email, entry.status) == ("", "", "accepted")
    assert entry.registration_id == issued.registration.pk


def test_stored_idempotent_answers_to_the_person_are_deleted(expo, types):
    def body(name, email):
        return {
            "ticket_type": "day",
            "days": ["2019-08-26"],
            "name": name,
            "email": email,
            "id_number": resident_id(),
        }

    mine = ApiClient().post(REGS, body("Wang", "w@example.cn"), headers={"Idempotency-Key": "a"})
    ApiClient().post(REGS, body("Chen", "c@example.cn"), headers={"Idempotency-Key": "b"})
    created = mine.json()
    ApiClient(created["manage_token"]).post(erase_url(created["id"]))
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


def test_erasure_is_logged_with_who_and_what_without_personal_data(expo, person, holder):
    erase(holder, person)
    entry = AuditEntry.objects.get()
    assert entry.actor == "visitor (manage token)"
    assert entry.action == "personal_data.erase"
    assert entry.target == f"registration {person.pk}"
    assert entry.expo == expo
    assert entry.detail == {
        "via": "api",
        "status_before": "active",
        "tickets_revoked": [person.serial],
        "waiting_list_entries": 0,
        "idempotency_records_deleted": 0,
    }
    assert "Li Wei" not in json.dumps(entry.detail) + entry.actor


def test_the_organiser_may_export_an_erased_registration_and_sees_it_anonymised(
    person, holder, organizer
):
    erase(holder, person)
    data = organizer.get(export_url(person.pk)).json()
    registration = data["registration"]
    assert (registration["name"], registration["email"], registration["id_number_masked"]) == (
        "",
        "",
        "",
    )
    assert registration["id_number_hash_stored"] is False
    assert registration["erased_at"] is not None
    assert data["tickets"][0]["status"] == "revoked"


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "unauthenticated"),
        ("exhibitor", 403, "forbidden"),
        ("device", 403, "forbidden"),
        ("other_holder", 404, "not_found"),
    ],
)
def test_the_wrong_role_may_not_erase_and_nothing_changes(request, person, role, status, code):
    response = request.getfixturevalue(role).post(erase_url(person.pk))
    assert response.status_code == status
    assert error_of(response)["code"] == code
    after = Registration.objects.get(pk=person.pk)
    assert (after.name, after.status, after.erased_at) == ("Li Wei", "active", None)
    assert not AuditEntry.objects.exists()


def test_an_organiser_erases_for_a_person_and_is_named_in_the_log(person, organizer):
    erase(organizer, person)
    assert AuditEntry.objects.get().actor.endswith("(Test organiser)")


def test_concurrent_erasures_erase_once(production_server, taxonomy):
    """Eight real HTTP clients erase one person at once: one erasure, one place freed, one
    audit entry, and every client answered 200."""
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from tests.conftest import make_expo

    expo = make_expo(slug="race")
    ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=5, zones=[]
    )
    person = register(expo, days=["2019-08-26"])
    _t, token = token_create(role=Role.ORGANIZER, name="Racer")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def attempt() -> None:
        request = urllib.request.Request(
            f"{production_server}/api/v1/expos/race/registrations/{person.pk}/erase",
            data=b"",
            method="POST",
            headers={"Authorization": f"Bearer {token}"},
        )
        barrier.wait()
        with urllib.request.urlopen(request, timeout=60) as response:
            statuses.append(response.status)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 8
    assert AuditEntry.objects.filter(action="personal_data.erase").count() == 1
    assert DayQuota.objects.filter(ticket_type__expo=expo, sold__gt=0).count() == 0
