"""A visitor opens their meetings page from the manage link: the schedule with the place, the
map of the tables opened with their table marked, the calendar link answering a feed, and a
busy time typed the wrong way round refused with what was typed kept.

(The flow's writes that succeed — opt in, request, accept — go through the request services;
tests/meetings/test_pages_writes.py asks them.)"""

import pytest
from playwright.sync_api import expect

from tests.meetings.pages_world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_reads_schedule_map_and_calendar_and_is_refused_kindly(live_server, page, expo):
    world = build(expo)
    url = f"{live_server.url}/expos/{expo.slug}/my/{world.li.manage_token}/meetings/"
    page.goto(url)
    expect(page.get_by_role("heading", name="My business meetings")).to_be_visible()
    meeting = page.locator(f'[data-meeting="{world.table_meeting.request_id}"]')
    expect(meeting).to_contain_text("Huawei")
    expect(meeting).to_contain_text("Table 3")
    # The map is folded away until asked for; then table 3 is the one marked.
    mine = meeting.locator('g.mine[data-table="3"] rect')
    expect(mine).to_be_hidden()
    meeting.get_by_text("Map").click()
    expect(mine).to_be_visible()
    fill = mine.evaluate("el => getComputedStyle(el).fill")
    other = meeting.locator('g[data-table="4"] rect').evaluate("el => getComputedStyle(el).fill")
    assert fill != other
    # The calendar link answers an iCalendar feed of that meeting.
    href = page.locator("[data-ics]").get_attribute("href")
    feed = page.request.get(live_server.url + href)
    assert feed.ok and feed.headers["content-type"].startswith("text/calendar")
    assert f"meeting-{world.table_meeting.request_id}@" in feed.text()
    # A busy time that ends before it starts: refused, the times typed still there.
    page.locator("#id_starts_at").fill("2019-08-26T11:00")
    page.locator("#id_ends_at").fill("2019-08-26T10:00")
    page.get_by_role("button", name="Add busy time").click()
    expect(page.get_by_role("alert")).to_contain_text("The end must be after the start.")
    expect(page.locator("#id_starts_at")).to_have_value("2019-08-26T11:00")
    expect(page.locator("#id_ends_at")).to_have_value("2019-08-26T10:00")
    # In Chinese, the same page.
    page.goto(url.replace(live_server.url, live_server.url + "/zh-hans"))
    expect(page.get_by_role("heading", name="我的商务洽谈")).to_be_visible()
    expect(page.locator(f'[data-meeting="{world.table_meeting.request_id}"]')).to_contain_text(
        "3号桌"
    )
