"""The visitor's page "Who has my details": each exhibitor that captured them, what it may see
now, a withdraw button (POST with CSRF), in English and Chinese."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.leads.models import Lead
from tests.leads.conftest import LEADS, visitor

pytestmark = pytest.mark.django_db


def page(person, lang="") -> str:
    return f"{lang}/expos/test-2019/my/{person.manage_token}/leads/"


@pytest.mark.parametrize(
    ("lang", "title", "sees", "withdraw"),
    [
        ("", "Who has my details", "your company", "Withdraw my details"),
        ("/zh-hans", "谁有我的信息", "您的公司", "撤回我的信息"),
    ],
)
def test_the_page_lists_each_exhibitor_and_what_it_sees(expo, huawei, lang, title, sees, withdraw):
    person = visitor(expo, share=("company",))
    huawei.post(LEADS, {"secret": person.secret})
    response = Client().get(page(person, lang))
    assert response.status_code == 200
    text = response.content.decode()
    assert title in text and sees in text and withdraw in text
    assert ("华为" if lang else "Huawei") in text
    assert "Z*** S***" in text


def test_nobody_yet(expo, types):
    person = visitor(expo)
    assert (
        "No exhibitor has scanned your ticket yet." in Client().get(page(person)).content.decode()
    )


def test_withdrawing_from_the_page(expo, huawei, toyota):
    person = visitor(expo, share=("name",))
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    toyota.post(LEADS, {"secret": person.secret})
    browser = Client(enforce_csrf_checks=True)
    browser.get(page(person))
    refused = browser.post(page(person), {"lead": lead["id"]})
    assert refused.status_code == 403  # no CSRF token
    token = browser.cookies["csrftoken"].value
    done = browser.post(page(person), {"lead": lead["id"], "csrfmiddlewaretoken": token})
    assert done.status_code == 302
    after = browser.get(done["Location"]).content.decode()
    assert "Huawei no longer sees your details." in after
    assert Lead.objects.get(pk=lead["id"]).withdrawn_at is not None
    assert Lead.objects.exclude(pk=lead["id"]).get().withdrawn_at is None
    assert huawei.get(LEADS).json()["items"][0]["visitor"] == {}


def test_another_visitors_lead_or_a_bad_token_is_not_found(expo, huawei):
    person, other = visitor(expo), visitor(expo)
    lead = huawei.post(LEADS, {"secret": person.secret}).json()
    assert Client().post(page(other), {"lead": lead["id"]}).status_code == 404
    assert Client().post(page(other), {"lead": "x"}).status_code == 404
    assert Client().get("/expos/test-2019/my/nonsense/leads/").status_code == 404
    assert Lead.objects.get().withdrawn_at is None
