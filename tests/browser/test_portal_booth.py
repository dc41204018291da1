"""An exhibitor's administrator, in English and in Chinese, signs in to the portal, reads the
booth's footfall charts, issues a staff pass, makes an API token and revokes it; on a phone
none of these pages scrolls sideways."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from smartexpo.devices.services import device_create
from smartexpo.exhibitors.models import MemberRole
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.restricted import pass_grant_set
from smartexpo.venue.models import Booth, Zone
from tests.browser.test_small_screens import PHONE, fits_a_phone
from tests.conftest import ApiClient
from tests.crowd.conftest import post
from tests.portal.conftest import PASSWORD, member
from tests.tickets.test_restricted import ALL_DAYS, make_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTAL = "/portal/test-2019/huawei"

WORDS = {
    "en": {
        "prefix": "",
        "footfall": "Footfall",
        "over_the_day": "Over the day: 2019-08-26",
        "issue": "Issue the pass",
        "issued": "Staff pass issued to Chen Jing",
        "name": "Full name (as on the ID)",
        "email": "Email",
        "create": "Create the token",
        "shown_once": "shown only this once",
        "revoke": "Revoke the token",
        "revoked": "Revoked",
        "token_name": "Name",
    },
    "zh-hans": {
        "prefix": "/zh-hans",
        "footfall": "客流",
        "over_the_day": "当日变化：2019-08-26",
        "issue": "发放",
        "issued": "已为 Chen Jing 发放员工证",
        "name": "姓名（与证件一致）",
        "email": "电子邮箱",
        "create": "创建令牌",
        "shown_once": "它只显示这一次",
        "revoke": "吊销令牌",
        "revoked": "已吊销",
        "token_name": "名称",
    },
}


def booth_world(expo):
    """Huawei's booth counted by zone N1-B, a day of visits there, and a grant of passes."""
    Booth.objects.filter(code="N1-001").update(zone=Zone.objects.get(code="N1-B"))
    _device, token = device_create(expo=expo, name="Booth counter", kind="sensor", zones=["N1-B"])
    events = [
        {
            "id": f"e{n}",
            "zone": "N1-B",
            "kind": "enter",
            "at": f"2019-08-26T{h}:00:00+08:00",
            "count": 1,
            "visitor": f"v{n}",
        }
        for n, h in enumerate(["09", "10", "10", "11", "14", "14", "14", "16"])
    ] + [
        {
            "id": f"x{n}",
            "zone": "N1-B",
            "kind": "exit",
            "at": f"2019-08-26T{h}:20:00+08:00",
            "count": 1,
        }
        for n, h in enumerate(["09", "10", "10", "11", "14", "14", "14", "16"])
    ]
    post(ApiClient(token), events)
    make_type(expo, "staff", "exhibitor", quota=50, all_days=True, days=ALL_DAYS)
    pass_grant_set(exhibitor=expo.test_exhibitors["huawei"], ticket_type="staff", passes=3)
    member(expo.test_exhibitors["huawei"], "boss@huawei.example", MemberRole.ADMIN)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_admin_reads_the_footfall_issues_a_pass_and_manages_tokens(
    live_server, chromium, expo, language
):
    words = WORDS[language]
    booth_world(expo)
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN" if language == "zh-hans" else "en-US",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url + words["prefix"] + PORTAL

    # Signed out, the footfall page sends to the portal's sign-in, then back.
    page.goto(base + "/footfall/")
    expect(page).to_have_url(re.compile(r"/portal/login/\?next="))
    page.fill("#id_username", "boss@huawei.example")
    page.fill("#id_password", PASSWORD)
    page.locator("form.card button[type=submit]").click()
    expect(page.get_by_role("heading", name=words["footfall"], exact=True)).to_be_visible()
    expect(page.locator('svg[data-chart="visits-per-day"]')).to_be_visible()
    expect(
        page.locator('#footfall-days tr[data-day="2019-08-26"] [data-field="visits"]')
    ).to_have_text("8")
    # The day's charts: visits per hour and people over the day.
    expect(page.get_by_text(words["over_the_day"])).to_be_visible()
    expect(
        page.locator('svg[data-chart="visits-per-hour"] rect.bar[data-value="3"]')
    ).to_have_count(1)
    expect(page.locator('svg[data-chart="occupancy"] polyline')).to_be_visible()
    page.locator("#hours-table").locator("xpath=..").locator("summary").click()
    expect(page.locator("#hours-table")).to_be_visible()

    # A staff pass for a colleague.
    page.goto(base + "/staff-passes/")
    page.get_by_label(words["name"]).fill("Chen Jing")
    page.get_by_label(words["email"], exact=True).fill("chen.jing@huawei.example")
    page.get_by_role("button", name=words["issue"], exact=True).click()
    expect(page.locator(".notice")).to_contain_text(words["issued"])
    expect(page.locator('[data-grant="staff"] [data-field="used"]')).to_contain_text("1")
    registration = Registration.objects.get(email="chen.jing@huawei.example")
    card = page.locator(f'li[data-pass="{registration.pk}"]')
    expect(card).to_contain_text("Chen Jing")
    expect(card.locator('a[href*="/ticket.pdf"]')).to_have_count(1)

    # An API token, shown once, copied; then revoked after a confirmation.
    page.goto(base + "/api-tokens/")
    page.get_by_label(words["token_name"], exact=True).fill("CRM sync")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.locator("#new-token")).to_contain_text(words["shown_once"])
    secret = page.locator("#new-token-value").inner_text()
    assert secret.startswith("sxe_")
    copy = page.locator("button[data-copy]")
    copy.click()
    expect(copy).not_to_have_text(re.compile(r"^(Copy|复制)$"))
    if copy.inner_text() in ("Copied", "已复制"):
        assert page.evaluate("navigator.clipboard.readText()") == secret
    token = page.locator("#tokens li").first
    token.locator("a.danger").click()
    page.get_by_role("button", name=words["revoke"]).click()
    expect(page.locator("#tokens li").first).to_have_attribute("data-revoked", "true")
    expect(page.locator("#tokens li").first).to_contain_text(words["revoked"])
    assert secret not in page.content()

    # The three pages on a phone.
    page.set_viewport_size(PHONE)
    for path in ("/footfall/?day=2019-08-26", "/staff-passes/", "/api-tokens/"):
        page.goto(base + path)
        page.wait_for_load_state("load")
        fits_a_phone(page)
    # A new token, shown in full, fits too.
    page.get_by_label(words["token_name"], exact=True).fill("Customer relationship management")
    page.get_by_role("button", name=words["create"]).click()
    expect(page.locator("#new-token-value")).to_be_visible()
    fits_a_phone(page)
    context.close()
