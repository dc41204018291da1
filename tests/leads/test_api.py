"""The leads API as docs/api.md "Exhibitor leads" says: capture, the one lead per visitor,
refusals, the exhibitor's list, the booth page's set-up, a visitor's view and withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from smartexpo.leads.models import Lead
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.venue.models import Expo
from tests.conftest import error_of
from tests.leads.conftest import LEADS, PROFILE, A, booth_device, visitor

pytestmark = pytest.mark.django_db


def test_a_capture_makes_a_lead_with_only_the_masked_name_by_default(expo, huawei):
    person = visitor(expo)
    response = huawei.post(LEADS, {"secret": person.secret, "note": "Wants 5G", "rating": 4})
    assert response.status_code == 201, response.content
    lead = response.json()
    assert set(lead) >= {"id", "serial", "visitor", "note", "rating", "tags", "captured_at"}
    assert lead["serial"] == person.ticket.serial
    assert lead["visitor"] == {}
    assert lead["holder"] == "Z*** S***"
    assert (lead["note"], lead["rating"], lead["tags"]) == ("Wants 5G", 4, [])
    assert lead["device"] is None and lead["withdrawn"] is False


def test_the_shared_fields_within_the_editions_fields_are_seen(expo, huawei):
    person = visitor(expo, share=("name", "company", "email"))
    Expo.objects.filter(pk=expo.pk).update(lead_fields=["name", "company", "phone"])
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    assert lead["visitor"] == {"name": PROFILE["name"], "company": PROFILE["company"]}


def test_the_same_ticket_again_is_the_one_lead_updated(expo, huawei):
    person = visitor(expo)
    first = huawei.post(LEADS, {"secret": person.secret, "note": "a", "rating": 2, "tags": ["x"]})
    again = huawei.post(LEADS, {"secret": person.secret, "note": "b", "tags": ["hot", "HOT"]})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert (again.json()["note"], again.json()["rating"], again.json()["tags"]) == (
        "b",
        2,
        ["hot"],
    )
    assert Lead.objects.count() == 1


def test_two_exhibitors_each_have_their_own_lead(expo, huawei, toyota):
    person = visitor(expo)
    assert huawei.post(LEADS, {"secret": person.secret}).status_code == 201
    assert toyota.post(LEADS, {"secret": person.secret}).status_code == 201
    assert Lead.objects.count() == 2


@pytest.mark.parametrize(
    "secret", ["", "not-a-secret", "A" * 112, "x" * 200], ids=["empty", "text", "bad", "long"]
)
def test_a_secret_that_does_not_verify_is_invalid(expo, huawei, secret):
    visitor(expo)
    response = huawei.post(LEADS, {"secret": secret})
    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid"


def test_a_tampered_secret_is_invalid(expo, huawei):
    person = visitor(expo)
    flipped = person.secret[:-3] + ("A" if person.secret[-3] != "A" else "B") + person.secret[-2:]
    response = huawei.post(LEADS, {"secret": flipped})
    assert response.status_code == 422


def test_a_ticket_of_another_edition_is_invalid(expo, other_expo, huawei):
    from tests.conftest import day_ticket

    day_ticket(other_expo, quota_per_day=5, days=("2018-08-23",))
    from smartexpo.tickets.services.registration import registration_create

    issued = registration_create(
        expo=other_expo, ticket_type="day", days=["2018-08-23"], name="A", email="a@example.cn"
    )
    response = huawei.post(LEADS, {"secret": issued.secrets[0]})
    assert response.status_code == 422


def test_a_revoked_ticket_is_refused(expo, huawei):
    person = visitor(expo)
    registration_cancel(registration=person.registration)
    response = huawei.post(LEADS, {"secret": person.secret})
    assert response.status_code == 409
    assert error_of(response)["code"] == "revoked"
    assert not Lead.objects.exists()


def test_no_lead_when_the_edition_has_lead_capture_off(expo, huawei):
    person = visitor(expo)
    Expo.objects.filter(pk=expo.pk).update(lead_capture=False)
    response = huawei.post(LEADS, {"secret": person.secret})
    assert response.status_code == 409
    assert error_of(response)["code"] == "lead_capture_off"
    assert not Lead.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"rating": 6},
        {"rating": -1},
        {"tags": "hot"},
        {"tags": ["x" * 41]},
        {"note": "x" * 4001},
        {"captured_at": "2099-01-01T00:00:00+00:00"},
        {"captured_at": "2019-08-26T10:00:00"},
        {"rating": True},
        {"rating": 2.5},
        {"tags": [1]},
        {"tags": ["a|b"]},
        {"tags": [f"t{n}" for n in range(21)]},
        {"secret": 5},
    ],
)
def test_bad_fields_are_invalid(expo, huawei, body):
    person = visitor(expo)
    response = huawei.post(LEADS, {"secret": person.secret, **body})
    assert response.status_code == 422, response.content
    assert not Lead.objects.exists()


def test_an_offline_capture_keeps_its_time_and_the_earliest_wins(expo, huawei):
    person = visitor(expo)
    later = huawei.post(
        LEADS, {"secret": person.secret, "captured_at": "2019-08-26T11:00:00+08:00"}
    )
    earlier = huawei.post(
        LEADS, {"secret": person.secret, "captured_at": "2019-08-26T10:00:00+08:00"}
    )
    assert later.status_code == 201 and earlier.status_code == 200
    at = dt.datetime.fromisoformat(earlier.json()["captured_at"])
    assert at == dt.datetime(2019, 8, 26, 2, tzinfo=dt.UTC)


def test_who_may_capture(expo, huawei, organizer, device, types):
    person = visitor(expo)
    assert organizer.post(LEADS, {"secret": person.secret}).status_code == 403
    # A gate scanner (a device of no exhibitor) captures no lead.
    assert device.post(LEADS, {"secret": person.secret}).status_code == 403
    from tests.conftest import ApiClient

    assert ApiClient().post(LEADS, {"secret": person.secret}).status_code == 401
    assert ApiClient(person.manage_token).post(LEADS, {"secret": person.secret}).status_code == 401


def test_a_token_of_another_edition_is_forbidden(expo, other_expo, huawei):
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.exhibitors.services import exhibitor_create
    from tests.conftest import ApiClient

    person = visitor(expo)
    other = exhibitor_create(
        expo=other_expo,
        slug="huawei",
        name_en="Huawei",
        sector=expo.test_exhibitors["huawei"].sector,
    )
    _t, raw = token_create(role=Role.EXHIBITOR, name="B", exhibitor=other)
    response = ApiClient(raw).post(LEADS, {"secret": person.secret})
    assert response.status_code == 403


def test_a_lead_device_captures_for_its_exhibitor_and_is_named(expo, huawei):
    person = visitor(expo)
    device, tablet = booth_device(expo)
    response = tablet.post(LEADS, {"secret": person.secret})
    assert response.status_code == 201
    assert response.json()["device"] == {"id": device.pk, "name": "Booth tablet 1"}
    listed = huawei.get(LEADS).json()
    assert [lead["id"] for lead in listed["items"]] == [response.json()["id"]]


def test_the_list_is_the_exhibitors_own_in_capture_order_with_filters(expo, huawei, toyota):
    people = [
        visitor(expo, share=("company",), company=f"{n} Firm") for n in ("Alpha", "Beta", "Gamma")
    ]
    for n, person in enumerate(people):
        huawei.post(LEADS, {"secret": person.secret, "rating": n, "tags": ["hot"] if n else []})
    toyota.post(LEADS, {"secret": people[0].secret})
    page = huawei.get(LEADS).json()
    assert page["count"] == 3
    assert [lead["serial"] for lead in page["items"]] == [p.ticket.serial for p in people]
    assert huawei.get(LEADS, {"rating": 2}).json()["count"] == 1
    assert huawei.get(LEADS, {"tag": "HOT"}).json()["count"] == 2
    assert huawei.get(LEADS, {"q": "beta FIRM"}).json()["count"] == 1
    assert toyota.get(LEADS).json()["count"] == 1
    assert huawei.get(LEADS, {"limit": 1, "offset": 1}).json()["items"][0]["rating"] == 1


def test_search_never_matches_an_unshared_field(expo, huawei):
    person = visitor(expo, share=("company",))
    huawei.post(LEADS, {"secret": person.secret})
    assert huawei.get(LEADS, {"q": "hidden robotics"}).json()["count"] == 1
    assert huawei.get(LEADS, {"q": "secretname"}).json()["count"] == 0
    assert huawei.get(LEADS, {"q": "zhang.secret"}).json()["count"] == 0


def test_one_lead_read_and_patched_by_its_exhibitor_only(expo, huawei, toyota):
    person = visitor(expo)
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    url = f"{LEADS}/{lead['id']}"
    assert huawei.get(url).status_code == 200
    assert toyota.get(url).status_code == 404
    assert toyota.patch(url, {"note": "mine"}).status_code == 404
    patched = huawei.patch(url, {"rating": 5, "tags": ["call back"]})
    assert patched.status_code == 200
    assert (patched.json()["rating"], patched.json()["tags"]) == (5, ["call back"])
    assert huawei.patch(url, {"rating": 9}).status_code == 422
    assert huawei.get(f"{LEADS}/{2**62}").status_code == 404


def test_the_setup_a_booth_page_needs(expo, huawei):
    person = visitor(expo)
    registration_cancel(registration=person.registration)
    device, tablet = booth_device(expo)
    setup = tablet.get(LEADS + "/setup")
    assert setup.status_code == 200
    body = setup.json()
    assert body["exhibitor"]["id"] == expo.test_exhibitors["huawei"].pk
    assert body["exhibitor"]["names"] == {"en": "Huawei", "zh": "华为"}
    assert body["device"] == {"id": device.pk, "name": "Booth tablet 1"}
    assert body["lead_capture"] is True
    assert body["keys"] and body["keys"][0]["alg"] == "Ed25519"
    assert body["revoked"] == [person.ticket.serial]
    assert huawei.get(LEADS + "/setup").json()["device"] is None


def test_a_visitor_sees_who_captured_them_and_withdraws(expo, huawei, toyota):
    person = visitor(expo, share=("name", "email"))
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    toyota.post(LEADS, {"secret": person.secret})
    url = f"{A}/registrations/{person.registration.pk}/leads"
    mine = person.holder.get(url)
    assert mine.status_code == 200
    items = mine.json()["items"]
    assert [i["exhibitor"]["name"] for i in items] == ["Huawei", "Toyota"]
    assert set(items[0]) >= {"id", "exhibitor", "captured_at"}
    assert items[0]["sees"] == ["name", "email"]
    assert person.holder.delete(f"{url}/{lead['id']}").status_code == 204
    assert person.holder.delete(f"{url}/{lead['id']}").status_code == 204  # again: the same
    seen = huawei.get(f"{LEADS}/{lead['id']}").json()
    assert seen["visitor"] == {} and seen["holder"] is None and seen["withdrawn"] is True
    # Scanning the visitor again brings nothing back.
    again = huawei.post(LEADS, {"secret": person.secret})
    assert again.status_code == 200 and again.json()["visitor"] == {}
    assert again.json()["holder"] is None
    # Toyota still sees what the visitor shares.
    assert toyota.get(LEADS).json()["items"][0]["visitor"]["name"] == PROFILE["name"]


def test_another_visitor_cannot_list_or_withdraw(expo, huawei):
    person, other = visitor(expo), visitor(expo)
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    url = f"{A}/registrations/{person.registration.pk}/leads"
    assert other.holder.get(url).status_code == 404
    assert other.holder.delete(f"{url}/{lead['id']}").status_code == 404
    own = f"{A}/registrations/{other.registration.pk}/leads/{lead['id']}"
    assert other.holder.delete(own).status_code == 404
    assert huawei.get(url).status_code == 403
    assert Lead.objects.get().withdrawn_at is None


def test_updated_at_moves_on_a_rescan(expo, huawei):
    person = visitor(expo)
    first = huawei.post(LEADS, {"secret": person.secret}).json()
    Lead.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    again = huawei.post(LEADS, {"secret": person.secret, "note": "x"}).json()
    assert again["updated_at"] > first["updated_at"] or again["updated_at"] != first["updated_at"]
