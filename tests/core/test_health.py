"""`GET /healthz` and `GET /readyz`: answered to anyone, without a cookie, a rate limit or the
database (healthz); ready only with a database that answers and is migrated (readyz)."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from smartexpo.core import health
from tests.conftest import ProductionHandler

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def migrations_checked_afresh():
    health.forget()
    yield
    health.forget()


def _clients():
    """Django's test client (the site's whole middleware stack), and the WSGI application
    `serve` runs."""
    site = Client()
    production = Client()
    production.handler = ProductionHandler()
    return {"site": site, "production": production}


@pytest.mark.parametrize("which", ["site", "production"])
def test_healthz_answers_ok_without_the_database_or_a_cookie(which, django_assert_num_queries):
    client = _clients()[which]
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"].startswith("application/json")
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response
    assert not response.cookies


@pytest.mark.parametrize("which", ["site", "production"])
def test_readyz_answers_ready_on_a_migrated_database(which):
    response = _clients()[which].get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}
    assert "Set-Cookie" not in response
    assert not response.cookies


def test_readyz_checks_the_migrations_once_then_only_the_round_trip(django_assert_num_queries):
    client = Client()
    assert client.get("/readyz").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


def test_readyz_is_not_ready_while_a_migration_is_missing(caplog):
    latest = MigrationRecorder.Migration.objects.filter(app="core").order_by("-id").first()
    latest.delete()  # as if the code were newer than `smartexpo migrate` last run
    with caplog.at_level(logging.WARNING):
        response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": "not_ready",
            "message": "Migrations are not applied yet.",
            "detail": {"reason": "migrations"},
        }
    }
    assert response["Retry-After"] == "1"
    # Expected while a deployment migrates: not an error in the server's log.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    latest.save()
    assert Client().get("/readyz").status_code == 200


@pytest.mark.parametrize("which", ["site", "production"])
def test_readyz_is_not_ready_when_the_database_does_not_answer(which, monkeypatch, caplog):
    def unreachable():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "database_ping", unreachable)
    with caplog.at_level(logging.WARNING):
        response = _clients()[which].get("/readyz")
    assert response.status_code == 503
    error = response.json()["error"]
    assert (error["code"], error["detail"]) == ("not_ready", {"reason": "database"})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # The process itself is still up.
    assert _clients()[which].get("/healthz").status_code == 200


def test_health_checks_pass_the_per_address_budget(settings):
    """A balancer checks from one address: the budget that would refuse its hundredth request
    to a page never refuses a health check."""
    settings.SMARTEXPO_RATE_LIMIT_REQUESTS = 1
    client = _clients()["production"]
    assert [client.get("/healthz").status_code for _ in range(20)] == [200] * 20
    assert [client.get("/readyz").status_code for _ in range(5)] == [200] * 5
    # The budget itself is on: a burst of two, then refusals.
    assert 429 in [client.get("/api/v1/expos").status_code for _ in range(5)]


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_get_and_head_only(path):
    client = Client()
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405
