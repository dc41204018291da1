"""The visitor's networking profile through the API: given when registering (every way a
registration is made), changed with the manage token only, and `share` held to the edition's
`lead_fields`."""

import threading

import pytest
from django.db import connection

from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.erasure import registration_erase
from smartexpo.tickets.services.restricted import pass_grant_set
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import ApiClient, day_ticket, error_of, register, registration_body

REGS = "/api/v1/expos/test-2019/registrations"
PROFILE = {
    "phone": "+86 138-0013-8000",
    "company": "Chongqing Robotics Ltd.",
    "title": "Purchasing manager",
    "sectors": ["smart-vehicles"],
    "intents": ["buy", "partner"],
    "interests": ["ai"],
    "share": ["name", "company", "title"],
}
BLANK = {"phone": "", "company": "", "title": "", "sectors": [], "intents": [], "share": []}


@pytest.fixture
def day(expo):
    return day_ticket(expo, quota_per_day=50)


def _post(body):
    return ApiClient().post(REGS, body)


def _profile_of(answer: dict) -> dict:
    return {k: answer[k] for k in (*BLANK, "interests")}


def test_a_registration_gives_its_profile_and_shows_it_to_its_holder(day):
    response = _post(registration_body(1, ticket_type="day", **PROFILE))
    assert response.status_code == 201, response.content
    body = response.json()
    assert _profile_of(body) == PROFILE
    holder = ApiClient(body["manage_token"])
    shown = holder.get(f"{REGS}/{body['id']}").json()
    assert _profile_of(shown) == PROFILE
    stored = Registration.objects.get(pk=body["id"])
    assert (stored.company, stored.share, stored.intents) == (
        PROFILE["company"],
        PROFILE["share"],
        PROFILE["intents"],
    )


def test_without_a_profile_nothing_is_shared(day):
    response = _post(registration_body(1, ticket_type="day"))
    assert response.status_code == 201
    assert {k: response.json()[k] for k in BLANK} == BLANK
    stored = Registration.objects.get(pk=response.json()["id"])
    assert stored.share == [] and stored.phone == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("share", ["name", "id_number"]),
        ("share", ["passport"]),
        ("share", "name"),
        ("sectors", ["not-a-sector"]),
        ("intents", ["sell"]),
        ("phone", "call me"),
        ("phone", "12"),
        ("phone", "x" * 33),
        ("company", "c" * 201),
        ("title", 5),
    ],
)
def test_a_bad_profile_field_is_422_naming_it_and_registers_nobody(day, field, value):
    response = _post(registration_body(1, ticket_type="day", **{field: value}))
    assert response.status_code == 422, response.content
    assert field in error_of(response)["detail"]["fields"]
    assert not Registration.objects.exists()


def test_every_bad_field_is_listed_at_once(day):
    body = registration_body(1, ticket_type="day", share=["id_number"], intents=["sell"])
    body["email"] = "not an email"
    fields = error_of(_post(body))["detail"]["fields"]
    assert {"share", "intents", "email"} <= set(fields)


def test_share_is_held_to_the_editions_lead_fields(expo, day):
    expo.lead_fields = ["name", "company"]
    expo.save()
    refused = _post(registration_body(1, ticket_type="day", share=["name", "email"]))
    assert refused.status_code == 422
    message = error_of(refused)["detail"]["fields"]["share"]
    assert "company" in message and "name" in message and "email" not in message.split(":")[-1]
    accepted = _post(registration_body(2, ticket_type="day", share=["company", "name"]))
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["share"] == ["company", "name"]


def test_a_staff_pass_carries_a_profile(expo, exhibitor):
    ticket_type_create(
        expo=expo,
        code="staff",
        name_en="Staff",
        days=["2019-08-26"],
        quota_per_day=5,
        access="exhibitor",
    )
    pass_grant_set(exhibitor=expo.test_exhibitors["huawei"], ticket_type="staff", passes=2)
    body = {k: v for k, v in registration_body(3, **PROFILE).items() if k != "ticket_type"}
    response = exhibitor.post("/api/v1/expos/test-2019/exhibitor-passes", body)
    assert response.status_code == 201, response.content
    assert _profile_of(response.json()) == PROFILE


def test_a_group_import_carries_profiles(day, organizer):
    csv = (
        "ticket_type,days,name,email,company,title,phone,sectors,intents,share\n"
        "day,2019-08-26,Chen Jie,chen@example.cn,Acme,CTO,+86 23 6000 0000,"
        "smart-vehicles,buy;learn,name;company\n"
        "day,2019-08-26,Zhou Min,zhou@example.cn,,,,,,id_number\n"
    )
    response = organizer.post(REGS + "/import", raw=csv, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["created"] == 1
    assert [e["line"] for e in report["errors"]] == [3]
    assert "share" in report["errors"][0]["detail"]["fields"]
    chen = Registration.objects.get(email="chen@example.cn")
    assert (chen.company, chen.title, chen.phone) == ("Acme", "CTO", "+86 23 6000 0000")
    assert (chen.sectors, chen.intents, chen.share) == (
        ["smart-vehicles"],
        ["buy", "learn"],
        ["name", "company"],
    )


# --- PATCH with the manage token ---------------------------------------------------------------


@pytest.fixture
def holder(day):
    issued = register(day.expo, 1, ticket_type="day")
    return issued.registration, ApiClient(issued.manage_token)


def test_the_holder_changes_the_profile_field_by_field(holder):
    registration, client = holder
    url = f"{REGS}/{registration.pk}"
    response = client.patch(url, {"company": "Acme", "share": ["company"]})
    assert response.status_code == 200, response.content
    assert (response.json()["company"], response.json()["share"]) == ("Acme", ["company"])
    # A field left out keeps its value; null clears one.
    response = client.patch(url, {"title": "CEO", "company": None, "intents": ["invest"]})
    body = response.json()
    assert (body["title"], body["company"], body["share"], body["intents"]) == (
        "CEO",
        "",
        ["company"],
        ["invest"],
    )
    assert body["tickets"], "the answer is the registration, tickets included"
    registration.refresh_from_db()
    assert (registration.title, registration.company, registration.share) == (
        "CEO",
        "",
        ["company"],
    )


def test_share_can_be_narrowed_to_nothing(holder):
    registration, client = holder
    client.patch(f"{REGS}/{registration.pk}", {"share": ["name", "email"]})
    response = client.patch(f"{REGS}/{registration.pk}", {"share": []})
    assert response.json()["share"] == []
    registration.refresh_from_db()
    assert registration.share == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"share": ["id_number"]}, "share"),
        ({"sectors": ["nope"]}, "sectors"),
        ({"intents": ["sell"]}, "intents"),
        ({"interests": ["not-a-tag"]}, "interests"),
        ({"phone": "no digits"}, "phone"),
        ({"title": "t" * 201}, "title"),
        ({"share": "name"}, "share"),
    ],
)
def test_a_bad_change_is_422_at_its_field_and_changes_nothing(holder, body, field):
    registration, client = holder
    response = client.patch(f"{REGS}/{registration.pk}", {"company": "Kept out", **body})
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]
    registration.refresh_from_db()
    assert registration.company == ""


def test_only_the_registrations_own_token_changes_it(holder, organizer, exhibitor, anonymous):
    registration, _client = holder
    other = register(registration.expo, 2, ticket_type="day")
    url = f"{REGS}/{registration.pk}"
    assert ApiClient(other.manage_token).patch(url, {"company": "X"}).status_code == 404
    assert organizer.patch(url, {"company": "X"}).status_code == 403
    assert exhibitor.patch(url, {"company": "X"}).status_code == 403
    assert anonymous.patch(url, {"company": "X"}).status_code == 401
    registration.refresh_from_db()
    assert registration.company == ""


def test_a_cancelled_registration_keeps_its_profile(holder):
    registration, client = holder
    registration_cancel(registration=registration)
    response = client.patch(f"{REGS}/{registration.pk}", {"share": ["name"]})
    assert response.status_code == 409
    assert error_of(response)["code"] == "registration_closed"
    assert error_of(response)["detail"]["status"] == "cancelled"


def test_an_erased_registrations_token_changes_nothing(holder):
    registration, client = holder
    registration_erase(registration=registration, actor="test", via="api")
    assert client.patch(f"{REGS}/{registration.pk}", {"company": "X"}).status_code == 401
    registration.refresh_from_db()
    assert registration.company == ""


@pytest.mark.django_db(transaction=True)
def test_a_change_racing_an_erasure_never_survives_it(taxonomy):
    """Two threads: one changes the profile over and over, the other erases. However they
    interleave, the erased row holds no profile afterwards."""
    from tests.conftest import make_expo

    expo = make_expo()
    day_ticket(expo, quota_per_day=5)
    issued = register(expo, 1, ticket_type="day")
    url = f"{REGS}/{issued.registration.pk}"
    client = ApiClient(issued.manage_token)
    statuses = []
    start = threading.Barrier(2)

    def patch():
        start.wait()
        try:
            for n in range(15):
                statuses.append(client.patch(url, {"company": f"Acme {n}", "share": ["company"]}))
        finally:
            connection.close()  # this thread's own connection

    def erase():
        start.wait()
        try:
            registration_erase(registration=issued.registration, actor="test", via="api")
        finally:
            connection.close()

    threads = [threading.Thread(target=patch), threading.Thread(target=erase)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status_code for r in statuses} <= {200, 401, 404}
    erased = Registration.objects.get(pk=issued.registration.pk)
    assert erased.erased_at is not None
    assert (erased.company, erased.share) == ("", [])


def test_what_an_exhibitor_may_see_is_what_both_the_visitor_and_the_edition_allow(expo, day):
    from smartexpo.tickets.selectors import shared_profile

    issued = register(
        expo, 1, ticket_type="day", company="Acme", phone="+86 23 1234 5678", share=["phone"]
    )
    registration = issued.registration
    assert shared_profile(registration, lead_fields=expo.lead_fields) == {
        "phone": "+86 23 1234 5678"
    }
    registration.share = ["company", "name", "email"]
    assert list(shared_profile(registration, lead_fields=expo.lead_fields)) == [
        "name",
        "email",
        "company",
    ]
    # The edition narrowed: a field the visitor shares but the edition no longer allows.
    assert shared_profile(registration, lead_fields=["company"]) == {"company": "Acme"}
    registration.share = []
    assert shared_profile(registration, lead_fields=expo.lead_fields) == {}
