"""The waiting-list page says what is true of the day asked for, in the visitor's language:
places left (with the way to register), no such day, no such list, or full (the form)."""

import re

import pytest
from django.test import Client

from smartexpo.tickets.models import WaitlistEntry
from tests.conftest import public_day_pass, register

PAGE = "/expos/test-2019/waitlist/join/"


@pytest.fixture
def public_day(expo):
    """Two days of one place each; the first is taken."""
    public_day_pass(expo, quota_per_day=1)
    register(expo)
    return expo


def test_each_day_is_judged_as_it_is(public_day):
    # Imported here so that the page's tests run, and fail on what they see, without it.
    from smartexpo.tickets.services.waitlist import DayState, waitlist_day

    def state(ticket_type, day):
        return waitlist_day(expo=public_day, ticket_type=ticket_type, day=day).state

    assert state("public-day", "2019-08-26") == DayState.FULL
    assert state("public-day", "2019-08-27") == DayState.AVAILABLE
    assert state("public-day", "2030-01-01") == DayState.NOT_A_DAY
    assert state("public-day", "not-a-date") == DayState.NOT_A_DAY
    assert state("no-such-type", "2019-08-26") == DayState.UNKNOWN_TYPE


def test_a_day_with_places_says_so_in_english_and_links_to_registration(public_day):
    response = Client().get(PAGE, {"ticket_type": "public-day", "day": "2019-08-27"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "is fully booked." not in page
    assert "2019-08-27 is not fully booked: 1 place is left for Public day pass" in page
    assert 'href="/expos/test-2019/register/?ticket_type=public-day&amp;days=2019-08-27"' in page
    assert 'name="email"' not in page


def test_a_day_with_places_says_so_in_chinese_and_links_to_the_chinese_registration(public_day):
    response = Client().get("/zh-hans" + PAGE, {"ticket_type": "public-day", "day": "2019-08-27"})
    page = response.content.decode()
    assert "2019-08-27 已满" not in page
    assert "2019-08-27 尚未满额：普通观众日票 还剩 1 个名额，无需候补。" in page
    assert (
        'href="/zh-hans/expos/test-2019/register/?ticket_type=public-day&amp;days=2019-08-27"'
        in page
    )
    assert 'name="email"' not in page


def test_a_day_that_is_no_day_of_the_type_gets_no_form(public_day):
    response = Client().get(PAGE, {"ticket_type": "public-day", "day": "2030-01-01"})
    page = response.content.decode()
    assert response.status_code == 404
    assert "Public day pass is not valid on 2030-01-01" in page
    assert "fully booked" not in page
    assert 'name="email"' not in page
    chinese = Client().get("/zh-hans" + PAGE, {"ticket_type": "public-day", "day": "2030-01-01"})
    assert "普通观众日票 在 2030-01-01 无效" in chinese.content.decode()
    assert 'name="email"' not in chinese.content.decode()


def test_an_unknown_type_gets_no_form(public_day):
    page = Client().get("/zh-hans" + PAGE, {"ticket_type": "vip", "day": "2019-08-26"})
    assert page.status_code == 404
    assert "本届展会没有此票种" in page.content.decode()
    assert 'name="email"' not in page.content.decode()


def test_a_full_day_offers_the_form(public_day):
    page = Client().get("/zh-hans" + PAGE, {"ticket_type": "public-day", "day": "2019-08-26"})
    assert page.status_code == 200
    assert "2019-08-26 已满" in page.content.decode()
    assert 'name="email"' in page.content.decode()


def test_posting_to_a_day_with_places_joins_nobody_and_says_so_translated(public_day):
    response = Client().post(
        "/zh-hans" + PAGE + "?ticket_type=public-day&day=2019-08-27",
        {"name": "W", "email": "w@example.cn"},
    )
    page = response.content.decode()
    assert not WaitlistEntry.objects.exists()
    assert "Places are still available" not in page
    assert "尚未满额" in page
    assert "/zh-hans/expos/test-2019/register/?ticket_type=public-day&amp;days=2019-08-27" in page


def test_the_registration_page_takes_the_type_and_day_the_link_names(public_day):
    page = (
        Client()
        .get("/expos/test-2019/register/", {"ticket_type": "public-day", "days": "2019-08-27"})
        .content.decode()
    )
    assert '<option value="public-day" selected>' in page
    assert re.search(r'<input type="checkbox" name="days" value="2019-08-27"[^>]* checked', page)
    assert not re.search(
        r'<input type="checkbox" name="days" value="2019-08-26"[^>]* checked', page
    )
