"""The registration POST's hot WSGI route answers exactly as the ninja route behind Django does."""

import itertools
import json

import pytest
from django.test import Client

from smartexpo.tickets.models import Registration
from tests.conftest import ApiClient, error_of
from tests.core.test_ratelimit import random_ip
from tests.tickets.test_registration_api import REGS, resident_id

SECURITY_HEADERS = ("Content-Type", "X-Content-Type-Options", "Referrer-Policy")
_people = itertools.count(400)


@pytest.fixture
def day_pass(expo, organizer):
    response = organizer.post(
        "/api/v1/expos/test-2019/ticket-types",
        {
            "code": "day",
            "name": {"en": "Day", "zh": "日票"},
            "days": ["2019-08-26", "2019-08-27"],
            "quota_per_day": 100,
        },
    )
    assert response.status_code == 201
    organizer.post(
        "/api/v1/expos/test-2019/ticket-types",
        {
            "code": "tiny",
            "name": {"en": "Tiny", "zh": "小"},
            "days": ["2019-08-26"],
            "quota_per_day": 0,
        },
    )


def person(**extra) -> dict:
    n = next(_people)
    return {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": f"Visitor {n}",
        "email": f"v{n}@example.cn",
        "id_number": resident_id(seq=f"{n:03d}"),
        **extra,
    }


def both(path: str, raw: str, headers: dict | None = None):
    """The same request through Django's full stack (the ninja route) and through the WSGI
    application that `smartexpo serve` runs (the registration route)."""
    django = Client().post(path, raw, content_type="application/json", headers=headers)
    served = ApiClient().post(path, raw=raw, headers=headers)
    return django, served


@pytest.mark.parametrize(
    ("environ", "slug"),
    [
        (
            {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/expos/sce-2019/registrations"},
            "sce-2019",
        ),
        ({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/expos/sce-2019/registrations"}, None),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/expos/sce-2019/registrations/"}, None),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/expos/x/registrations/import"}, None),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/expos/x/registrations/3/cancel"}, None),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/expos/a/b/registrations"}, None),
        ({"REQUEST_METHOD": "POST", "PATH_INFO": "/api/v2/expos/x/registrations"}, None),
    ],
)
def test_only_the_registration_post_takes_the_route(environ, slug):
    from smartexpo.tickets.api import create_registration
    from smartexpo.wsgi import hot_routes

    found = hot_routes.match(environ)
    if slug is None:
        assert found is None or found[0] is not create_registration
    else:
        assert found == (create_registration, {"expo": slug})


def test_the_served_application_answers_registrations_through_the_route(day_pass, monkeypatch):
    from smartexpo import wsgi

    def django_must_not_answer(environ, start_response):
        raise AssertionError(f"Django's API handler answered {environ['PATH_INFO']}")

    monkeypatch.setattr(wsgi, "_api", django_must_not_answer)
    response = ApiClient().post(REGS, person())
    assert response.status_code == 201
    with pytest.raises(AssertionError, match="Django's API handler"):
        ApiClient().get(REGS + "/1")


@pytest.mark.parametrize(
    "raw",
    [
        "{nope",
        "[1, 2]",
        "",
        json.dumps({"ticket_type": "day", "days": ["2019-08-26"], "name": 5, "email": "x"}),
        json.dumps({"ticket_type": "nope", "days": ["2019-08-26"], "name": "A", "email": "a@x.cn"}),
        json.dumps(
            {
                "ticket_type": "day",
                "days": ["2019-08-26"],
                "name": "A",
                "email": "a@x.cn",
                "id_number": "110105199002301234",
            }
        ),
        json.dumps({"ticket_type": "tiny", "days": ["2019-08-26"], "name": "A", "email": "a@x.cn"}),
    ],
    ids=["malformed", "not-an-object", "empty", "wrong-type", "unknown-type", "bad-id", "sold-out"],
)
def test_refusals_are_the_same_through_both_routes(day_pass, raw):
    django, served = both(REGS, raw)
    assert served.status_code == django.status_code
    assert served.json() == django.json()
    for header in SECURITY_HEADERS:
        assert served.get(header) == django.get(header), header
    assert Registration.objects.count() == 0


def test_an_unknown_edition_is_404_on_both_routes(day_pass):
    django, served = both("/api/v1/expos/nope/registrations", json.dumps(person()))
    assert served.status_code == django.status_code == 404
    assert served.json() == django.json()


def test_a_registration_is_answered_with_the_same_shape_and_headers(day_pass):
    django = Client().post(REGS, person(), content_type="application/json")
    served = ApiClient().post(REGS, person())
    assert served.status_code == django.status_code == 201
    assert set(served.json()) == set(django.json())
    assert served.json()["tickets"][0].keys() == django.json()["tickets"][0].keys()
    for header in SECURITY_HEADERS:
        assert served.get(header) == django.get(header), header
    assert Registration.objects.count() == 2


def test_a_duplicate_and_an_idempotent_replay_through_the_route(day_pass):
    body = person()
    key = {"Idempotency-Key": "route-1"}
    first = ApiClient().post(REGS, body, headers=key)
    again = ApiClient().post(REGS, body, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    duplicate = ApiClient().post(REGS, body)
    assert duplicate.status_code == 409
    assert error_of(duplicate)["code"] == "duplicate"
    assert Registration.objects.count() == 1


def test_a_body_over_the_limit_is_413_before_it_is_read(day_pass, settings):
    settings.SMARTEXPO_MAX_BODY_BYTES = 1024
    raw = json.dumps(person(name="x" * 2000))
    response = ApiClient().post(REGS, raw=raw)
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert Registration.objects.count() == 0


def test_an_unknown_host_is_refused_with_the_error_shape(day_pass):
    response = ApiClient().post(REGS, person(), headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "malformed"
    assert Registration.objects.count() == 0


def test_the_rate_limit_answers_429_with_retry_after_through_the_route(day_pass, settings):
    settings.SMARTEXPO_RATE_LIMIT_REGISTRATIONS = 1
    client = ApiClient()
    # Counters outlive a test run (a file beside the database): an address of its own.
    client.client.defaults["REMOTE_ADDR"] = random_ip()
    assert client.post(REGS, person()).status_code == 201
    refused = client.post(REGS, person())
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert Registration.objects.count() == 1


def test_an_unexpected_failure_is_a_shaped_500_and_the_next_request_works(
    day_pass, monkeypatch, caplog
):
    from smartexpo.tickets.services import registration

    real = registration.registration_create
    failures = iter([True])

    def flaky(**kwargs):
        if next(failures, False):
            raise RuntimeError("disk on fire")
        return real(**kwargs)

    monkeypatch.setattr(registration, "registration_create", flaky)
    broken = ApiClient().post(REGS, person())
    assert broken.status_code == 500
    assert error_of(broken)["code"] == "internal_error"
    assert "disk on fire" not in broken.content.decode()
    assert "Unhandled error" in caplog.text
    assert ApiClient().post(REGS, person()).status_code == 201
