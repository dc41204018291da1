"""A visitor registers through the form, in English and in Chinese, and downloads the PDF
ticket."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.models import DayQuota, Registration
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import make_expo, public_day_pass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_in_chinese_and_download_the_pdf(live_server, page, taxonomy):
    expo = make_expo(slug="sce-test")
    public_day_pass(expo, quota_per_day=100, zones=[])
    page.goto(f"{live_server.url}/zh-hans/expos/sce-test/register/")
    expect(page.get_by_role("heading", name="登记")).to_be_visible()

    page.get_by_label("票种").select_option("public-day")
    page.get_by_label("2019-08-26").check()
    page.get_by_label("姓名（与证件一致）").fill("李伟")
    page.get_by_role("textbox", name="电子邮箱", exact=True).fill("li.wei@example.cn")
    page.get_by_label("证件号码").fill("11010519900101123")  # the check digit is missing
    page.get_by_role("button", name="登记").click()
    expect(page.locator("#id_id_number_error")).to_be_visible()
    expect(page.get_by_label("姓名（与证件一致）")).to_have_value("李伟")

    first17 = "11010519900101123"
    page.get_by_label("证件号码").fill(first17 + resident_check_digit(first17))
    page.get_by_label("2019-08-26").check()
    page.get_by_role("button", name="登记").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/expos/sce-test/my/sxm_[\w-]+/$"))
    expect(page.locator(".ticket .qr svg")).to_have_count(1)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载PDF").click()
    pdf = download_info.value
    data = Path(pdf.path()).read_bytes()
    text = "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert "Publicdaypass" in text
    assert "普通观众日票" in text


# --- issue 13: a pass takes its days by itself; every error at once, in the visitor's language

DAYS = ["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]
PAGES = {
    "en": {
        "prefix": "",
        "type": "Ticket type",
        "name": "Full name (as on your ID)",
        "email": "Email",
        "id_number": "ID number",
        "register": "Register",
        "show_days": "Show the days of the chosen ticket type",
        "pass": "included in the pass",
        "full": "full",
        "off": "not on sale",
        "required": "This field is required.",
        "check_digit": "The check digit of this ID number is wrong.",
    },
    "zh-hans": {
        "prefix": "/zh-hans",
        "type": "票种",
        "name": "姓名（与证件一致）",
        "email": "电子邮箱",
        "id_number": "证件号码",
        "register": "登记",
        "show_days": "显示所选票种的日期",
        "pass": "通票已含",
        "full": "已满",
        "off": "不售",
        "required": "这个字段是必填项。",
        "check_digit": "该证件号码的校验码不正确。",
    },
}


def _day_and_pass_types():
    """The demo's two open types, on a small edition: day tickets on the first two days (the
    second full) and the professional pass for all four."""
    expo = make_expo(slug="sce-test")
    ticket_type_create(
        expo=expo,
        code="public-day",
        name_en="Public day pass",
        name_zh="普通观众日票",
        days=DAYS[:2],
        quota_per_day=100,
        zones=[],
    )
    DayQuota.objects.filter(ticket_type__code="public-day", day=DAYS[1]).update(size=0)
    ticket_type_create(
        expo=expo,
        code="professional",
        name_en="Professional pass (4 days)",
        name_zh="专业观众通票（4天）",
        days=DAYS,
        quota_per_day=100,
        zones=[],
        all_days=True,
    )


def _valid_id(seq: int = 123) -> str:
    first17 = f"11010519900101{seq:03d}"
    return first17 + resident_check_digit(first17)


def _registered_days() -> list[str]:
    ticket = Registration.objects.get().tickets.get()
    return sorted(d.isoformat() for d in ticket.ticket_days.values_list("day", flat=True))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_pass_ticks_its_own_days_and_days_it_cannot_have_are_locked_with_the_reason(
    live_server, page, taxonomy, language
):
    words = PAGES[language]
    _day_and_pass_types()
    page.goto(f"{live_server.url}{words['prefix']}/expos/sce-test/register/")

    page.get_by_label(words["type"]).select_option("professional")
    for day in DAYS:
        expect(page.get_by_label(day)).to_be_checked()
        expect(page.get_by_label(day)).to_be_disabled()
        expect(page.locator("label").filter(has_text=day)).to_contain_text(words["pass"])

    page.get_by_label(words["type"]).select_option("public-day")
    expect(page.get_by_label(DAYS[0])).to_be_enabled()
    expect(page.get_by_label(DAYS[0])).not_to_be_checked()
    expect(page.get_by_label(DAYS[1])).to_be_disabled()
    expect(page.locator("label").filter(has_text=DAYS[1])).to_contain_text(words["full"])
    for day in DAYS[2:]:
        expect(page.get_by_label(day)).to_be_disabled()
        expect(page.locator("label").filter(has_text=day)).to_contain_text(words["off"])

    page.get_by_label(words["type"]).select_option("professional")
    page.get_by_label(words["name"]).fill("李伟")
    page.get_by_role("textbox", name=words["email"], exact=True).fill("li.wei@example.cn")
    page.get_by_label(words["id_number"]).fill(_valid_id())
    page.get_by_role("button", name=words["register"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/expos/sce-test/my/sxm_[\w-]+/$"))
    assert _registered_days() == DAYS


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_without_javascript_a_pass_still_covers_its_days_whatever_was_ticked(
    live_server, chromium, taxonomy, language
):
    words = PAGES[language]
    _day_and_pass_types()
    context = chromium.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}{words['prefix']}/expos/sce-test/register/")
        # The server drew the days of the type it shows as chosen (the first, a day ticket).
        expect(page.get_by_label(DAYS[2])).to_be_disabled()
        page.get_by_label(words["name"]).fill("李伟")
        page.get_by_label(words["type"]).select_option("professional")
        page.get_by_label(DAYS[0]).check()  # as the visitor did: one day of the pass
        page.get_by_role("textbox", name=words["email"], exact=True).fill("li.wei@example.cn")
        page.get_by_label(words["id_number"]).fill(_valid_id())
        page.get_by_role("button", name=words["register"], exact=True).click()
        expect(page).to_have_url(re.compile(r"/expos/sce-test/my/sxm_[\w-]+/$"))
        assert _registered_days() == DAYS

        # Asked to, the server draws the pass's days, keeping what was typed.
        page.goto(f"{live_server.url}{words['prefix']}/expos/sce-test/register/")
        page.get_by_label(words["name"]).fill("王芳")
        page.get_by_label(words["type"]).select_option("professional")
        page.get_by_role("button", name=words["show_days"]).click()
        for day in DAYS:
            expect(page.get_by_label(day)).to_be_checked()
            expect(page.get_by_label(day)).to_be_disabled()
            expect(page.locator("label").filter(has_text=day)).to_contain_text(words["pass"])
        expect(page.get_by_label(words["name"])).to_have_value("王芳")
        expect(page.locator(".error")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_error_is_reported_at_once_in_the_visitors_language(
    live_server, page, taxonomy, language
):
    words = PAGES[language]
    _day_and_pass_types()
    page.goto(f"{live_server.url}{words['prefix']}/expos/sce-test/register/")
    page.get_by_label(words["type"]).select_option("public-day")
    page.get_by_label(DAYS[0]).check()
    page.get_by_role("textbox", name=words["email"], exact=True).fill("li.wei@example.cn")
    wrong = _valid_id()[:17] + ("1" if _valid_id()[17] != "1" else "2")
    page.get_by_label(words["id_number"]).fill(wrong)
    page.get_by_role("button", name=words["register"], exact=True).click()  # no name

    expect(page.locator("#id_name_error")).to_have_text(words["required"])
    expect(page.locator("#id_id_number_error")).to_have_text(words["check_digit"])
    expect(page.get_by_role("textbox", name=words["email"], exact=True)).to_have_value(
        "li.wei@example.cn"
    )
    expect(page.get_by_label(words["id_number"])).to_have_value(wrong)
    expect(page.get_by_label(DAYS[0])).to_be_checked()
    assert Registration.objects.count() == 0


# --- issue 13, defect 3: a past edition's page says registration closed, and when -----------


@pytest.mark.parametrize(
    ("prefix", "heading", "notice"),
    [
        (
            "",
            "Register",
            "Registration for Test Expo 2019 closed on Aug. 29, 2019, 6 p.m. (Asia/Shanghai time).",
        ),
        (
            "/zh-hans",
            "登记",
            "测试博览会2019的登记已于2019年8月29日 18:00截止（Asia/Shanghai时间）。",
        ),
    ],
)
def test_a_past_editions_page_says_registration_closed_and_offers_no_form(
    live_server, page, taxonomy, prefix, heading, notice
):
    # No window set: the default closes the edition at the end of its last day, long past.
    expo = make_expo(slug="sce-past", sales_close_at=None)
    public_day_pass(expo, quota_per_day=100, zones=[])
    page.goto(f"{live_server.url}{prefix}/expos/sce-past/register/")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".notice[data-sale=closed]")).to_have_text(notice)
    # No registration form in the page (the header's language switch is a form of its own).
    expect(page.locator("main form")).to_have_count(0)
    expect(page.get_by_label("Ticket type")).to_have_count(0)
