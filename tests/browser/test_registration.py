"""A visitor registers through the form in Chinese and downloads the PDF ticket."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import make_expo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_in_chinese_and_download_the_pdf(live_server, page, taxonomy):
    expo = make_expo(slug="sce-test")
    ticket_type_create(
        expo=expo,
        code="public-day",
        name_en="Public day pass",
        name_zh="普通观众日票",
        days=["2019-08-26", "2019-08-27"],
        quota_per_day=100,
        zones=[],
    )
    page.goto(f"{live_server.url}/zh-hans/expos/sce-test/register/")
    expect(page.get_by_role("heading", name="登记")).to_be_visible()

    page.get_by_label("票种").select_option("public-day")
    page.get_by_label("2019-08-26").check()
    page.get_by_label("姓名（与证件一致）").fill("李伟")
    page.get_by_label("电子邮箱").fill("li.wei@example.cn")
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
