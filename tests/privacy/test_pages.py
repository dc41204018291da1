"""The visitor's manage page: download my data, erase my data (after a confirmation), in English
and Chinese."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from smartexpo.core.models import AuditEntry
from smartexpo.tickets.models import Registration


def manage(person, lang=""):
    return f"{lang}/expos/test-2019/my/{person.token}/"


@pytest.mark.parametrize(
    ("lang", "download", "erase"),
    [
        ("", "Download my data (JSON)", "Erase my data"),
        ("/zh-hans", "下载我的数据（JSON）", "删除我的数据"),
    ],
)
def test_the_manage_page_offers_to_download_and_to_erase_my_data(person, lang, download, erase):
    page = Client().get(manage(person, lang)).content.decode()
    assert download in page
    assert erase in page
    assert f'href="{lang}/expos/test-2019/my/{person.token}/personal-data.json"' in page
    assert f'href="{lang}/expos/test-2019/my/{person.token}/erase/"' in page


def test_the_download_is_a_json_file_of_everything_stored_about_me(person):
    response = Client().get(manage(person) + "personal-data.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="personal-data-test-2019-{person.pk}.json"'
    )
    data = json.loads(response.content)
    assert data["registration"]["name"] == "Li Wei"
    assert data["tickets"][0]["serial"] == person.serial
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.detail["via"]) == (
        "visitor (manage token)",
        "personal_data.export",
        "page",
    )


def test_the_download_and_the_api_give_the_same_export(person, holder):
    from_page = json.loads(Client().get(manage(person) + "personal-data.json").content)
    from_api = holder.get(f"/api/v1/expos/test-2019/registrations/{person.pk}/personal-data").json()
    for data in (from_page, from_api):
        data.pop("generated_at")
    assert from_page == from_api


@pytest.mark.parametrize(
    ("lang", "heading", "confirm", "button"),
    [
        ("", "Erase my data", "I understand", "Erase my data"),
        ("/zh-hans", "删除我的数据", "我明白", "删除我的数据"),
    ],
)
def test_erasing_asks_for_confirmation_first(person, lang, heading, confirm, button):
    page = Client().get(manage(person, lang) + "erase/").content.decode()
    assert f"<h1>{heading}</h1>" in page
    assert confirm in page
    assert 'type="checkbox" name="confirm"' in page
    assert button in page
    assert Registration.objects.get(pk=person.pk).erased_at is None


def test_erasing_without_ticking_the_box_erases_nothing(person):
    response = Client().post(manage(person) + "erase/", {})
    assert response.status_code == 422
    assert "Tick the box to confirm." in response.content.decode()
    assert Registration.objects.get(pk=person.pk).name == "Li Wei"
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("lang", "done"), [("", "Your data is erased"), ("/zh-hans", "您的数据已删除")]
)
def test_erasing_leads_to_a_page_saying_it_is_done_and_the_link_stops_working(person, lang, done):
    client = Client()
    response = client.post(manage(person, lang) + "erase/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == f"{lang}/expos/test-2019/erased/"
    assert done in client.get(response["Location"]).content.decode()
    registration = Registration.objects.get(pk=person.pk)
    assert (registration.name, registration.status) == ("", "cancelled")
    assert AuditEntry.objects.get().detail["via"] == "page"
    assert client.get(manage(person, lang)).status_code == 404
    assert client.get(manage(person, lang) + "personal-data.json").status_code == 404
    assert client.post(manage(person, lang) + "erase/", {"confirm": "on"}).status_code == 404


def test_a_link_of_another_edition_or_no_registration_is_not_found(person, other_expo):
    client = Client()
    assert client.get(f"/expos/test-2018/my/{person.token}/erase/").status_code == 404
    assert client.get("/expos/test-2019/my/sxm_nobody/personal-data.json").status_code == 404
    assert client.get("/expos/nowhere/erased/").status_code == 404
