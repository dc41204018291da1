"""The per-address guard (core.flood): a burst, then 429 before Django, other addresses served."""

from __future__ import annotations

import pytest

from smartexpo.core.flood import MAX_ADDRESSES, Buckets
from tests.conftest import ApiClient, error_of


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_an_address_gets_a_burst_of_twice_the_rate_then_waits_for_the_next_token():
    clock = Clock()
    buckets = Buckets(clock)
    assert [buckets.take("10.0.0.1", 5) for _ in range(10)] == [0.0] * 10
    assert buckets.take("10.0.0.1", 5) == pytest.approx(0.2)
    clock.now += 0.2
    assert buckets.take("10.0.0.1", 5) == 0.0
    assert buckets.take("10.0.0.2", 5) == 0.0  # another address has its own budget


def test_idle_addresses_are_forgotten_when_too_many_are_remembered():
    clock = Clock()
    buckets = Buckets(clock)
    for n in range(MAX_ADDRESSES):
        buckets.take(f"a{n}", 10)
    clock.now += 10  # every bucket has refilled
    buckets.take("newcomer", 10)
    assert set(buckets.buckets) == {"newcomer"}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """No token comes back while a test runs, however slowly the machine answers."""
    from smartexpo.core import flood

    monkeypatch.setattr(flood._buckets, "clock", Clock())


@pytest.fixture
def guarded(settings):
    settings.SMARTEXPO_RATE_LIMIT_REQUESTS = 5


def test_past_its_burst_an_address_is_answered_429_in_the_api_error_shape(db, guarded):
    client = ApiClient()
    answers = [client.get("/api/v1/expos") for _ in range(11)]
    assert [a.status_code for a in answers[:10]] == [200] * 10
    refused = answers[10]
    assert refused.status_code == 429
    assert error_of(refused)["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1


def test_a_flooding_address_does_not_take_another_addresses_budget(db, guarded):
    flooder = ApiClient()
    for _ in range(20):
        flooder.get("/api/v1/expos")
    other = ApiClient().client.get("/api/v1/expos", REMOTE_ADDR="127.0.0.2")
    assert other.status_code == 200


def test_pages_are_guarded_with_a_plain_answer(db, settings):
    settings.SMARTEXPO_RATE_LIMIT_REQUESTS = 0.5  # a burst of one
    client = ApiClient()
    assert client.client.get("/").status_code == 200
    refused = client.client.get("/")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/plain")


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(db, guarded, settings):
    settings.SMARTEXPO_TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = ApiClient()
    for _ in range(10):
        proxy.get("/api/v1/expos", headers={"X-Forwarded-For": "198.51.100.7"})
    assert (
        proxy.get("/api/v1/expos", headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 429
    )
    assert (
        proxy.get("/api/v1/expos", headers={"X-Forwarded-For": "198.51.100.8"}).status_code == 200
    )


def test_zero_turns_the_guard_off(db, settings):
    settings.SMARTEXPO_RATE_LIMIT_REQUESTS = 0
    client = ApiClient()
    assert {client.get("/api/v1/expos").status_code for _ in range(50)} == {200}
