"""A visitor finds Huawei in the directory, reads it in Chinese and opens its hall's floor plan."""

import re

import pytest
from playwright.sync_api import expect

from smartexpo.demo.seed import demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_switch_to_chinese_and_open_the_booths_floor_plan(live_server, page):
    demo_seed()
    page.goto(f"{live_server.url}/expos/sce-2019/exhibitors/")
    expect(page.get_by_role("heading", name="Exhibitors")).to_be_visible()

    page.get_by_label("Search").fill("Huawei")
    page.get_by_role("button", name="Search").click()
    huawei = page.locator(".exhibitor-card", has=page.get_by_role("link", name="Huawei"))
    expect(huawei).to_have_count(1)
    expect(page.locator(".result-count")).to_have_text("1 exhibitor")

    page.get_by_role("button", name="中文").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/expos/sce-2019/exhibitors/\?q=Huawei"))
    expect(page.get_by_role("link", name="华为", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="展商")).to_be_visible()

    booth_link = page.locator(".exhibitor-card .booth-link")
    booth_text = booth_link.inner_text()
    booth_code = booth_text.split()[-1]
    booth_link.click()

    expect(page).to_have_url(re.compile(rf"/zh-hans/expos/sce-2019/halls/\w+/\?booth={booth_code}"))
    booth = page.locator(f'svg a.booth.highlighted[data-booth="{booth_code}"]')
    expect(booth).to_have_count(1)
    expect(booth.locator("text.name")).to_have_text("华为")

    # The booth on the plan leads back to the exhibitor.
    booth.click()
    expect(page.get_by_role("heading", name="华为")).to_be_visible()


def test_live_search_updates_results_without_a_reload(live_server, page):
    demo_seed()
    page.goto(f"{live_server.url}/zh-hans/expos/sce-2019/exhibitors/")
    marker = page.evaluate("() => { window.__stay = 1; return window.__stay; }")
    assert marker == 1
    page.get_by_label("搜索").fill("腾讯")
    expect(page.get_by_role("link", name="腾讯", exact=True)).to_be_visible()
    expect(page.locator(".result-count")).to_have_text("1 家展商")
    # Same document: htmx swapped the results in place.
    assert page.evaluate("() => window.__stay") == 1
