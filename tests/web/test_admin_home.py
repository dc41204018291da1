"""The back office home: SmartExpo's name in both languages, shortcuts that all lead somewhere."""

import html
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def shortcuts(page: str) -> list[str]:
    """The addresses the Shortcuts panel links to, in order."""
    panel = page.split('id="shortcuts"', 1)[1].split("</table>", 1)[0]
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', panel)]


def test_the_admin_home_is_branded_and_links_each_edition_and_the_api_docs(
    expo, other_expo, admin_client
):
    page = admin_client.get("/admin/").content.decode()
    assert "<title>Organiser&#x27;s home | SmartExpo back office</title>" in page
    assert 'id="site-name"><a href="/admin/">SmartExpo back office</a>' in page
    assert "Django administration" not in page
    assert "<caption>Shortcuts</caption>" in page
    links = shortcuts(page)
    # The newest edition first, then the older one; the models' list is still below.
    assert other_expo.starts_on < expo.starts_on
    first, second = (links.index(f"/admin/venue/expo/{e.pk}/change/") for e in (expo, other_expo))
    assert first < second and page.index('id="shortcuts"') < page.index("app-venue")
    for edition in (expo, other_expo):
        day = edition.starts_on.isoformat()
        for url in (
            f"/admin/venue/expo/{edition.pk}/change/",
            f"/expos/{edition.slug}/",
            f"/expos/{edition.slug}/live/",
            f"/expos/{edition.slug}/planning/lanes/",
            f"/expos/{edition.slug}/scanner/",
            f"/admin/checkin/scan/entries/?expo={edition.pk}&day={day}",
        ):
            assert url in links, url
    assert links[-1] == "/api/v1/docs"
    for url in links:
        assert admin_client.get(url).status_code == 200, url


def test_the_admin_home_in_chinese_has_chinese_names_and_chinese_links(expo, admin_client):
    page = admin_client.get("/zh-hans/admin/").content.decode()
    assert "SmartExpo 管理后台" in page and "主办方首页" in page
    assert "<caption>快捷入口</caption>" in page
    for label in ("实时场馆", "入口通道计划", "闸机扫码", "各入口入场人数", "API 文档"):
        assert label in page, label
    links = shortcuts(page)
    assert f"/zh-hans/expos/{expo.slug}/live/" in links
    assert f"/zh-hans/expos/{expo.slug}/planning/lanes/" in links
    assert all(u.startswith("/zh-hans/") for u in links[:-1]) and links[-1] == "/api/v1/docs"
    for url in links:
        assert admin_client.get(url).status_code == 200, url


def test_without_an_edition_the_shortcuts_say_where_to_add_one(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "No edition yet." in page
    assert "/admin/venue/expo/add/" in shortcuts(page)


def test_the_admin_home_stays_behind_the_login(expo):
    response = Client().get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
