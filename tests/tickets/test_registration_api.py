"""Ticket types and registrations through the API, for every role, under concurrency."""

import json
import threading
import urllib.request

import pytest
from django.test import Client
from django.utils import translation

from smartexpo.tickets import ticket_secrets as ts
from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.models import DayQuota, Registration, Ticket
from tests.conftest import ApiClient, error_of

TYPES = "/api/v1/expos/test-2019/ticket-types"
REGS = "/api/v1/expos/test-2019/registrations"


def resident_id(birth="19900101", area="110105", seq="123") -> str:
    first17 = area + birth + seq
    return first17 + resident_check_digit(first17)


@pytest.fixture
def day_pass(expo, organizer):
    response = organizer.post(
        TYPES,
        {
            "code": "day",
            "name": {"en": "Public day pass", "zh": "普通日票"},
            "days": ["2019-08-26", "2019-08-27"],
            "quota_per_day": 3,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def register(client=None, *, days=("2019-08-26",), id_number=None, name="Li Wei", **extra):
    body = {
        "ticket_type": "day",
        "days": list(days),
        "name": name,
        "email": "li.wei@example.cn",
        **extra,
    }
    if id_number is not None:
        body["id_number"] = id_number
    headers = extra.pop("headers", None)
    return (client or ApiClient()).post(REGS, body, headers=headers)


def test_organizer_creates_a_ticket_type_that_admits_venue_and_halls_by_default(day_pass):
    assert day_pass["available"] == {"2019-08-26": 3, "2019-08-27": 3}
    assert day_pass["zones"] == ["N1", "S1", "V"]
    assert day_pass["name"] == {"en": "Public day pass", "zh": "普通日票"}


def test_ticket_types_are_public_with_availability(day_pass, anonymous):
    items = anonymous.get(TYPES).json()["items"]
    assert items[0]["code"] == "day"
    assert items[0]["days"] == ["2019-08-26", "2019-08-27"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": ["2019-09-01"]}, "days"),
        ({"days": []}, "days"),
        ({"zones": ["NOPE"]}, "zones"),
        ({"quota_per_day": -1}, "quota_per_day"),
        ({"code": "has space"}, "code"),
    ],
)
def test_ticket_type_bad_input_is_422_at_the_field(expo, organizer, body, field):
    base = {"code": "x", "name": {"en": "X", "zh": "X"}, "days": ["2019-08-26"], "quota_per_day": 5}
    response = organizer.post(TYPES, {**base, **body})
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]


def test_duplicate_ticket_type_code_is_409(day_pass, organizer):
    body = {
        "code": "day",
        "name": {"en": "Again", "zh": "再"},
        "days": ["2019-08-26"],
        "quota_per_day": 1,
    }
    assert organizer.post(TYPES, body).status_code == 409


@pytest.mark.parametrize("role", ["anonymous", "exhibitor", "device"])
def test_only_organizers_create_ticket_types(expo, role, request):
    body = {
        "code": "vip",
        "name": {"en": "VIP", "zh": "贵宾"},
        "days": ["2019-08-26"],
        "quota_per_day": 1,
    }
    response = request.getfixturevalue(role).post(TYPES, body)
    assert response.status_code == (401 if role == "anonymous" else 403)


def test_registration_issues_a_ticket_whose_secret_verifies_with_the_published_key(
    day_pass, device
):
    response = register(id_number=resident_id())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["manage_token"].startswith("sxm_")
    ticket = body["tickets"][0]
    assert ticket["days"] == ["2019-08-26"]
    assert 1 <= ticket["serial"] < 2**53
    keys = device.get("/api/v1/expos/test-2019/checkin/keys").json()
    public = {k["kid"]: ts.load_public_key_b64(k["public_key"]) for k in keys["keys"]}
    claims = ts.verify_secret(ticket["secret"], public)
    assert claims.serial == ticket["serial"]
    assert [d.isoformat() for d in claims.days] == ["2019-08-26"]


def test_the_id_number_is_never_stored_or_answered_in_clear(day_pass):
    number = resident_id()
    body = register(id_number=number).json()
    assert number not in json.dumps(body)
    assert body["id_number"] == number[:4] + "*" * 10 + number[-4:]
    registration = Registration.objects.get(pk=body["id"])
    assert number not in (registration.id_hash, registration.id_masked)


@pytest.mark.parametrize(
    ("id_number", "field"),
    [
        (resident_id()[:17] + ("0" if resident_id()[17] != "0" else "1"), "id_number"),
        ("110105" + "20190230" + "123" + "0", "id_number"),
        ("12345", "id_number"),
    ],
)
def test_invalid_resident_ids_are_422_at_id_number(day_pass, id_number, field):
    response = register(id_number=id_number)
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]
    assert DayQuota.objects.get(day="2019-08-26").sold == 0


def test_unknown_id_type_is_422_at_id_type(day_pass):
    response = register(id_number="E1234567", id_type="driving")
    assert error_of(response)["detail"]["fields"].keys() == {"id_type"}


def test_passport_numbers_are_accepted(day_pass):
    assert register(id_number="E12345678", id_type="passport").status_code == 201


def test_every_bad_field_is_listed_at_once(day_pass):
    response = ApiClient().post(
        REGS, {"ticket_type": "nope", "days": ["someday"], "name": "", "email": "not-an-email"}
    )
    assert response.status_code == 422
    assert {"ticket_type", "days", "name", "email"} <= error_of(response)["detail"]["fields"].keys()


def test_same_person_same_day_is_409_duplicate_and_consumes_nothing(day_pass):
    number = resident_id()
    assert register(id_number=number).status_code == 201
    response = register(id_number=number, days=["2019-08-26", "2019-08-27"])
    assert response.status_code == 409
    err = error_of(response)
    assert err["code"] == "duplicate"
    assert err["detail"]["days"] == ["2019-08-26"]
    assert DayQuota.objects.get(day="2019-08-26").sold == 1
    assert DayQuota.objects.get(day="2019-08-27").sold == 0
    # Another day is fine, and so is another person the same day.
    assert register(id_number=number, days=["2019-08-27"]).status_code == 201
    assert register(id_number=resident_id(seq="124")).status_code == 201


def test_a_full_day_is_409_sold_out_naming_the_day(day_pass):
    for seq in ("101", "102", "103"):
        assert register(id_number=resident_id(seq=seq)).status_code == 201
    response = register(id_number=resident_id(seq="104"), days=["2019-08-26", "2019-08-27"])
    assert response.status_code == 409
    err = error_of(response)
    assert err["code"] == "sold_out"
    assert err["detail"]["days"] == ["2019-08-26"]
    assert DayQuota.objects.get(day="2019-08-27").sold == 0


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(day_pass):
    headers = {"Idempotency-Key": "retry-1"}
    first = register(id_number=resident_id(), headers=headers)
    again = register(id_number=resident_id(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Registration.objects.count() == 1
    other = register(id_number=resident_id(), name="Someone Else", headers=headers)
    assert other.status_code == 409
    assert error_of(other)["code"] == "idempotency_mismatch"


def test_idempotency_key_replays_a_refusal_too(day_pass):
    for seq in ("101", "102", "103"):
        register(id_number=resident_id(seq=seq))
    headers = {"Idempotency-Key": "late"}
    first = register(id_number=resident_id(seq="200"), headers=headers)
    assert first.status_code == 409
    # Capacity frees up, but the key's answer stays the first one.
    Registration.objects.first()
    DayQuota.objects.filter(day="2019-08-26").update(size=10)
    again = register(id_number=resident_id(seq="200"), headers=headers)
    assert again.status_code == 409
    assert again.json() == first.json()


def test_manage_token_reads_only_its_own_registration(day_pass, organizer, exhibitor):
    mine = register(id_number=resident_id(seq="101")).json()
    theirs = register(id_number=resident_id(seq="102")).json()
    me = ApiClient(mine["manage_token"])
    assert me.get(f"{REGS}/{mine['id']}").json()["id"] == mine["id"]
    assert me.get(f"{REGS}/{theirs['id']}").status_code == 404
    assert organizer.get(f"{REGS}/{theirs['id']}").status_code == 200
    assert exhibitor.get(f"{REGS}/{theirs['id']}").status_code == 403
    assert ApiClient().get(f"{REGS}/{theirs['id']}").status_code == 401
    assert ApiClient("sxm_forged").get(f"{REGS}/{theirs['id']}").status_code == 401


def test_cancel_revokes_at_once_and_returns_the_place(day_pass, device):
    body = register(id_number=resident_id()).json()
    me = ApiClient(body["manage_token"])
    response = me.post(f"{REGS}/{body['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["tickets"][0]["status"] == "revoked"
    keys = device.get("/api/v1/expos/test-2019/checkin/keys").json()
    assert keys["revoked"] == [body["tickets"][0]["serial"]]
    assert DayQuota.objects.get(day="2019-08-26").sold == 0
    # Cancelling again changes nothing; the person may register again.
    assert me.post(f"{REGS}/{body['id']}/cancel").status_code == 200
    assert DayQuota.objects.get(day="2019-08-26").sold == 0
    assert register(id_number=resident_id()).status_code == 201


@pytest.mark.parametrize("role", ["anonymous", "exhibitor", "other_exhibitor"])
def test_keys_package_is_for_devices_and_organizers(day_pass, role, request):
    response = request.getfixturevalue(role).get("/api/v1/expos/test-2019/checkin/keys")
    assert response.status_code == (401 if role == "anonymous" else 403)


@pytest.mark.django_db(transaction=True)
def test_a_quota_is_never_exceeded_by_concurrent_clients(production_server, taxonomy):
    """Forty real HTTP clients race for 15 places on a live server running the production
    WSGI application."""
    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from tests.conftest import make_expo

    expo = make_expo(slug="rush")
    ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=15, zones=[]
    )
    barrier = threading.Barrier(40)
    results: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        body = {
            "ticket_type": "day",
            "days": ["2019-08-26"],
            "name": f"Visitor {n}",
            "email": f"v{n}@example.cn",
            "id_number": resident_id(seq=f"{n:03d}"),
        }
        req = urllib.request.Request(
            f"{production_server}/api/v1/expos/rush/registrations",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                results.append((resp.status, "created"))
        except urllib.error.HTTPError as exc:
            results.append((exc.code, json.loads(exc.read())["error"]["code"]))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count((201, "created")) == 15
    assert [r for r in results if r[0] != 201] == [(409, "sold_out")] * 25
    assert DayQuota.objects.get(ticket_type__expo=expo).sold == 15
    assert Ticket.objects.filter(expo=expo).count() == 15


def test_idempotency_records_are_pruned_after_48_hours(day_pass, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from smartexpo.tickets.models import IdempotencyRecord

    register(id_number=resident_id(seq="301"), headers={"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=49))
    monkeypatch.setattr("smartexpo.tickets.services.idempotency.random.random", lambda: 0.0)
    register(id_number=resident_id(seq="302"), headers={"Idempotency-Key": "new"})
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_a_ticket_type_created_in_another_process_is_known_at_once(expo):
    """Another worker's cached catalogue must not refuse a type created a moment ago."""
    from smartexpo.tickets.catalogue import catalogue_for
    from smartexpo.tickets.services.registration import registration_create
    from smartexpo.tickets.services.ticket_types import ticket_type_create

    catalogue_for(expo)  # this process caches a catalogue without the new type
    # Nothing tells this process's cache: the catalogue stamp moves with the new rows.
    ticket_type_create(expo=expo, code="rush", name_en="Rush", days=["2019-08-27"], quota_per_day=1)
    issued = registration_create(
        expo=expo, ticket_type="rush", days=["2019-08-27"], name="R", email="r@example.cn"
    )
    assert issued.registration.pk


@pytest.mark.django_db(transaction=True)
def test_the_same_person_registering_many_times_at_once_gets_one_ticket(
    production_server, taxonomy
):
    """Concurrent duplicates: one ticket, every other attempt refused, quota untouched."""
    from smartexpo.tickets.services.ticket_types import ticket_type_create
    from tests.conftest import make_expo

    expo = make_expo(slug="twins")
    ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=50, zones=[]
    )
    number = resident_id(seq="777")
    barrier = threading.Barrier(12)
    results: list[tuple[int, str]] = []

    def attempt(n: int) -> None:
        body = {
            "ticket_type": "day",
            "days": ["2019-08-26"],
            "name": f"T{n}",
            "email": f"t{n}@example.cn",
            "id_number": number,
        }
        req = urllib.request.Request(
            f"{production_server}/api/v1/expos/twins/registrations",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                results.append((resp.status, "created"))
        except urllib.error.HTTPError as exc:
            results.append((exc.code, json.loads(exc.read())["error"]["code"]))

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(201, "created")] + [(409, "duplicate")] * 11
    assert DayQuota.objects.get(ticket_type__expo=expo).sold == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": ["2019-08-26"], "name": "A", "email": "a@x.cn"}, "ticket_type"),
        ({"ticket_type": "day", "days": "2019-08-26", "name": "A", "email": "a@x.cn"}, "days"),
        ({"ticket_type": "day", "days": [20190826], "name": "A", "email": "a@x.cn"}, "days"),
        ({"ticket_type": "day", "days": ["2019-08-26"], "name": 5, "email": "a@x.cn"}, "name"),
        (
            {"ticket_type": "day", "days": ["2019-08-26"], "name": "A" * 101, "email": "a@x.cn"},
            "name",
        ),
        (
            {"ticket_type": "day", "days": ["2019-08-26"] * 33, "name": "A", "email": "a@x.cn"},
            "days",
        ),
        (
            {
                "ticket_type": "day",
                "days": ["2019-08-26"],
                "name": "A",
                "email": "a@x.cn",
                "interests": "ai",
            },
            "interests",
        ),
        (
            {
                "ticket_type": "day",
                "days": ["2019-08-26"],
                "name": "A",
                "email": "a@x.cn",
                "id_number": 110105,
            },
            "id_number",
        ),
    ],
)
def test_wrong_types_and_sizes_in_a_registration_are_422_at_the_field(day_pass, body, field):
    response = ApiClient().post(REGS, body)
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "status"), [("{nope", 400), ("[1, 2]", 422), ('"x"', 422), ("", 422)]
)
def test_a_registration_body_that_is_not_a_json_object_is_refused(day_pass, raw, status):
    response = ApiClient().post(REGS, raw=raw)
    assert response.status_code == status
    assert error_of(response)["code"] == ("malformed" if status == 400 else "invalid")


def test_the_registration_schema_is_in_the_openapi_document(db):
    spec = ApiClient().get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/expos/{expo}/registrations"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert {"ticket_type", "days", "name", "email"} <= set(schema["properties"])


def test_the_api_answers_in_english_after_a_chinese_page_on_the_same_thread(day_pass):
    # Django's LocaleMiddleware activates a page's language and never deactivates it, so the
    # thread that served a Chinese page would otherwise answer the API in Chinese.
    Client().get("/zh-hans/expos/test-2019/register/")
    assert translation.get_language() == "zh-hans"
    response = register(name="", id_number="12345")
    fields = error_of(response)["detail"]["fields"]
    assert fields["id_number"] == "A resident ID number has 18 characters (this one has 5)."
    assert fields["name"] == "String should have at least 1 character"
