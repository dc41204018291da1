"""Wayfinding in a browser (issue 13, journey 11), in English and in Chinese: a visitor types a
booth code into the directory, opens the exhibitor, sees its booth on a small plan, follows it
to the hall plan, zooms and pans that plan on a phone, and comes back to the directory with the
filters kept."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from smartexpo.demo.seed import demo_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
WORDS = {
    "en": {
        "search": "Search",
        "all": "← All exhibitors",
        "hall_plan": "Open the hall plan",
        "where": "{hall}, booth {code}",
        "zoom_in": "Zoom in",
        "reset": "Reset the view",
        "one": "1 exhibitor",
    },
    "zh-hans": {
        "search": "搜索",
        "all": "← 全部展商",
        "hall_plan": "查看展馆平面图",
        "where": "{hall}，展位 {code}",
        "zoom_in": "放大",
        "reset": "复原视图",
        "one": "1 家展商",
    },
}


def huawei_at_its_booth():
    from smartexpo.exhibitors.models import Exhibitor

    huawei = Exhibitor.objects.select_related("sector").get(expo__slug="sce-2019", slug="huawei")
    booth = huawei.booth_assignments.select_related("booth__hall").first().booth
    return huawei, booth


def view_box(page, selector="figure.hall-plan svg") -> list[float]:
    return [float(n) for n in page.locator(selector).get_attribute("viewBox").split()]


def prefix(language) -> str:
    return "/zh-hans" if language == "zh-hans" else ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_find_a_booth_by_its_code_and_walk_there(live_server, page, language):
    demo_seed()
    huawei, booth = huawei_at_its_booth()
    words = WORDS[language]
    name = huawei.name_zh if language == "zh-hans" else huawei.name_en
    hall = booth.hall.name_zh if language == "zh-hans" else booth.hall.name_en
    directory = f"{live_server.url}{prefix(language)}/expos/sce-2019/exhibitors/"

    # A sector chosen first, then the booth code typed as people do, lower case, no dash.
    page.goto(f"{directory}?sector={huawei.sector.code}")
    typed = booth.code.lower().replace("-", "")
    page.get_by_label(words["search"], exact=True).fill(typed)
    card = page.locator(".exhibitor-card")
    expect(page.locator(".result-count")).to_have_text(words["one"])
    expect(card.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"q={typed}"))

    card.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    small = page.locator("figure.booth-plan")
    expect(small.locator(f'svg rect.mine[data-booth="{booth.code}"]')).to_be_visible()
    expect(small.locator("svg")).to_have_attribute("role", "img")
    expect(small).to_contain_text(words["where"].format(hall=hall, code=booth.code))

    # Back to the directory as it was left: the search and the sector both kept.
    page.get_by_role("link", name=words["all"]).click()
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"sector": [huawei.sector.code], "q": [typed]}, page.url
    expect(page.get_by_label(words["search"], exact=True)).to_have_value(typed)
    expect(page.locator(".result-count")).to_have_text(words["one"])

    page.go_back()
    page.locator("figure.booth-plan").get_by_role("link", name=words["hall_plan"]).click()
    expect(page).to_have_url(re.compile(rf"/halls/{booth.hall.code}/\?booth={booth.code}$"))
    marked = page.locator(f'figure.hall-plan a.booth.highlighted[data-booth="{booth.code}"]')
    expect(marked).to_have_count(1)
    # Its neighbours are links on the plan, its gate is drawn.
    expect(page.locator("figure.hall-plan a.neighbour").first).to_be_attached()
    expect(page.locator("figure.hall-plan g.gate")).to_have_count(1)

    # On a desktop the wheel zooms where the pointer is, and the buttons work by keyboard.
    before = view_box(page)
    box = page.locator("figure.hall-plan svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    expect(page.locator("figure.hall-plan")).not_to_have_attribute("data-scale", "1.00")
    assert view_box(page)[2] < before[2]
    reset = page.get_by_role("button", name=words["reset"])
    reset.focus()
    page.keyboard.press("Enter")
    assert view_box(page) == pytest.approx(before)
    page.get_by_role("button", name=words["zoom_in"]).focus()
    page.keyboard.press("Enter")
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(before[2] / 1.5)
    # Zoomed in, the arrow keys move the view; the page does not scroll instead.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    moved = view_box(page)
    assert moved[0] > zoomed[0] and moved[1] > zoomed[1] and moved[2] == zoomed[2]
    assert page.evaluate("window.scrollY") == 0


def touch(cdp, kind, *points):
    cdp.send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
        },
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_hall_plan_pinches_and_drags_on_a_phone(live_server, chromium, language):
    demo_seed()
    _huawei, booth = huawei_at_its_booth()
    context = chromium.new_context(
        viewport=PHONE,
        has_touch=True,
        is_mobile=True,
        locale="zh-CN" if language == "zh-hans" else "en-US",
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(
            f"{live_server.url}{prefix(language)}/expos/sce-2019/halls/{booth.hall.code}/"
            f"?booth={booth.code}"
        )
        plan = page.locator("figure.hall-plan svg")
        expect(page.get_by_role("button", name=WORDS[language]["zoom_in"])).to_be_visible()
        plan.scroll_into_view_if_needed()
        whole = view_box(page)
        page.get_by_role("button", name=WORDS[language]["zoom_in"]).tap()
        assert view_box(page)[2] == pytest.approx(whole[2] / 1.5)
        page.get_by_role("button", name=WORDS[language]["reset"]).tap()
        assert view_box(page) == pytest.approx(whole)
        box = plan.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        cdp = context.new_cdp_session(page)

        # Two fingers spread apart: the plan zooms in.
        touch(cdp, "touchStart", (cx - 20, cy), (cx + 20, cy))
        for step in range(1, 6):
            touch(cdp, "touchMove", (cx - 20 - 12 * step, cy), (cx + 20 + 12 * step, cy))
        touch(cdp, "touchEnd")
        zoomed = view_box(page)
        assert zoomed[2] < whole[2] * 0.5, (whole, zoomed)

        # One finger drags the plan to the right: the view moves west.
        touch(cdp, "touchStart", (cx, cy))
        for step in range(1, 6):
            touch(cdp, "touchMove", (cx + 10 * step, cy + 4 * step))
        touch(cdp, "touchEnd")
        dragged = view_box(page)
        assert dragged[0] < zoomed[0] and dragged[1] < zoomed[1], (zoomed, dragged)
        assert dragged[2] == pytest.approx(zoomed[2])

        # The page itself did not scroll sideways or zoom, and a tap on reset shows it whole.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate("window.visualViewport.scale") == 1
        # Chromium reads a tap within moments of a gesture as part of it, as a finger would not.
        page.wait_for_timeout(800)
        page.get_by_role("button", name=WORDS[language]["reset"]).tap()
        assert view_box(page) == pytest.approx(whole)
    finally:
        context.close()
