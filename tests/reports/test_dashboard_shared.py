"""The dashboard built once for every worker by the report worker (`dashboard_shared`): served
while the refresher is alive and under the stamp it was built under, built in the process
otherwise, never built twice at once by two refreshers."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from smartexpo.core.stamps import stamp_read
from smartexpo.deals import selectors as deals
from smartexpo.reports import dashboard_cache, dashboard_shared
from smartexpo.reports.models import SharedAnswer
from tests.checkin.conftest import issue, make_types, scan, scanner_client
from tests.reports.test_dashboard_page import DATA, PAGE, ZH_DATA, admitted_today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh(settings, monkeypatch):
    # Every request looks at the rows again (the once-a-second memo is the module's speed,
    # not what these tests are about).
    monkeypatch.setattr(dashboard_shared, "CHECK_SECONDS", 0.0)
    settings.DASHBOARD_CACHE_SECONDS = 3600
    dashboard_cache.forget()
    dashboard_shared.forget()
    yield
    dashboard_cache.forget()
    dashboard_shared.forget()


@pytest.fixture
def in_process_builds(monkeypatch) -> list[int]:
    """Counts the payloads built by the web side (`dashboard_cache`), not the refresher's."""
    built: list[int] = []
    real = dashboard_cache.dashboard_payload

    def counted(**kwargs):
        built.append(1)
        return real(**kwargs)

    monkeypatch.setattr(dashboard_cache, "dashboard_payload", counted)
    return built


def stored(key_language: str = "en") -> SharedAnswer:
    return SharedAnswer.objects.get(key__startswith="dashboard:", key__endswith=key_language)


def test_without_a_report_worker_each_process_builds_its_own(
    organiser, on_day_one, in_process_builds
):
    assert organiser.get(DATA).status_code == 200
    assert in_process_builds == [1]
    assert not SharedAnswer.objects.exists()  # nobody would build it: nothing is asked


def test_with_the_refresher_alive_the_answer_it_stored_is_served(
    organiser, on_day_one, in_process_builds, monkeypatch
):
    dashboard_shared.refresh_pass()  # the heartbeat: a report worker runs
    first = organiser.get(DATA)
    assert first.status_code == 200 and in_process_builds == [1]  # asked; built here meanwhile
    assert SharedAnswer.objects.filter(key__startswith="dashboard:").count() == 1
    assert dashboard_shared.refresh_pass() == 1
    answer = stored()
    # From now on the web side builds nothing: it answers the refresher's bytes as they are.
    monkeypatch.setattr(dashboard_cache, "dashboard_payload", None)
    served = organiser.get(DATA)
    assert served.status_code == 200
    assert served.content == bytes(answer.body)
    assert served.json()["figures"]["registrations"]["days"][0] == "2019-08-26"
    page = organiser.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    # The sections' HTML is the stored one, not escaped a second time.
    assert (
        'id="dash-registrations"' in html
        and "&lt;" not in html.split("dash-registrations")[1][:200]
    )
    assert "Registrations against the quotas" in html


def test_each_language_has_its_own_stored_answer(organiser, on_day_one, monkeypatch):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    organiser.get(ZH_DATA)
    assert dashboard_shared.refresh_pass() == 2
    monkeypatch.setattr(dashboard_cache, "dashboard_payload", None)
    assert "报名与配额" in organiser.get(ZH_DATA).json()["sections"]["registrations"]
    assert (
        "Registrations against the quotas"
        in organiser.get(DATA).json()["sections"]["registrations"]
    )


def test_a_scan_shows_once_the_refresher_rebuilds_after_its_interval(
    organiser, on_day_one, settings
):
    make_types(on_day_one)
    scanner = scanner_client(on_day_one)
    _ticket, secret = issue(on_day_one)
    deals.tally(expo=on_day_one)  # its signing key is made on first use: a catalogue change
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    dashboard_shared.refresh_pass()
    assert admitted_today(organiser) == 0
    assert scan(scanner, secret, at="2019-08-26T09:30:00+08:00").status_code == 200
    assert dashboard_shared.refresh_pass() == 0  # within the interval: kept
    assert admitted_today(organiser) == 0
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert dashboard_shared.refresh_pass() == 1
    assert admitted_today(organiser) == 1


def test_a_new_ticket_type_shows_at_once_though_the_stored_answer_is_of_the_old_stamp(
    organiser, on_day_one, in_process_builds
):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    dashboard_shared.refresh_pass()
    assert organiser.get(DATA).json()["figures"]["registrations"]["types"] == []
    built = len(in_process_builds)
    make_types(on_day_one)  # the stamp moves: the stored answer is of the old one
    types = organiser.get(DATA).json()["figures"]["registrations"]["types"]
    assert {t["code"] for t in types} == {"day", "pro"}
    assert len(in_process_builds) == built + 1
    dashboard_shared.refresh_pass()  # rebuilt under the new stamp: served again
    assert stored().version == str(stamp_read())
    organiser.get(DATA)
    assert len(in_process_builds) == built + 1


def test_a_refresher_that_stopped_hands_the_builds_back_to_the_processes(
    organiser, on_day_one, in_process_builds
):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    built = len(in_process_builds)
    # The heartbeat is older than a live refresher's: the process builds its own again.
    SharedAnswer.objects.filter(key=dashboard_shared.REFRESHER_KEY).update(
        built_at=timezone.now() - dashboard_shared.ALIVE - dt.timedelta(seconds=1)
    )
    dashboard_cache.forget()
    assert organiser.get(DATA).status_code == 200
    assert len(in_process_builds) == built + 1


def test_a_stored_answer_far_older_than_its_interval_is_not_served(
    organiser, on_day_one, in_process_builds
):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    dashboard_shared.refresh_pass()
    late = timezone.now() - dt.timedelta(seconds=3600) - dashboard_shared.LATE
    SharedAnswer.objects.filter(key__startswith="dashboard:").update(
        built_at=late - dt.timedelta(seconds=1), lease_until=timezone.now() + dt.timedelta(hours=1)
    )
    dashboard_shared.refresh_pass()  # claimed by a refresher that died: not rebuilt yet
    dashboard_cache.forget()  # nothing kept in the process either
    built = len(in_process_builds)
    assert organiser.get(DATA).status_code == 200
    assert len(in_process_builds) == built + 1


def test_an_answer_of_an_edition_deleted_since_is_dropped(organiser, on_day_one):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    SharedAnswer.objects.filter(key__startswith="dashboard:").update(key="dashboard:999999:en")
    assert dashboard_shared.refresh_pass() == 0
    assert not SharedAnswer.objects.filter(key__startswith="dashboard:").exists()


@pytest.mark.django_db(transaction=True)  # the command closes the connections it finds
def test_run_jobs_once_builds_the_answers_asked_for(organiser, on_day_one):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    call_command("reports", "run-jobs", "--once")
    assert stored().body


@pytest.mark.django_db(transaction=True)
def test_two_refreshers_at_once_build_an_answer_once(organiser, on_day_one, monkeypatch):
    dashboard_shared.refresh_pass()
    organiser.get(DATA)
    builds: list[str] = []
    real = dashboard_shared.build
    both_in = threading.Barrier(2)

    def slow(key):
        builds.append(key)
        time.sleep(0.5)  # the other refresher runs its pass meanwhile
        return real(key)

    monkeypatch.setattr(dashboard_shared, "build", slow)
    counts: list[int] = []

    def refresher():
        try:
            both_in.wait(timeout=10)
            counts.append(dashboard_shared.refresh_pass())
        finally:
            connection.close()

    threads = [threading.Thread(target=refresher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(counts) == [0, 1]
    assert len(builds) == 1
    assert stored().body
