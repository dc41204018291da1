"""The organiser's dashboard page and its JSON: who may see them, both languages, the sources
linked, the payload kept between polls, and no 500 on any address."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.test import Client

from smartexpo.deals import selectors as deals
from smartexpo.exhibitors.models import MemberRole
from smartexpo.reports import dashboard_cache
from smartexpo.venue.models import Expo
from tests.checkin.conftest import issue, make_types, scan, scanner_client
from tests.conftest import error_of
from tests.portal.conftest import member
from tests.reports.conftest import signed_in

pytestmark = pytest.mark.django_db

PAGE = "/expos/test-2019/reports/dashboard/"
DATA = "/expos/test-2019/reports/dashboard/data.json"
ZH_PAGE = "/zh-hans" + PAGE
ZH_DATA = "/zh-hans" + DATA
TEN = dt.datetime(2019, 8, 26, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def fresh_dashboard():
    dashboard_cache.forget()
    yield
    dashboard_cache.forget()


def config_of(html: str) -> dict:
    match = re.search(
        r'<script id="dashboard-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page passes its configuration in a json_script block"
    return json.loads(match.group(1))


# --- who may see it ------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_admin_login(expo):
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={PAGE}"
    answer = Client().get(DATA)
    assert answer.status_code == 401
    assert error_of(answer)["code"] == "unauthenticated"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_signed_in_account_without_staff_status_is_refused(expo, language):
    client = signed_in("visitor")
    prefix = "" if language == "en" else "/zh-hans"
    page = client.get(prefix + PAGE)
    assert page.status_code == 403
    text = page.content.decode()
    assert ("Organisers only" if language == "en" else "仅限主办方") in text
    refused = client.get(prefix + DATA)
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "forbidden"


def test_an_inactive_staff_account_is_refused(expo):
    assert signed_in("gone", is_staff=True, is_active=False).get(PAGE).status_code in (302, 403)


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_staff_and_superusers_see_the_page_and_its_json(expo, flags):
    client = signed_in("someone", **flags)
    assert client.get(PAGE).status_code == 200
    assert client.get(DATA).status_code == 200


@pytest.mark.parametrize("role", [MemberRole.ADMIN, MemberRole.STAFF])
def test_an_exhibitors_portal_member_is_not_an_organiser(expo, role):
    user = member(expo.test_exhibitors["huawei"], f"{role}@huawei.example.cn", role)
    client = Client()
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.get(DATA).status_code == 403


def test_an_unknown_edition_is_not_found(organiser, expo):
    assert organiser.get("/expos/nope/reports/dashboard/").status_code == 404
    missing = organiser.get("/expos/nope/reports/dashboard/data.json")
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "not_found"


def test_an_unpublished_edition_is_shown_to_organisers(organiser, expo):
    Expo.objects.filter(pk=expo.pk).update(is_published=False)
    assert organiser.get(PAGE).status_code == 200


def test_only_reads_are_answered(organiser, expo):
    assert organiser.post(PAGE).status_code == 405
    assert organiser.post(DATA).status_code == 405
    assert organiser.get(PAGE, {"at": "not an instant"}).status_code == 200


# --- the page ------------------------------------------------------------------------------------


def test_the_page_in_english_shows_every_section_and_links_to_its_sources(organiser, on_day_one):
    make_types(on_day_one)
    response = organiser.get(PAGE)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    for title in (
        "Organiser's dashboard",
        "Registrations against the quotas",
        "Booking curve",
        "Today's admissions",
        "Halls now",
        "Alerts",
        "Predicted alerts",
        "Forum attendance",
        "Business meetings",
        "Leads captured",
        "Deals tally",
    ):
        assert title in html, title
    assert "Demo clock 2019-08-26 10:0" in html
    assert "measured by each gate's queue sensor" in html
    assert "No gate has a queue zone: gate waits are not measured." in html
    for source in (
        "/expos/test-2019/live/",
        "/admin/tickets/tickettype/?expo__id__exact=",
        f"/admin/checkin/scan/entries/?expo={on_day_one.pk}&day=2019-08-26",
        "/admin/crowd/crowdalert/",
        "/expos/test-2019/planning/lanes/",
        "/expos/test-2019/deals/",
        "/api/v1/expos/test-2019/venue/occupancy",
        "/api/v1/expos/test-2019/venue/alerts/predicted",
        "/api/v1/expos/test-2019/deals/tally",
        "/api/v1/expos/test-2019/ticket-types",
    ):
        assert source in html, source
    config = config_of(html)
    assert config["url"] == DATA
    assert config["pollMs"] > 0
    assert "reports/dashboard.js" in html
    # Every script and stylesheet is the site's own: none from another host (a CDN).
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)


def test_the_page_in_chinese(organiser, on_day_one):
    make_types(on_day_one)
    response = organiser.get(ZH_PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    for title in ("主办方仪表板", "报名与配额", "预订曲线", "今日入场", "各展馆现状", "成交统计"):
        assert title in html, title
    config = config_of(html)
    assert config["url"] == ZH_DATA
    assert "更新于" in config["strings"]["updated"]
    assert "/zh-hans/expos/test-2019/live/" in html


def test_the_json_answers_the_sections_rendered_in_the_requests_language(organiser, on_day_one):
    make_types(on_day_one)
    body = organiser.get(DATA).json()
    assert set(body["sections"]) == {
        "registrations",
        "bookings",
        "admissions",
        "halls",
        "alerts",
        "activity",
        "deals",
    }
    assert body["at"].startswith("2019-08-26T10:0") and body["at"].endswith("+08:00")
    assert "Registrations against the quotas" in body["sections"]["registrations"]
    assert body["figures"]["registrations"]["days"][0] == "2019-08-26"
    chinese = organiser.get(ZH_DATA).json()
    assert "报名与配额" in chinese["sections"]["registrations"]


# --- kept between polls ------------------------------------------------------------------------


def admitted_today(client) -> int:
    return client.get(DATA).json()["figures"]["admissions"]["total"]


def test_polls_within_the_interval_are_answered_the_payload_built_once(
    organiser, on_day_one, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    # Every build counts as quick, however busy the machine: rebuilt in the request.
    settings.DASHBOARD_REBUILD_INLINE_SECONDS = 3600
    make_types(on_day_one)
    scanner = scanner_client(on_day_one)
    _ticket, secret = issue(on_day_one)
    deals.tally(expo=on_day_one)  # its signing key is made on first use: a catalogue change
    assert admitted_today(organiser) == 0
    assert scan(scanner, secret, at="2019-08-26T09:30:00+08:00").status_code == 200
    # Within the interval the payload kept is answered: the same instant, the same figures.
    assert admitted_today(organiser) == 0
    # A new interval (here: none kept) shows the admission.
    settings.DASHBOARD_CACHE_SECONDS = 0
    organiser.get(DATA)  # this poll rebuilds; another poll meanwhile would get the last one
    assert admitted_today(organiser) == 1


@pytest.mark.django_db(transaction=True)
def test_a_slow_build_is_redone_on_a_thread_while_polls_get_the_last_one(
    organiser, on_day_one, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    make_types(on_day_one)
    scanner = scanner_client(on_day_one)
    _ticket, secret = issue(on_day_one)
    deals.tally(expo=on_day_one)  # its signing key is made on first use: a catalogue change
    assert admitted_today(organiser) == 0
    assert scan(scanner, secret, at="2019-08-26T09:30:00+08:00").status_code == 200
    # Every build counts as slow: the poll that finds the payload out of date is answered the
    # last one at once, and the rebuild runs on a thread of its own.
    settings.DASHBOARD_CACHE_SECONDS = 0
    settings.DASHBOARD_REBUILD_INLINE_SECONDS = 0
    assert admitted_today(organiser) == 0
    dashboard_cache.rebuilds_join(timeout=60)
    settings.DASHBOARD_CACHE_SECONDS = 3600
    assert admitted_today(organiser) == 1
    # In the language of the payload it replaced.
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert "预订曲线" in organiser.get(ZH_DATA).json()["sections"]["bookings"]
    organiser.get(ZH_DATA)
    dashboard_cache.rebuilds_join(timeout=60)
    settings.DASHBOARD_CACHE_SECONDS = 3600
    assert "预订曲线" in organiser.get(ZH_DATA).json()["sections"]["bookings"]


def test_a_new_ticket_type_is_shown_at_the_next_poll_whatever_the_interval(
    organiser, on_day_one, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    assert organiser.get(DATA).json()["figures"]["registrations"]["types"] == []
    make_types(on_day_one)  # a catalogue change: the stamp moves
    types = organiser.get(DATA).json()["figures"]["registrations"]["types"]
    assert {t["code"] for t in types} == {"day", "pro"}


def test_each_language_keeps_its_own_payload(organiser, on_day_one, settings):
    settings.DASHBOARD_CACHE_SECONDS = 3600
    assert "Booking curve" in organiser.get(DATA).json()["sections"]["bookings"]
    assert "预订曲线" in organiser.get(ZH_DATA).json()["sections"]["bookings"]
    assert "Booking curve" in organiser.get(DATA).json()["sections"]["bookings"]
