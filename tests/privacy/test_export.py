"""A person downloads everything stored about them: through the API with their manage token,
or an organiser for them; nobody else's data is in it, and every export is logged."""

from __future__ import annotations

import json

import pytest

from smartexpo.core.models import AuditEntry
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.restricted import (
    invitations_create,
    pass_grant_set,
    staff_pass_issue,
)
from smartexpo.tickets.services.ticket_types import ticket_type_create
from smartexpo.tickets.services.waitlist import waitlist_join
from tests.checkin.conftest import scan, scanner_client
from tests.conftest import ApiClient, error_of
from tests.privacy.conftest import REGS, export_url, register, resident_id


def test_the_holder_downloads_every_field_of_their_registration(person, holder):
    response = holder.get(export_url(person.pk))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["format"] == "smartexpo-personal-data/1"
    registration = data["registration"]
    assert registration["id"] == person.pk
    assert registration["edition"] == "test-2019"
    assert registration["status"] == "active"
    assert registration["ticket_type"] == {
        "code": "day",
        "name": {"en": "Day pass", "zh": "日票"},
    }
    assert (registration["name"], registration["email"]) == ("Li Wei", "li.wei@example.cn")
    assert registration["id_type"] == "resident"
    assert (
        registration["id_number_masked"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    )
    assert registration["interests"] == ["ai", "5g"]
    assert (registration["language"], registration["source"]) == ("zh-hans", "api")
    assert registration["created_at"].startswith("20")
    assert registration["cancelled_at"] is None
    assert registration["erased_at"] is None


def test_the_id_number_hash_is_said_to_exist_but_not_given(person, holder):
    response = holder.get(export_url(person.pk))
    stored_hash = Registration.objects.get(pk=person.pk).id_hash
    assert response.json()["registration"]["id_number_hash_stored"] is True
    assert stored_hash not in response.content.decode()
    assert person.id_number not in response.content.decode()


def test_every_ticket_is_listed_with_its_days_and_status(person, holder):
    (ticket,) = holder.get(export_url(person.pk)).json()["tickets"]
    assert ticket["serial"] == person.serial
    assert ticket["days"] == ["2019-08-26", "2019-08-27"]
    assert ticket["status"] == "valid"
    assert ticket["revoked_at"] is None
    assert ticket["inside"] is None


def test_the_check_in_log_of_the_tickets_and_where_they_are_inside_now(expo, person, holder):
    scanner = scanner_client(expo)
    scan(scanner, person.secret, at="2019-08-26T09:30:00+08:00")
    scan(scanner, person.secret, at="2019-08-26T09:31:00+08:00")  # already inside
    data = holder.get(export_url(person.pk)).json()
    admitted, refused = data["checkins"]
    assert admitted["ticket_serial"] == person.serial
    assert admitted["scanned_at"].startswith("2019-08-26T01:30:00")
    assert (admitted["gate"], admitted["zone"], admitted["direction"]) == ("G1", "V", "in")
    assert (admitted["result"], admitted["reason"]) == ("admit", None)
    assert (refused["result"], refused["reason"]) == ("reject", "already_inside")
    inside = data["tickets"][0]["inside"]
    assert inside == {
        "day": "2019-08-26",
        "since": admitted["scanned_at"],
        "gate": "G1",
        "zone": "V",
    }


def test_the_export_holds_nothing_of_other_people(expo, person, somebody_else, holder):
    scanner = scanner_client(expo)
    scan(scanner, somebody_else.secret)
    text = holder.get(export_url(person.pk)).content.decode()
    assert "Zhang Min" not in text
    assert "zhang.min@example.cn" not in text
    assert str(somebody_else.serial) not in text
    assert json.loads(text)["checkins"] == []


@pytest.fixture
def sold_out_day(expo, types):
    """The 28th of a one-place type, taken by somebody: its waiting list is open."""
    ticket_type_create(expo=expo, code="tiny", name_en="Tiny", days=["2019-08-28"], quota_per_day=1)
    return register(
        expo, name="Early Bird", email="early@example.cn", code="tiny", days=["2019-08-28"]
    )


def test_waiting_list_entries_with_the_same_email_in_the_edition_are_listed(
    expo, other_expo, person, sold_out_day, holder
):
    mine = waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Li W.", email="LI.WEI@example.cn"
    )
    waitlist_join(
        expo=expo, ticket_type="tiny", day="2019-08-28", name="Other", email="other@example.cn"
    )
    (entry,) = holder.get(export_url(person.pk)).json()["waiting_list"]
    assert entry["id"] == mine.pk
    assert (entry["name"], entry["email"], entry["status"]) == (
        "Li W.",
        "LI.WEI@example.cn",
        "waiting",
    )
    assert (entry["ticket_type"], entry["day"]) == ("tiny", "2019-08-28")


def test_stored_idempotent_answers_are_listed_with_their_credentials_withheld(expo, types):
    body = {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": "Wang Fang",
        "email": "wang.fang@example.cn",
        "id_number": resident_id(),
    }
    created = ApiClient().post(REGS, body, headers={"Idempotency-Key": "retry-me"}).json()
    ApiClient().post(
        REGS,
        {**body, "name": "Not Me", "email": "not.me@example.cn", "id_number": resident_id()},
        headers={"Idempotency-Key": "someone-else"},
    )
    response = ApiClient(created["manage_token"]).get(export_url(created["id"]))
    (record,) = response.json()["idempotency_records"]
    assert (record["key"], record["status_code"]) == ("retry-me", 201)
    assert record["answer"]["name"] == "Wang Fang"
    assert record["answer"]["manage_token"] == "[stored; not repeated here]"
    assert record["answer"]["tickets"][0]["secret"] == "[stored; not repeated here]"
    assert created["manage_token"] not in response.content.decode()
    assert created["tickets"][0]["secret"] not in response.content.decode()


def test_restricted_type_facts_are_in_the_export(expo, types, organizer):
    for code, access in (("vip", "invitation"), ("crew", "exhibitor"), ("press", "approval")):
        ticket_type_create(
            expo=expo, code=code, name_en=code, days=["2019-08-26"], quota_per_day=5, access=access
        )
    (invitation,) = invitations_create(expo=expo, ticket_type="vip")
    guest = register(expo, code="vip", days=["2019-08-26"], invitation=invitation.code)
    huawei = expo.test_exhibitors["huawei"]
    pass_grant_set(exhibitor=huawei, ticket_type="crew", passes=3)
    crew = staff_pass_issue(
        exhibitor=huawei, name="Staff One", email="s1@huawei.example", id_number=resident_id()
    )
    press = register(expo, code="press", days=["2019-08-26"])
    assert organizer.post(f"{REGS}/{press.pk}/approve").status_code == 200

    def facts(pk):
        return organizer.get(export_url(pk)).json()["registration"]

    assert facts(guest.pk)["invitation_code"] == invitation.code
    assert facts(crew.registration.pk)["staff_of_exhibitor"] == {
        "id": huawei.pk,
        "name": {"en": "Huawei", "zh": "华为"},
    }
    decided = facts(press.pk)
    assert decided["requested_days"] == ["2019-08-26"]
    assert decided["decided_at"] is not None
    assert decided["decided_by"].startswith("token ")


def test_an_export_is_logged_with_who_asked_and_no_personal_data(expo, person, holder, organizer):
    holder.get(export_url(person.pk))
    organizer.get(export_url(person.pk))
    by_holder, by_organizer = AuditEntry.objects.order_by("id")
    assert by_holder.actor == "visitor (manage token)"
    assert by_organizer.actor.startswith("token sxo_")
    assert by_organizer.actor.endswith("… (Test organiser)")
    for entry in (by_holder, by_organizer):
        assert entry.action == "personal_data.export"
        assert entry.target == f"registration {person.pk}"
        assert entry.expo == expo
        assert entry.detail["via"] == "api"
        assert entry.detail["tickets"] == 1
        logged = json.dumps(entry.detail) + entry.actor + entry.target
        assert "Li Wei" not in logged
        assert "li.wei" not in logged


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("anonymous", 401, "unauthenticated"),
        ("exhibitor", 403, "forbidden"),
        ("device", 403, "forbidden"),
        ("other_holder", 404, "not_found"),
    ],
)
def test_the_wrong_role_is_refused_the_export_and_nothing_is_logged(
    request, person, role, status, code
):
    response = request.getfixturevalue(role).get(export_url(person.pk))
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert not AuditEntry.objects.exists()


def test_an_unknown_registration_is_not_found_for_an_organiser(person, organizer):
    response = organizer.get(export_url(person.pk + 1000))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_the_export_of_one_edition_does_not_answer_on_another(person, other_expo, holder):
    response = holder.get(f"/api/v1/expos/test-2018/registrations/{person.pk}/personal-data")
    assert response.status_code == 404
