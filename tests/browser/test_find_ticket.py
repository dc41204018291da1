"""Find my ticket: a visitor refused as already registered follows the link, asks by ID
number and gets the links by email; another asks for an address nobody registered with and
sees the very same answer."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from smartexpo.tickets.identity import resident_check_digit
from smartexpo.tickets.services.registration import registration_create
from tests.conftest import make_expo, public_day_pass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "11010519900101123" + resident_check_digit("11010519900101123")


@pytest.fixture
def registered(taxonomy, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    expo = make_expo(slug="sce-test")
    public_day_pass(expo, quota_per_day=100)
    registration_create(
        expo=expo,
        ticket_type="public-day",
        days=["2019-08-26"],
        name="李伟",
        email="li.wei@example.cn",
        id_number=NUMBER,
        language="zh-hans",
    )
    return expo


def test_in_chinese_the_duplicate_refusal_leads_to_the_links_by_email(
    live_server, page, registered
):
    page.goto(f"{live_server.url}/zh-hans/expos/sce-test/register/")
    page.get_by_label("票种").select_option("public-day")
    page.get_by_label("2019-08-26").check()
    page.get_by_label("姓名（与证件一致）").fill("李伟")
    page.get_by_role("textbox", name="电子邮箱", exact=True).fill("another@example.cn")
    page.get_by_label("证件号码").fill(NUMBER)
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("alert")).to_contain_text("该证件号码已持有 2019-08-26 的门票。")

    page.get_by_role("link", name="找不到门票？重新获取门票链接").click()
    expect(page).to_have_url(re.compile(r"/zh-hans/expos/sce-test/find-my-ticket/$"))
    expect(page.get_by_role("heading", name="找回我的门票")).to_be_visible()
    page.get_by_label("电子邮箱或证件号码").fill(NUMBER)
    page.get_by_role("button", name="发送链接给我").click()
    expect(page.get_by_role("status")).to_contain_text("如果本届展会有与您输入内容相符的登记")
    expect(page.get_by_label("电子邮箱或证件号码")).to_have_value("")
    assert NUMBER not in page.content()

    from smartexpo.tickets.services.ticket_links import ticket_links_send

    assert ticket_links_send() == 1
    (message,) = mail.outbox
    assert message.to == ["li.wei@example.cn"]  # the registration's address, not the one typed
    link = re.search(r"http://127\.0\.0\.1:8000(/zh-hans/\S+/my/\S+/)\s", message.body).group(1)
    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", name="我的门票", exact=True)).to_be_visible()
    expect(page.locator(".ticket .qr svg")).to_have_count(1)


def test_in_english_an_address_nobody_registered_with_gets_the_same_answer(
    live_server, page, registered
):
    answers = []
    for query in ("nobody@example.cn", "li.wei@example.cn"):
        page.goto(f"{live_server.url}/expos/sce-test/register/")
        page.get_by_role("link", name="Find my ticket").click()
        expect(page.get_by_role("heading", name="Find my ticket")).to_be_visible()
        page.get_by_label("Email or ID number").fill(query)
        page.get_by_role("button", name="Send me the links").click()
        expect(page.get_by_role("status")).to_be_visible()
        answers.append((page.url, page.get_by_role("status").inner_text()))
    assert answers[0] == answers[1]
    assert "If a registration for this expo matches what you entered" in answers[0][1]
    from smartexpo.tickets.services.ticket_links import ticket_links_send

    assert ticket_links_send() == 1
