"""Public pages in English and Chinese: home, directory, exhibitor, floor plans."""

import pytest
from django.test import Client


@pytest.fixture
def browser_client():
    return Client()


def text(response) -> str:
    return response.content.decode()


def test_home_shows_the_default_editions_key_facts(expo, browser_client):
    page = text(browser_client.get("/"))
    assert "Test Expo 2019" in page
    assert "1,000" in page  # expected visitors
    assert 'lang="en"' in page


def test_home_in_chinese_shows_chinese_names_and_labels(expo, browser_client):
    page = text(browser_client.get("/zh-hans/"))
    assert "测试博览会2019" in page
    assert 'lang="zh-Hans"' in page
    assert "展商" in page  # the translated navigation


def test_home_without_any_edition_explains_what_to_do(db, browser_client):
    response = browser_client.get("/")
    assert response.status_code == 200
    assert "demo seed" in text(response)


def test_every_page_has_a_language_switcher(expo, browser_client):
    huawei = expo.test_exhibitors["huawei"]
    for url in (
        "/",
        "/expos/test-2019/",
        "/expos/test-2019/exhibitors/",
        f"/expos/test-2019/exhibitors/{huawei.pk}/",
        "/expos/test-2019/floor-plan/",
        "/expos/test-2019/halls/N1/",
        "/expos/nope/",
    ):
        page = text(browser_client.get(url))
        assert 'action="/i18n/setlang/"' in page, url
        assert 'value="zh-hans"' in page, url


def test_switching_language_keeps_the_page(expo, browser_client):
    response = browser_client.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": "/expos/test-2019/exhibitors/?q=huawei"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/expos/test-2019/exhibitors/?q=huawei"
    back = browser_client.post(
        "/i18n/setlang/",
        {"language": "en", "next": "/zh-hans/expos/test-2019/exhibitors/?q=huawei"},
    )
    assert back["Location"] == "/expos/test-2019/exhibitors/?q=huawei"


def test_directory_search_finds_by_chinese_name(expo, browser_client):
    page = text(browser_client.get("/zh-hans/expos/test-2019/exhibitors/", {"q": "华为"}))
    assert ">华为</a>" in page
    assert ">丰田</a>" not in page


def test_directory_lists_only_approved_exhibitors(expo, browser_client):
    page = text(browser_client.get("/expos/test-2019/exhibitors/"))
    assert ">Huawei</a>" in page
    assert ">Toyota</a>" in page
    assert "Newcomer" not in page


def test_directory_filter_by_hall_and_tag(expo, browser_client):
    page = text(browser_client.get("/expos/test-2019/exhibitors/", {"hall": "S1"}))
    assert ">Toyota</a>" in page
    assert ">Huawei</a>" not in page


def test_unknown_filter_is_explained_and_the_valid_ones_are_kept(expo, browser_client):
    response = browser_client.get(
        "/expos/test-2019/exhibitors/", {"sector": "bogus", "q": "toyota"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Unknown sector" in page
    assert ">Toyota</a>" in page
    assert ">Huawei</a>" not in page


def test_overlong_search_is_explained_not_crashed(expo, browser_client):
    response = browser_client.get("/expos/test-2019/exhibitors/", {"q": "x" * 500})
    assert response.status_code == 200
    assert "At most 100 characters" in text(response)
    zh = text(browser_client.get("/zh-hans/expos/test-2019/exhibitors/", {"q": "x" * 500}))
    assert "最多 100 个字符" in zh


def test_htmx_search_returns_only_the_results_fragment(expo, browser_client):
    response = browser_client.get(
        "/expos/test-2019/exhibitors/", {"q": "toyota"}, headers={"HX-Request": "true"}
    )
    page = text(response)
    assert "Toyota" in page
    assert "<html" not in page


def test_directory_paginates_and_keeps_the_filters(expo, browser_client, taxonomy):
    from smartexpo.exhibitors.models import ExhibitorStatus
    from smartexpo.exhibitors.services import exhibitor_create

    sectors, _ = taxonomy
    for n in range(30):
        exhibitor_create(
            expo=expo,
            slug=f"robot-{n}",
            name_en=f"Robot Works {n}",
            sector=sectors["smart-vehicles"],
            status=ExhibitorStatus.APPROVED,
        )
    first = text(browser_client.get("/expos/test-2019/exhibitors/", {"sector": "smart-vehicles"}))
    assert "Page 1 of 2" in first
    assert "?sector=smart-vehicles&amp;page=2" in first
    second = text(
        browser_client.get("/expos/test-2019/exhibitors/", {"sector": "smart-vehicles", "page": 2})
    )
    assert "Page 2 of 2" in second
    assert "Robot Works 29" in second
    # A page number past the end shows the last page, not an error.
    assert browser_client.get("/expos/test-2019/exhibitors/", {"page": "999"}).status_code == 200
    assert browser_client.get("/expos/test-2019/exhibitors/", {"page": "abc"}).status_code == 200


def test_exhibitor_page_shows_profile_showcase_and_booth_link(expo, browser_client):
    huawei = expo.test_exhibitors["huawei"]
    page = text(browser_client.get(f"/zh-hans/expos/test-2019/exhibitors/{huawei.pk}/"))
    assert "华为" in page
    assert "5G基站" in page
    assert "/zh-hans/expos/test-2019/halls/N1/?booth=N1-001" in page


def test_unapproved_or_unknown_exhibitor_page_is_404(expo, browser_client):
    pending = expo.test_exhibitors["pending"]
    assert browser_client.get(f"/expos/test-2019/exhibitors/{pending.pk}/").status_code == 404
    assert browser_client.get("/expos/test-2019/exhibitors/999999/").status_code == 404


def test_hall_plan_draws_booths_to_scale_linked_to_exhibitors(expo, browser_client):
    huawei = expo.test_exhibitors["huawei"]
    page = text(browser_client.get("/expos/test-2019/halls/N1/", {"booth": "N1-001"}))
    # 50 m × 20 m, and a margin of 5 m around it for its gate and its neighbour.
    assert '<svg viewBox="-5.0 -5.0 60.0 30.0"' in page
    assert f'href="/expos/test-2019/exhibitors/{huawei.pk}/"' in page
    assert 'data-booth="N1-001"' in page
    assert 'class="booth highlighted"' in page
    assert 'data-booth="N1-004"' in page  # a free booth is drawn too


@pytest.mark.parametrize("status", ["pending", "rejected"])
def test_plans_do_not_show_an_exhibitor_the_public_may_not_see(expo, browser_client, status):
    from smartexpo.exhibitors.services import booth_assign, exhibitor_set_status
    from smartexpo.venue.models import Booth

    hidden = expo.test_exhibitors["pending"]
    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=hidden)
    exhibitor_set_status(exhibitor=hidden, status=status)  # rejecting keeps the booth
    hall = text(browser_client.get("/expos/test-2019/halls/N1/"))
    assert "Newcomer Robotics" not in hall
    assert f"/exhibitors/{hidden.pk}/" not in hall
    assert 'data-booth="N1-002"' in hall  # drawn as a booth with nobody to visit
    # Hall N1 counts Huawei only, on the site plan and on the home page.
    for page in ("/expos/test-2019/floor-plan/", "/expos/test-2019/"):
        assert "2 exhibitors" not in text(browser_client.get(page)), page


def test_site_plan_links_every_hall(expo, browser_client):
    page = text(browser_client.get("/zh-hans/expos/test-2019/floor-plan/"))
    assert 'href="/zh-hans/expos/test-2019/halls/N1/"' in page
    assert 'href="/zh-hans/expos/test-2019/halls/S1/"' in page


@pytest.mark.parametrize(
    "url",
    ["/expos/nope/", "/expos/test-2019/halls/ZZ/", "/expos/nope/exhibitors/", "/no-such-page/"],
)
def test_unknown_pages_are_404_pages(expo, browser_client, url):
    response = browser_client.get(url)
    assert response.status_code == 404
    assert "Not found" in text(response)


def test_static_files_are_served_by_the_app(db, browser_client):
    response = browser_client.get("/static/smartexpo/app.css")
    assert response.status_code == 200
    assert b"SmartExpo" in b"".join(response.streaming_content)
