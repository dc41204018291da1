"""Answers kept under the ledger's head are never stale: a deal entered or changed moves the
head, and the next answer has it — the API's list and tally, and the pages kept for anyone."""

from __future__ import annotations

import re

from django.test import Client

from smartexpo.deals.services.deals import deal_create, deal_update
from smartexpo.deals.views import CSRF_STAND_IN

from .test_services import deal_data

API = "/api/v1/expos/test-2019/deals"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def tokenless(html: str) -> str:
    return TOKEN.sub("", html)


def test_the_api_list_and_tally_follow_every_change(expo, anonymous):
    first = deal_create(expo=expo, data=deal_data(amount="1.00"))
    assert anonymous.get(API).json()["count"] == 1
    assert anonymous.get(API + "/tally").json()["amount"] == "1.00"
    deal_create(expo=expo, data=deal_data(amount="2.00"))
    assert anonymous.get(API).json()["count"] == 2
    assert anonymous.get(API + "/tally").json()["amount"] == "3.00"
    deal_update(expo=expo, deal_id=first.pk, data={"amount_confidential": True})
    listed = anonymous.get(API).json()
    assert listed["count"] == 1
    assert anonymous.get(API + "/tally").json()["confidential"]["amount"] == "1.00"


def test_a_kept_page_follows_every_change_and_carries_the_visitors_token(expo):
    deal_create(expo=expo, data=deal_data(title={"en": "First project"}))
    client = Client()
    page = client.get("/expos/test-2019/deals/list/").content.decode()
    assert "First project" in page
    # Kept: the same page but for the visitor's CSRF token (masked anew on every answer).
    assert tokenless(client.get("/expos/test-2019/deals/list/").content.decode()) == tokenless(page)
    deal_create(expo=expo, data=deal_data(title={"en": "Second project"}))
    again = client.get("/expos/test-2019/deals/list/").content.decode()
    assert "Second project" in again
    assert CSRF_STAND_IN not in again
    other = Client().get("/expos/test-2019/deals/list/").content.decode()
    assert CSRF_STAND_IN not in other
    chinese = Client().get("/zh-hans/expos/test-2019/deals/list/").content.decode()
    assert 'lang="zh' in chinese
