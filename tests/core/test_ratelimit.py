"""Registrations are limited per client address, across processes, with Retry-After."""

import secrets

import pytest
from django.test import Client, RequestFactory

from smartexpo.core import ratelimit
from smartexpo.core.ratelimit import HOUR_SECONDS, client_address, rate_limit_check


def random_ip() -> str:
    return f"198.51.{secrets.randbelow(255)}.{secrets.randbelow(254) + 1}"


def test_window_allows_the_limit_then_refuses_until_the_next_minute(db):
    client = random_ip()
    now = 1_700_000_000.0
    verdicts = [rate_limit_check(scope="t", client=client, limit=3, now=now) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 1 <= verdicts[-1].retry_after <= 60
    assert rate_limit_check(scope="t", client=client, limit=3, now=now + 60).allowed


def test_an_hourly_window_counts_the_whole_hour_and_survives_the_minutes_pruning(db, monkeypatch):
    client = random_ip()
    hour = 1_700_002_800.0  # the first second of an hour

    def check(now: float, scope: str = "hourly") -> ratelimit.Verdict:
        return rate_limit_check(
            scope=scope, client=client, limit=2, now=now, window_seconds=HOUR_SECONDS
        )

    assert check(hour).allowed and check(hour + 600).allowed
    # Pruning (now and then, by any count) leaves an hour's counter alone until it is over.
    monkeypatch.setattr(ratelimit.random, "random", lambda: 0.0)
    rate_limit_check(scope="minutely", client=client, limit=5, now=hour + 3000)
    refused = check(hour + 3500)
    assert not refused.allowed
    assert refused.retry_after == 100
    assert check(hour + HOUR_SECONDS).allowed


def test_limit_zero_turns_it_off(db):
    client = random_ip()
    assert all(rate_limit_check(scope="t", client=client, limit=0).allowed for _ in range(50))


def test_clients_are_counted_apart(db):
    a, b = random_ip(), random_ip()
    rate_limit_check(scope="t", client=a, limit=1, now=1e9)
    assert not rate_limit_check(scope="t", client=a, limit=1, now=1e9).allowed
    assert rate_limit_check(scope="t", client=b, limit=1, now=1e9).allowed


def test_forwarded_for_is_believed_only_from_trusted_proxies(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_address(request) == "10.0.0.5"
    settings.SMARTEXPO_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request) == "5.6.7.8"
    # A client cannot hide behind an address it writes itself in front of the proxy's.
    settings.SMARTEXPO_TRUSTED_PROXIES = ["10.0.0.0/8", "5.6.7.8"]
    assert client_address(request) == "1.2.3.4"


@pytest.fixture
def open_day(expo):
    from smartexpo.tickets.services.ticket_types import ticket_type_create

    ticket_type_create(expo=expo, code="day", name_en="Day", days=["2019-08-26"], quota_per_day=100)


def test_the_registration_endpoint_answers_429_with_retry_after(open_day, settings):
    settings.SMARTEXPO_RATE_LIMIT_REGISTRATIONS = 2
    client = Client(REMOTE_ADDR=random_ip())
    statuses = []
    for n in range(3):
        response = client.post(
            "/api/v1/expos/test-2019/registrations",
            {
                "ticket_type": "day",
                "days": ["2019-08-26"],
                "name": f"P{n}",
                "email": f"p{n}@example.cn",
            },
            content_type="application/json",
        )
        statuses.append(response.status_code)
    assert statuses == [201, 201, 429]
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another address is not affected.
    other = Client(REMOTE_ADDR=random_ip()).post(
        "/api/v1/expos/test-2019/registrations",
        {"ticket_type": "day", "days": ["2019-08-26"], "name": "Q", "email": "q@example.cn"},
        content_type="application/json",
    )
    assert other.status_code == 201
