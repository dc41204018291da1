"""Restricted ticket types: by invitation, by approval, and exhibitor staff passes."""

from __future__ import annotations

import json
import threading
import urllib.request

import pytest
from django.core import mail

from smartexpo.core.models import Role
from smartexpo.core.tokens import token_create
from smartexpo.exhibitors.models import Sector
from smartexpo.tickets.models import (
    DayQuota,
    Invitation,
    PassGrant,
    Registration,
    RegistrationStatus,
    Ticket,
)
from smartexpo.tickets.services.confirmations import confirmations_send
from smartexpo.tickets.services.restricted import invitations_create, pass_grant_set
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient, error_of
from tests.tickets.test_registration_api import resident_id

BASE = "/api/v1/expos/test-2019"
REGS = f"{BASE}/registrations"
DAY = "2019-08-26"
ALL_DAYS = ["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]


def make_type(expo, code, access, quota=5, all_days=False, days=(DAY,)):
    return ticket_type_create(
        expo=expo,
        code=code,
        name_en=code.title(),
        days=list(days),
        quota_per_day=quota,
        access=access,
        all_days=all_days,
    )


@pytest.fixture
def vip(expo):
    return make_type(expo, "vip", "invitation")


@pytest.fixture
def media(expo):
    return make_type(expo, "media", "approval", quota=2)


@pytest.fixture
def staff(expo):
    return make_type(expo, "staff", "exhibitor", quota=50, all_days=True, days=ALL_DAYS)


def body(ticket_type, n=1, **extra):
    return {
        "ticket_type": ticket_type,
        "days": [DAY],
        "name": f"Guest {n}",
        "email": f"g{n}@example.cn",
        "id_number": resident_id(seq=f"{n:03d}"),
        **extra,
    }


def code_of(response) -> str:
    return error_of(response)["code"]


# --- open types stay open ---------------------------------------------------------------------


def test_a_ticket_type_created_without_an_access_rule_is_open_to_everyone(expo, organizer):
    created = organizer.post(
        f"{BASE}/ticket-types",
        {"code": "day", "name": {"en": "Day", "zh": "日票"}, "days": [DAY], "quota_per_day": 3},
    )
    assert created.json()["access"] == "open"
    assert ApiClient().post(REGS, body("day")).status_code == 201


def test_an_unknown_access_rule_is_422_at_access(expo, organizer):
    response = organizer.post(
        f"{BASE}/ticket-types",
        {
            "code": "x",
            "name": {"en": "X", "zh": ""},
            "days": [DAY],
            "quota_per_day": 3,
            "access": "friends",
        },
    )
    assert response.status_code == 422
    assert "access" in error_of(response)["detail"]["fields"]


# --- by invitation ---------------------------------------------------------------------------


def test_a_pass_by_invitation_without_a_code_is_refused_and_takes_no_place(vip):
    response = ApiClient().post(REGS, body("vip"))
    assert response.status_code == 403
    assert code_of(response) == "invitation_required"
    assert DayQuota.objects.get(ticket_type=vip).sold == 0


def test_a_made_up_code_or_another_types_code_is_refused(expo, vip):
    other = make_type(expo, "guest", "invitation")
    (foreign,) = invitations_create(expo=expo, ticket_type="guest", count=1)
    for code in ("NOPE-NOPE-NOPE", foreign.code):
        response = ApiClient().post(REGS, body("vip", invitation=code))
        assert response.status_code == 403
        assert code_of(response) == "invitation_invalid"
    assert DayQuota.objects.get(ticket_type=other).sold == 0


def test_a_single_use_code_admits_one_registration_then_is_used_up(expo, vip):
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1)
    first = ApiClient().post(REGS, body("vip", 1, invitation=invitation.code.lower()))
    assert first.status_code == 201, first.content
    assert len(first.json()["tickets"]) == 1
    second = ApiClient().post(REGS, body("vip", 2, invitation=invitation.code))
    assert second.status_code == 409
    assert code_of(second) == "invitation_used_up"
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert DayQuota.objects.get(ticket_type=vip).sold == 1


def test_a_refused_registration_gives_its_code_use_back(expo, vip):
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1, uses=3)
    assert ApiClient().post(REGS, body("vip", 1, invitation=invitation.code)).status_code == 201
    duplicate = ApiClient().post(REGS, body("vip", 1, invitation=invitation.code))
    assert code_of(duplicate) == "duplicate"
    DayQuota.objects.filter(ticket_type=vip).update(size=1)
    sold_out = ApiClient().post(REGS, body("vip", 2, invitation=invitation.code))
    assert code_of(sold_out) == "sold_out"
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_cancelling_gives_the_code_use_back(expo, vip):
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1)
    created = ApiClient().post(REGS, body("vip", invitation=invitation.code)).json()
    holder = ApiClient(created["manage_token"])
    assert holder.post(f"{REGS}/{created['id']}/cancel").status_code == 200
    again = ApiClient().post(REGS, body("vip", 2, invitation=invitation.code))
    assert again.status_code == 201


def test_a_revoked_code_admits_nobody_more(expo, vip, organizer):
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1, uses=5)
    revoked = organizer.post(f"{BASE}/invitations/{invitation.code}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] is True
    response = ApiClient().post(REGS, body("vip", invitation=invitation.code))
    assert code_of(response) == "invitation_invalid"


def test_the_organizer_makes_and_lists_codes_through_the_api(vip, organizer):
    made = organizer.post(
        f"{BASE}/invitations", {"ticket_type": "vip", "count": 3, "uses": 2, "label": "Sony"}
    )
    assert made.status_code == 201, made.content
    codes = [i["code"] for i in made.json()["items"]]
    assert len(set(codes)) == 3
    assert all(len(c) == 14 and c.count("-") == 2 for c in codes)
    listed = organizer.get(f"{BASE}/invitations", {"ticket_type": "vip"}).json()
    assert listed["count"] == 3
    assert {i["uses_allowed"] for i in listed["items"]} == {2}


def test_codes_are_only_made_for_a_type_by_invitation(expo, media, organizer):
    response = organizer.post(f"{BASE}/invitations", {"ticket_type": "media", "count": 1})
    assert response.status_code == 422
    assert "ticket_type" in error_of(response)["detail"]["fields"]


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 401), ("exhibitor", 403), ("device", 403)]
)
def test_only_an_organizer_makes_revokes_or_lists_codes(expo, vip, role, status, request):
    client = request.getfixturevalue(role)
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1)
    assert client.post(f"{BASE}/invitations", {"ticket_type": "vip"}).status_code == status
    assert client.get(f"{BASE}/invitations").status_code == status
    assert client.post(f"{BASE}/invitations/{invitation.code}/revoke").status_code == status


# --- by approval ----------------------------------------------------------------------------


def test_a_request_waits_with_no_ticket_and_takes_no_place(media):
    response = ApiClient().post(REGS, body("media"))
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["status"] == "pending"
    assert answer["tickets"] == []
    assert answer["requested_days"] == [DAY]
    assert DayQuota.objects.get(ticket_type=media).sold == 0
    own = ApiClient(answer["manage_token"]).get(f"{REGS}/{answer['id']}").json()
    assert own["status"] == "pending"


def test_an_approved_request_gets_its_ticket_and_its_place(media, organizer):
    created = ApiClient().post(REGS, body("media")).json()
    pending = organizer.get(REGS, {"status": "pending"}).json()
    assert [i["id"] for i in pending["items"]] == [created["id"]]
    approved = organizer.post(f"{REGS}/{created['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "active"
    assert len(approved.json()["tickets"]) == 1
    assert DayQuota.objects.get(ticket_type=media).sold == 1
    again = organizer.post(f"{REGS}/{created['id']}/approve")
    assert again.status_code == 409
    assert code_of(again) == "not_pending"


def test_a_request_approved_on_a_full_day_stays_pending(media, organizer):
    ids = [ApiClient().post(REGS, body("media", n)).json()["id"] for n in range(3)]
    assert [organizer.post(f"{REGS}/{i}/approve").status_code for i in ids] == [200, 200, 409]
    assert Registration.objects.get(pk=ids[2]).status == RegistrationStatus.PENDING
    assert DayQuota.objects.get(ticket_type=media).sold == 2


def test_a_declined_request_never_holds_a_ticket(media, organizer):
    created = ApiClient().post(REGS, body("media")).json()
    declined = organizer.post(f"{REGS}/{created['id']}/decline")
    assert declined.json()["status"] == "declined"
    assert code_of(organizer.post(f"{REGS}/{created['id']}/approve")) == "not_pending"
    assert Ticket.objects.count() == 0


def test_a_visitor_may_withdraw_a_request(media, organizer):
    created = ApiClient().post(REGS, body("media")).json()
    holder = ApiClient(created["manage_token"])
    assert holder.post(f"{REGS}/{created['id']}/cancel").json()["status"] == "cancelled"
    assert code_of(organizer.post(f"{REGS}/{created['id']}/approve")) == "not_pending"


def test_a_person_holding_the_day_cannot_request_it_again(expo, media, organizer):
    first = ApiClient().post(REGS, body("media")).json()
    organizer.post(f"{REGS}/{first['id']}/approve")
    again = ApiClient().post(REGS, body("media"))
    assert again.status_code == 409
    assert code_of(again) == "duplicate"


def test_the_visitor_is_told_of_the_request_then_of_the_decision_by_email(media, organizer):
    approved = ApiClient().post(REGS, body("media", 1)).json()
    declined = ApiClient().post(REGS, body("media", 2)).json()
    assert confirmations_send() == 2
    assert [m.subject.split(" ")[:3] for m in mail.outbox] == [["Your", "request", "for"]] * 2
    assert all(not m.attachments for m in mail.outbox)
    organizer.post(f"{REGS}/{approved['id']}/approve")
    organizer.post(f"{REGS}/{declined['id']}/decline")
    mail.outbox.clear()
    assert confirmations_send() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["g1@example.cn"].attachments  # the ticket
    assert "not approved" in by_address["g2@example.cn"].body


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("exhibitor", 403)])
def test_only_an_organizer_approves_or_declines(media, role, status, request):
    created = ApiClient().post(REGS, body("media")).json()
    client = request.getfixturevalue(role)
    assert client.post(f"{REGS}/{created['id']}/approve").status_code == status
    assert client.post(f"{REGS}/{created['id']}/decline").status_code == status
    assert ApiClient(created["manage_token"]).post(
        f"{REGS}/{created['id']}/approve"
    ).status_code in (401, 403)


# --- exhibitor staff passes -------------------------------------------------------------------


def test_a_staff_pass_cannot_be_registered_for_publicly(staff):
    response = ApiClient().post(REGS, {**body("staff"), "days": ALL_DAYS})
    assert response.status_code == 403
    assert code_of(response) == "exhibitor_pass_only"


def test_an_exhibitor_issues_passes_within_its_grant(expo, staff, exhibitor, organizer):
    passes = f"{BASE}/exhibitor-passes"
    no_grant = exhibitor.post(passes, {"name": "A", "email": "a@hw.cn"})
    assert no_grant.status_code == 403 and code_of(no_grant) == "no_pass_grant"
    huawei = expo.test_exhibitors["huawei"]
    granted = organizer.put(
        f"{BASE}/exhibitors/{huawei.pk}/passes", {"ticket_type": "staff", "passes": 2}
    )
    assert granted.json() == {
        "exhibitor": huawei.pk,
        "ticket_type": "staff",
        "passes": 2,
        "used": 0,
    }
    issued = [
        exhibitor.post(passes, {"name": f"Staff {n}", "email": f"s{n}@hw.cn"}) for n in range(3)
    ]
    assert [r.status_code for r in issued] == [201, 201, 409]
    assert code_of(issued[2]) == "passes_used_up"
    assert issued[0].json()["tickets"][0]["days"] == ALL_DAYS
    listed = exhibitor.get(passes).json()
    assert listed["grants"][0]["used"] == 2 and listed["count"] == 2
    lowered = organizer.put(
        f"{BASE}/exhibitors/{huawei.pk}/passes", {"ticket_type": "staff", "passes": 1}
    )
    assert lowered.status_code == 409 and code_of(lowered) == "passes_below_issued"
    first = issued[0].json()["id"]
    assert exhibitor.post(f"{passes}/{first}/cancel").json()["status"] == "cancelled"
    assert exhibitor.post(passes, {"name": "Staff 9", "email": "s9@hw.cn"}).status_code == 201


def test_an_exhibitor_sees_and_cancels_only_its_own_passes(expo, staff, exhibitor, other_exhibitor):
    pass_grant_set(exhibitor=expo.test_exhibitors["huawei"], ticket_type="staff", passes=3)
    created = exhibitor.post(f"{BASE}/exhibitor-passes", {"name": "A", "email": "a@hw.cn"})
    own = created.json()["id"]
    assert other_exhibitor.get(f"{BASE}/exhibitor-passes").json()["count"] == 0
    refused = other_exhibitor.post(f"{BASE}/exhibitor-passes/{own}/cancel")
    assert refused.status_code == 404
    assert Registration.objects.get(pk=own).status == RegistrationStatus.ACTIVE


def test_only_an_organizer_grants_passes(expo, staff, exhibitor, anonymous):
    url = f"{BASE}/exhibitors/{expo.test_exhibitors['huawei'].pk}/passes"
    assert exhibitor.put(url, {"ticket_type": "staff", "passes": 9}).status_code == 403
    assert anonymous.put(url, {"ticket_type": "staff", "passes": 9}).status_code == 401


def test_an_exhibitor_token_of_another_edition_is_refused(expo, other_expo, staff):
    from smartexpo.exhibitors.services import exhibitor_create

    elsewhere = exhibitor_create(
        expo=other_expo,
        slug="sony",
        name_en="Sony",
        sector=Sector.objects.first(),
        status="approved",
    )
    _token, raw = token_create(role=Role.EXHIBITOR, name="Sony staff", exhibitor=elsewhere)
    assert ApiClient(raw).get(f"{BASE}/exhibitor-passes").status_code == 403


def test_a_restricted_type_has_no_waiting_list(expo, vip):
    DayQuota.objects.filter(ticket_type=vip).update(size=0)
    response = ApiClient().post(
        f"{BASE}/waitlist",
        {"ticket_type": "vip", "day": DAY, "name": "W", "email": "w@example.cn"},
    )
    assert response.status_code == 422
    assert "ticket_type" in error_of(response)["detail"]["fields"]


# --- under concurrency -----------------------------------------------------------------------


def _race(url: str, bodies: list[dict], token: str | None = None) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(bodies))
    results: list[tuple[int, str]] = []

    def attempt(payload: dict) -> None:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers)
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                results.append((resp.status, json.loads(resp.read()).get("status", "")))
        except urllib.error.HTTPError as exc:
            with exc:
                results.append((exc.code, json.loads(exc.read())["error"]["code"]))

    threads = [threading.Thread(target=attempt, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_a_code_good_for_five_admits_exactly_five_of_twenty_concurrent_clients(
    production_server, taxonomy
):
    from tests.conftest import make_expo

    expo = make_expo(slug="gala")
    make_type(expo, "vip", "invitation", quota=100)
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1, uses=5)
    url = f"{production_server}/api/v1/expos/gala/registrations"
    results = _race(url, [body("vip", n, invitation=invitation.code) for n in range(20)])
    assert results.count((201, "active")) == 5
    assert [r for r in results if r[0] != 201] == [(409, "invitation_used_up")] * 15
    invitation.refresh_from_db()
    assert invitation.uses == 5
    assert Ticket.objects.filter(expo=expo).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_grant_of_three_issues_exactly_three_of_ten_concurrent_passes(
    production_server, taxonomy
):
    from smartexpo.exhibitors.services import exhibitor_create
    from tests.conftest import make_expo

    expo = make_expo(slug="fair")
    make_type(expo, "staff", "exhibitor", quota=100)
    firm = exhibitor_create(
        expo=expo, slug="acme", name_en="Acme", sector=Sector.objects.first(), status="approved"
    )
    pass_grant_set(exhibitor=firm, ticket_type="staff", passes=3)
    _token, raw = token_create(role=Role.EXHIBITOR, name="Acme staff", exhibitor=firm)
    url = f"{production_server}/api/v1/expos/fair/exhibitor-passes"
    people = [{"name": f"S{n}", "email": f"s{n}@acme.cn", "days": [DAY]} for n in range(10)]
    results = _race(url, people, token=raw)
    assert results.count((201, "active")) == 3
    assert [r for r in results if r[0] != 201] == [(409, "passes_used_up")] * 7
    assert PassGrant.objects.get(exhibitor=firm).used == 3


@pytest.mark.django_db(transaction=True)
def test_two_organizers_approving_one_request_at_once_issue_one_ticket(production_server, taxonomy):
    from tests.conftest import make_expo

    expo = make_expo(slug="press")
    make_type(expo, "media", "approval", quota=100)
    created = ApiClient().post("/api/v1/expos/press/registrations", body("media")).json()
    tokens = [token_create(role=Role.ORGANIZER, name=f"Desk {n}")[1] for n in range(6)]
    url = f"{production_server}/api/v1/expos/press/registrations/{created['id']}/approve"
    barrier = threading.Barrier(len(tokens))
    results: list[int] = []

    def approve(token: str) -> None:
        req = urllib.request.Request(
            url, data=b"", method="POST", headers={"Authorization": f"Bearer {token}"}
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                results.append(resp.status)
        except urllib.error.HTTPError as exc:
            with exc:
                results.append(exc.code)

    threads = [threading.Thread(target=approve, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200] + [409] * 5
    assert Ticket.objects.filter(registration_id=created["id"]).count() == 1
    assert DayQuota.objects.get(ticket_type__code="media", ticket_type__expo=expo).sold == 1
    assert Invitation.objects.count() == 0
