"""A visitor, in Chinese, opens their agenda from their tickets page, stars a session of the
forum programme, reserves a seat at another, finds both in the agenda and downloads it as an
iCalendar file."""

import re
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from tests.conftest import public_day_pass, register
from tests.programme.conftest import programme, rooms  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_in_chinese_star_reserve_see_the_agenda_and_download_it(
    live_server,
    page,
    expo,
    programme,  # noqa: F811
):
    public_day_pass(expo, quota_per_day=100)
    token = register(expo, 1).manage_token
    keynote, silk = programme["sessions"]["keynote"].pk, programme["sessions"]["silk"].pk

    page.goto(f"{live_server.url}/zh-hans/expos/test-2019/my/{token}/")
    page.get_by_role("link", name="打开我的日程").click()
    expect(page.get_by_role("heading", name="我的日程", exact=True)).to_be_visible()
    expect(page.get_by_text("这里还是空的。")).to_be_visible()

    page.get_by_role("link", name="浏览论坛日程，收藏场次、预约座位").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/expos/test-2019/programme/$"))
    expect(page.get_by_role("heading", name="论坛日程")).to_be_visible()
    page.locator(f"#s-{keynote}").get_by_role("button", name="收藏").click()
    expect(page.get_by_role("status")).to_have_text("已收藏：该场次已加入您的日程。")
    expect(page.locator(f"#s-{keynote}").get_by_role("button", name="取消收藏")).to_be_visible()

    session = page.locator(f"#s-{silk}")
    expect(session.get_by_text("剩余 3 个座位")).to_be_visible()
    session.get_by_role("button", name="预约座位").click()
    expect(page.get_by_role("status")).to_have_text("座位预约成功，已加入您的日程。")
    expect(page.locator(f"#s-{silk}").get_by_text("已预约座位")).to_be_visible()
    expect(page.locator(f"#s-{silk}").get_by_text("剩余 2 个座位")).to_be_visible()

    page.goto(f"{live_server.url}/zh-hans/expos/test-2019/my/{token}/agenda/")
    agenda = page.locator(".agenda-day")
    expect(agenda.get_by_role("heading", name="8月26日 星期一")).to_be_visible()
    items = agenda.locator(".agenda-item")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("开幕主旨演讲")
    expect(items.nth(0)).to_contain_text("已收藏")
    expect(items.nth(1)).to_contain_text("丝路数字合作")
    expect(items.nth(1)).to_contain_text("已预约座位")

    feed = page.get_by_label("日历地址").input_value()
    assert re.fullmatch(rf"{live_server.url}/expos/test-2019/agenda/[\w-]+\.ics", feed)
    webcal = page.get_by_role("link", name="订阅（webcal://）").get_attribute("href")
    assert webcal == "webcal://" + feed.split("://", 1)[1]
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 .ics").click()
    body = Path(download.value.path()).read_bytes()
    assert body.startswith(b"BEGIN:VCALENDAR"), body[:200]
    calendar = icalendar.Calendar.from_ical(body)
    summaries = {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}
    assert any("丝路数字合作" in s or "Cooperation along the Silk Road" in s for s in summaries)
    assert any("开幕主旨演讲" in s or "Opening keynote" in s for s in summaries)
