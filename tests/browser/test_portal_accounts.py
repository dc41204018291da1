"""The exhibitor portal in a browser, in English and in Chinese: a person invited by the
organiser accepts, lands on the exhibitor's home, edits the profile with a logo and adds a
showcase item with a picture, and the public page shows both; then invites a colleague.
Every page of the portal fits a 360 px phone once signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from smartexpo.exhibitors import members
from smartexpo.exhibitors.models import Exhibitor, ExhibitorMember, MemberRole
from tests.browser.test_small_screens import PHONE, fits_a_phone
from tests.portal.images import picture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Lantern-Orbit-5917"

WORDS = {
    "en": {
        "prefix": "",
        "name": "Your name",
        "password": "Password",
        "again": "The password again",
        "create": "Create my account and join",
        "profile": "Profile",
        "showcase": "Showcase",
        "team": "Team",
        "description": "Description (English)",
        "logo": "Logo",
        "save": "Save the profile",
        "saved": "Your profile is saved.",
        "title": "Title (English)",
        "picture": "Picture",
        "add": "Add to the showcase",
        "email": "Email address",
        "role": "Role",
        "invite": "Send the invitation",
        "sent": "Invitation sent to",
        "heading": "Huawei",
        "text": "Telecoms, devices and the cloud, at booth N1-001.",
        "item": "Smart campus",
    },
    "zh-hans": {
        "prefix": "/zh-hans",
        "name": "您的姓名",
        "password": "密码",
        "again": "再次输入密码",
        "create": "创建账号并加入",
        "profile": "简介",
        "showcase": "展品",
        "team": "团队",
        "description": "简介（中文）",
        "logo": "标志",
        "save": "保存公司简介",
        "saved": "公司简介已保存。",
        "title": "标题（英文）",
        "picture": "图片",
        "add": "添加到展品",
        "email": "电子邮箱",
        "role": "角色",
        "invite": "发送邀请",
        "sent": "邀请已发送至",
        "heading": "华为",
        "text": "通信、终端与云，欢迎莅临 N1-001 展位。",
        "item": "Smart campus",
    },
}


@pytest.fixture
def invited(expo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMARTEXPO_BASE_URL = "http://127.0.0.1:8000"
    huawei = expo.test_exhibitors["huawei"]
    _invitation, token = members.invitation_create(
        exhibitor=huawei, email="wang.fang@huawei.example", role=MemberRole.ADMIN
    )
    return huawei, token


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_invited_person_accepts_edits_the_profile_and_the_public_page_shows_it(
    live_server, page, invited, language, tmp_path
):
    huawei, token = invited
    w = WORDS[language]
    base = live_server.url + w["prefix"]

    page.goto(f"{base}/portal/invitations/{token}/")
    expect(page.get_by_text("wang.fang@huawei.example")).to_be_visible()
    page.get_by_label(w["name"]).fill("Wang Fang")
    page.get_by_label(w["password"], exact=True).fill(PASSWORD)
    page.get_by_label(w["again"]).fill(PASSWORD)
    page.get_by_role("button", name=w["create"]).click()

    expect(page).to_have_url(re.compile(rf"{w['prefix']}/portal/test-2019/huawei/$"))
    expect(page.get_by_role("heading", name=w["heading"], exact=True)).to_be_visible()
    expect(page.locator(".portal-nav a[aria-current=page]")).to_have_count(1)

    # The profile, with a logo.
    page.locator(".portal-nav").get_by_role("link", name=w["profile"]).click()
    logo = tmp_path / "logo.png"
    logo.write_bytes(picture("PNG", size=(1200, 600), color=(199, 0, 11)))
    page.get_by_label(w["description"]).fill(w["text"])
    page.get_by_label(w["logo"], exact=True).set_input_files(str(logo))
    page.get_by_role("button", name=w["save"]).click()
    expect(page.get_by_role("status")).to_contain_text(w["saved"])
    expect(page.locator(".portal-logo")).to_be_visible()

    # The showcase, with a picture.
    page.locator(".portal-nav").get_by_role("link", name=w["showcase"]).click()
    photo = tmp_path / "campus.jpg"
    photo.write_bytes(picture(size=(2400, 1600), color=(20, 90, 160)))
    page.get_by_label(w["title"]).fill(w["item"])
    page.get_by_label(w["picture"], exact=True).set_input_files(str(photo))
    page.get_by_role("button", name=w["add"]).click()
    expect(page.locator(".portal-items img.portal-thumb")).to_have_count(1)

    # The public page shows the logo and the picture, resized.
    page.goto(f"{base}/expos/test-2019/exhibitors/{huawei.pk}/")
    expect(page.get_by_text(w["text"])).to_be_visible()
    shown = page.locator("img.exhibitor-logo")
    expect(shown).to_be_visible()
    assert shown.evaluate("(img) => [img.complete, img.naturalWidth]") == [True, 400]
    showcase = page.locator("img.showcase-image")
    expect(showcase).to_be_visible()
    assert showcase.evaluate("(img) => img.naturalWidth") == 1200

    # Then they invite a colleague, who gets the email in the page's language.
    page.goto(f"{base}/portal/test-2019/huawei/team/")
    page.get_by_label(w["email"]).fill("li.na@huawei.example")
    page.get_by_label(w["role"], exact=True).select_option("staff")
    page.get_by_role("button", name=w["invite"]).click()
    expect(page.get_by_role("status")).to_contain_text(w["sent"])
    (message,) = mail.outbox
    assert message.to == ["li.na@huawei.example"]
    assert f"{w['prefix']}/portal/invitations/" in message.body

    member = ExhibitorMember.objects.get(user__email="wang.fang@huawei.example")
    assert member.role == MemberRole.ADMIN
    assert Exhibitor.objects.get(pk=huawei.pk).logo.width == 400


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_signed_in_portal_pages_fit_a_phone(live_server, chromium, invited, language):
    huawei, token = invited
    w = WORDS[language]
    base = live_server.url + w["prefix"]
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{base}/portal/invitations/{token}/")
        fits_a_phone(page)
        page.get_by_label(w["name"]).fill("Maximiliana Featherstonehaugh-Wolfeschlegelsteinhausen")
        page.get_by_label(w["password"], exact=True).fill(PASSWORD)
        page.get_by_label(w["again"]).fill(PASSWORD)
        page.get_by_role("button", name=w["create"]).click()
        expect(page.locator(".portal-nav")).to_be_visible()
        item = huawei.showcase.first()
        for path in ("", "profile/", "showcase/", f"showcase/{item.pk}/", "team/"):
            page.goto(f"{base}/portal/test-2019/huawei/{path}")
            expect(page.locator(".portal-nav")).to_be_visible()
            fits_a_phone(page)
            # The header leaves the phone's screen to the page.
            assert page.locator("header.topbar").bounding_box()["height"] <= PHONE["height"] / 8
    finally:
        context.close()
