"""Editing the profile and the showcase in the portal, with pictures; what the public page and
the API then show."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from smartexpo.exhibitors.models import Exhibitor, ExhibitorImage, ShowcaseItem
from tests.portal.images import opened, picture, upload


def url(name, exhibitor, *args) -> str:
    return reverse(f"portal:{name}", args=[exhibitor.expo.slug, exhibitor.slug, *args])


def profile_form(**changes) -> dict:
    form = {
        "name_en": "Huawei Technologies",
        "name_zh": "华为技术",
        "description_en": "Telecoms, devices and cloud.",
        "description_zh": "通信、终端与云。",
        "website": "www.huawei.com",
        "tags": ["5g"],
    }
    form.update(changes)
    return form


def public_page(exhibitor, language="") -> str:
    path = reverse("web:exhibitor", args=[exhibitor.expo.slug, exhibitor.pk])
    return Client().get(language + path).content.decode()


# --- who may edit ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["profile", "showcase"])
def test_every_member_and_organisers_may_edit_others_may_not(
    page, huawei, staff_client, admin_client, organiser_client, other_client
):
    assert staff_client.get(url(page, huawei)).status_code == 200
    assert admin_client.get(url(page, huawei)).status_code == 200
    assert organiser_client.get(url(page, huawei)).status_code == 200
    assert other_client.get(url(page, huawei)).status_code == 404
    assert other_client.post(url(page, huawei), profile_form(title_en="X")).status_code == 404
    assert Client().post(url(page, huawei), profile_form(title_en="X")).status_code == 302
    huawei.refresh_from_db()
    assert huawei.name_en == "Huawei"
    assert huawei.showcase.count() == 1


def test_another_exhibitors_item_is_a_404(admin_client, huawei, toyota):
    from smartexpo.exhibitors.services import showcase_item_add

    theirs = showcase_item_add(exhibitor=toyota, title_en="Hybrid engine")
    assert admin_client.get(url("showcase-edit", huawei, theirs.pk)).status_code == 404
    assert admin_client.post(url("showcase-delete", huawei, theirs.pk)).status_code == 404
    assert ShowcaseItem.objects.filter(pk=theirs.pk).exists()


# --- the profile ----------------------------------------------------------------------------


def test_staff_edits_the_bilingual_profile_and_the_directory_finds_it(staff_client, huawei):
    response = staff_client.post(url("profile", huawei), profile_form())
    assert response.status_code == 302
    huawei.refresh_from_db()
    assert huawei.name_zh == "华为技术"
    assert huawei.website == "https://www.huawei.com"
    assert [t.code for t in huawei.tags.all()] == ["5g"]
    assert "华为技术" in huawei.search_text
    assert "Telecoms, devices and cloud." in public_page(huawei)
    assert "通信、终端与云。" in public_page(huawei, "/zh-hans")


def test_the_profile_refuses_with_messages_at_the_fields(staff_client, huawei):
    response = staff_client.post(
        url("profile", huawei), profile_form(name_en="  ", website="ftp://x", tags=["nope"])
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "This field is required." in body
    assert "Enter a valid URL." in body
    assert "Select a valid choice." in body
    huawei.refresh_from_db()
    assert huawei.name_en == "Huawei"


def test_the_services_rules_speak_the_pages_language(huawei):
    from django.utils import translation

    from smartexpo.core.errors import SmartExpoError
    from smartexpo.exhibitors.services import exhibitor_update_profile

    with translation.override("zh-hans"), pytest.raises(SmartExpoError) as refused:
        exhibitor_update_profile(exhibitor=huawei, name_en=" ", website="ftp://x")
    assert refused.value.detail["fields"] == {
        "name_en": "请填写英文名称。",
        "website": "请填写以 http:// 或 https:// 开头的网址。",
    }


def test_a_logo_is_resized_and_shown_on_the_public_page_and_in_the_api(staff_client, huawei):
    response = staff_client.post(
        url("profile", huawei), profile_form(logo=upload(picture(size=(1000, 500))))
    )
    assert response.status_code == 302
    huawei = Exhibitor.objects.select_related("logo").get(pk=huawei.pk)
    assert (huawei.logo.width, huawei.logo.height) == (400, 200)
    logo_url = huawei.logo.get_absolute_url()
    assert logo_url in public_page(huawei)
    assert logo_url in staff_client.get(url("home", huawei)).content.decode()
    assert opened(Client().get(logo_url).content).size == (400, 200)
    api = Client().get(f"/api/v1/expos/{huawei.expo.slug}/exhibitors/{huawei.pk}").json()
    assert api["logo"] == logo_url

    # A new logo replaces the old one, whose bytes go; removing it leaves none.
    staff_client.post(url("profile", huawei), profile_form(logo=upload(picture(color=(1, 2, 3)))))
    assert ExhibitorImage.objects.filter(exhibitor=huawei).count() == 1
    assert Client().get(logo_url).status_code == 404
    staff_client.post(url("profile", huawei), profile_form(remove_logo="on"))
    assert not ExhibitorImage.objects.filter(exhibitor=huawei).exists()
    assert Exhibitor.objects.get(pk=huawei.pk).logo is None


def test_a_bad_logo_is_refused_with_a_message_and_nothing_changes(staff_client, huawei):
    bad = upload(b"<?php echo 'hello'; ?>", name="logo.png", content_type="image/png")
    response = staff_client.post(url("profile", huawei), profile_form(logo=bad))
    assert response.status_code == 422
    assert "not an image we can read" in response.content.decode()
    huawei.refresh_from_db()
    assert huawei.name_en == "Huawei" and huawei.logo is None
    assert not ExhibitorImage.objects.exists()


def test_a_bad_logo_is_refused_in_chinese(staff_client, huawei):
    bad = upload(b"GIF89a...", name="logo.gif", content_type="image/gif")
    response = staff_client.post("/zh-hans" + url("profile", huawei), profile_form(logo=bad))
    assert response.status_code == 422
    assert "无法识别" in response.content.decode()


def test_a_picture_of_huge_dimensions_is_refused_with_a_message(staff_client, huawei):
    from tests.portal.test_images import png_claiming

    response = staff_client.post(
        url("showcase", huawei),
        {"title_en": "Bomb", "image": upload(png_claiming(50_000, 50_000), "b.png", "image/png")},
    )
    assert response.status_code == 422
    assert "too many pixels" in response.content.decode()
    assert huawei.showcase.count() == 1


def test_an_upload_over_8_mb_is_refused_by_the_form(staff_client, huawei):
    big = upload(b"\xff" * (8 * 1024 * 1024 + 1))
    response = staff_client.post(url("profile", huawei), profile_form(logo=big))
    assert response.status_code == 422
    assert "larger than 8 MB" in response.content.decode()


# --- the showcase ---------------------------------------------------------------------------


def test_add_edit_reorder_and_delete_showcase_items(staff_client, huawei):
    response = staff_client.post(
        url("showcase", huawei),
        {
            "title_en": "Smart campus",
            "title_zh": "智慧园区",
            "description_en": "Sensors everywhere.",
            "image": upload(picture(size=(3000, 1500))),
        },
    )
    assert response.status_code == 302
    first, added = huawei.showcase.order_by("position", "id")
    assert added.image.width == 1200 and added.image.height == 600
    assert "智慧园区" in Exhibitor.objects.get(pk=huawei.pk).search_text

    body = public_page(huawei)
    assert added.image.get_absolute_url() in body
    assert body.index("5G base station") < body.index("Smart campus")
    api = Client().get(f"/api/v1/expos/{huawei.expo.slug}/exhibitors/{huawei.pk}").json()
    assert [s["image"] for s in api["showcase"]] == [None, added.image.get_absolute_url()]

    # Up one place: now first.
    staff_client.post(url("showcase-move", huawei, added.pk), {"direction": "up"})
    assert [i.pk for i in huawei.showcase.order_by("position", "id")] == [added.pk, first.pk]
    body = public_page(huawei)
    assert body.index("Smart campus") < body.index("5G base station")
    # At the top it stays.
    staff_client.post(url("showcase-move", huawei, added.pk), {"direction": "up"})
    assert huawei.showcase.order_by("position", "id").first().pk == added.pk

    # Edit: new texts, picture removed.
    response = staff_client.post(
        url("showcase-edit", huawei, added.pk),
        {"title_en": "Smart campus 2", "title_zh": "智慧园区二代", "remove_image": "on"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.title_en == "Smart campus 2" and added.image is None
    assert not ExhibitorImage.objects.exists()
    assert "智慧园区二代" in Exhibitor.objects.get(pk=huawei.pk).search_text

    staff_client.post(url("showcase-delete", huawei, added.pk))
    assert list(huawei.showcase.all()) == [first]
    assert "智慧园区" not in Exhibitor.objects.get(pk=huawei.pk).search_text


def test_a_showcase_item_needs_an_english_title(staff_client, huawei):
    response = staff_client.post(url("showcase", huawei), {"title_en": "", "title_zh": "无"})
    assert response.status_code == 422
    assert huawei.showcase.count() == 1


def test_the_edit_page_shows_the_current_picture(staff_client, huawei):
    staff_client.post(url("showcase", huawei), {"title_en": "Pic", "image": upload(picture())})
    item = huawei.showcase.get(title_en="Pic")
    body = staff_client.get(url("showcase-edit", huawei, item.pk)).content.decode()
    assert item.image.get_absolute_url() in body and "Remove the picture" in body


def test_the_api_profile_patch_keeps_working_beside_the_portal(huawei, exhibitor):
    response = exhibitor.patch(
        "/api/v1/expos/test-2019/exhibitor-profile", {"name_zh": "华为技术有限公司"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["name"]["zh"] == "华为技术有限公司" and body["logo"] is None
