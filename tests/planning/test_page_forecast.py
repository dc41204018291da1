"""The lanes page planned from the attendance forecast: the default source, the instant it is
made at, the forecast's table above the plan, clear errors, and in Chinese."""

from __future__ import annotations

import pytest

from smartexpo.planning.pages import STASH

from .forecast_world import world_make


@pytest.fixture
def world(db):
    return world_make()


def url(slug, lang=""):
    return f"{lang}/expos/{slug}/planning/lanes/"


def post(client, slug="w-2019", lang="", **fields):
    data = {"source": "forecast", "wait_minutes": "10", "percentile": "95", **fields}
    return client.post(url(slug, lang), data)


def test_the_forecast_is_the_default_source_and_an_edition_over_is_planned_from_its_eve(
    staff, world
):
    html = staff.get(url("w-2019")).content.decode()
    assert 'value="forecast" id="id_source_0" checked' in html
    # 2019 is over: the page offers the eve of its opening.
    assert 'name="as_of" value="2019-08-25T09:00"' in html


def test_planning_from_the_forecast_shows_it_above_the_plan(staff, world):
    answer = post(staff, as_of="2019-08-19T09:00")
    assert answer.status_code == 302, answer.content.decode()[:2000]
    page = staff.get(answer["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Attendance forecast as of 2019-08-19 09:00" in html
    assert "Learned from w-2018" in html
    assert "Arrivals: the attendance forecast as of 2019-08-19 09:00" in html
    assert html.count("<td>2019-08-2") >= 4  # a row per day
    assert "Gate G-N: 4 lanes installed" in html and "Gate G-E: 2 lanes installed" in html
    assert 'name="as_of" value="2019-08-19T09:00"' in html  # the form keeps the instant
    kept = staff.session[STASH]["w-2019"]
    assert kept["forecast"]["days"][0]["state"] == "forecast"
    assert kept["text"].startswith("gate,period_start,arrivals\n")
    # The exports hold the same plan.
    key = answer["Location"].split("?plan=")[1]
    csv = staff.get(f"/expos/w-2019/planning/lanes/plan.csv?plan={key}")
    assert csv.status_code == 200 and b"G-N" in csv.content


def test_the_forecast_page_in_chinese(staff, world):
    answer = post(staff, lang="/zh-hans", as_of="2019-08-19T09:00")
    assert answer.status_code == 302
    html = staff.get(answer["Location"]).content.decode()
    assert "出席预测" in html and "开幕日" in html


def test_a_file_source_without_a_file_is_a_clear_error_and_keeps_the_target(staff, world):
    answer = post(staff, source="file", wait_minutes="12")
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "Choose a CSV file of expected arrivals." in html
    assert 'name="wait_minutes" value="12' in html


@pytest.mark.parametrize("when", ["tomorrow", "2019-02-30T09:00"])
def test_a_bad_instant_is_a_form_error(staff, world, when):
    answer = post(staff, as_of=when)
    assert answer.status_code == 422
    assert "Enter a valid date/time." in answer.content.decode()


def test_an_edition_without_history_is_planned_from_the_defaults_and_says_so(staff, world):
    answer = post(staff, slug="w-2018", as_of="2018-08-20T09:00")
    assert answer.status_code == 302
    html = staff.get(answer["Location"]).content.decode()
    assert "No previous edition to learn from: documented defaults." in html
    assert "default rates" in html


def test_the_page_plans_for_the_expected_arrivals_when_asked(staff, world):
    answer = post(staff, as_of="2019-08-19T09:00", plan_for="expected")
    assert answer.status_code == 302
    html = staff.get(answer["Location"]).content.decode()
    assert "Arrivals: the attendance forecast as of 2019-08-19 09:00, the expected arrivals" in html
    assert '<option value="expected" selected>' in html
    upper = post(staff, as_of="2019-08-19T09:00")
    html = staff.get(upper["Location"]).content.decode()
    assert "the upper end of its 80 % intervals" in html
