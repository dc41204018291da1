"""The waiting-list page tells a visitor the truth about a day: places left lead to the
registration form with the day chosen; a day that is no day of the type offers no form."""

import re

import pytest
from playwright.sync_api import expect

from smartexpo.tickets.services.registration import registration_create
from tests.conftest import make_expo, public_day_pass, rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def public_day(taxonomy):
    expo = make_expo(slug="sce-test")
    public_day_pass(expo, quota_per_day=1)
    registration_create(
        expo=expo,
        ticket_type="public-day",
        days=["2019-08-26"],
        name="A",
        email="a@example.cn",
        id_number=rid(1),
    )
    return expo


def test_a_day_with_places_leads_to_registration_with_the_day_chosen(live_server, page, public_day):
    page.goto(
        f"{live_server.url}/expos/sce-test/waitlist/join/?ticket_type=public-day&day=2019-08-27"
    )
    expect(page.get_by_role("status")).to_contain_text(
        "2019-08-27 is not fully booked: 1 place is left for Public day pass"
    )
    expect(page.get_by_role("button", name="Join the waiting list")).to_have_count(0)

    page.get_by_role("link", name="Register for 2019-08-27").click()
    expect(page).to_have_url(re.compile(r"/expos/sce-test/register/\?"))
    expect(page.get_by_label("Ticket type")).to_have_value("public-day")
    expect(page.get_by_label("2019-08-27")).to_be_checked()
    expect(page.get_by_label("2019-08-26")).not_to_be_checked()
    page.get_by_label("Full name (as on your ID)").fill("Wang Fang")
    page.get_by_role("textbox", name="Email", exact=True).fill("wang.fang@example.cn")
    page.get_by_label("ID number").fill(rid(2))
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(re.compile(r"/expos/sce-test/my/sxm_[\w-]+/$"))


def test_in_chinese_a_day_of_no_ticket_is_said_so_and_only_a_full_day_has_the_form(
    live_server, page, public_day
):
    base = f"{live_server.url}/zh-hans/expos/sce-test/waitlist/join/?ticket_type=public-day"
    page.goto(base + "&day=2030-01-01")
    expect(page.get_by_role("alert")).to_contain_text(
        "普通观众日票 在 2030-01-01 无效：当天没有名额，也没有候补名单。"
    )
    expect(page.get_by_role("textbox", name="电子邮箱", exact=True)).to_have_count(0)
    page.get_by_role("link", name="查看各票种、日期和剩余名额").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/expos/sce-test/register/$"))

    page.goto(base + "&day=2019-08-27")
    expect(page.get_by_role("status")).to_contain_text("2019-08-27 尚未满额")
    expect(page.get_by_role("link", name="立即登记 2019-08-27")).to_be_visible()
    expect(page.get_by_role("textbox", name="电子邮箱", exact=True)).to_have_count(0)

    page.goto(base + "&day=2019-08-26")
    expect(page.get_by_text("2019-08-26 已满")).to_be_visible()
    page.get_by_label("姓名（与证件一致）").fill("赵雷")
    page.get_by_role("textbox", name="电子邮箱", exact=True).fill("zhao.lei@example.cn")
    page.get_by_role("button", name="加入候补名单").click()
    expect(page.get_by_role("status")).to_contain_text("您在 2019-08-26 候补名单中排第 1 位")
