"""The recommendations on pages: "Recommended for you" on the visitor's agenda with its
"No thanks", and the portal's "Suggested visitors" — both languages, shared fields only."""

from __future__ import annotations

import re

from django.test import Client

from smartexpo.recommend.models import Dismissal
from smartexpo.tickets.selectors import manage_token_of
from tests.portal.conftest import member, signed_in
from tests.recommend.conftest import build, holder

A = "/api/v1/expos/test-2019"


def agenda_url(registration, lang="") -> str:
    prefix = "/zh-hans" if lang == "zh" else ""
    return f"{prefix}/expos/test-2019/my/{manage_token_of(registration)}/agenda/"


def panel(html: str) -> str:
    found = re.search(r'<section class="card recommended".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_agenda_shows_nothing_extra_before_the_first_model(world):
    page = Client().get(agenda_url(world.test_people["buyer"]))
    assert page.status_code == 200
    assert panel(page.content.decode()) == ""


def test_the_agenda_recommends_with_reasons_in_the_visitor_language(world):
    build(world)
    buyer = world.test_people["buyer"]
    english = panel(Client().get(agenda_url(buyer)).content.decode())
    assert "Recommended for you" in english
    assert "Toyota" in english and "Self-driving cars in cities" in english
    assert "same sector: Intelligent connected vehicles" in english
    chinese = panel(Client().get(agenda_url(buyer, "zh")).content.decode())
    assert "为您推荐" in chinese
    assert "丰田" in chinese and "城市中的自动驾驶汽车" in chinese
    assert "同一领域：智能网联汽车" in chinese


def test_no_thanks_on_the_agenda_declines_and_recommend_again_undoes(world):
    build(world)
    buyer, toyota = world.test_people["buyer"], world.test_exhibitors["toyota"]
    client = Client()
    client.get(agenda_url(buyer))
    url = f"/expos/test-2019/my/{manage_token_of(buyer)}/recommendations/dismiss/"
    answer = client.post(url, {"exhibitor": toyota.pk, "action": "dismiss"})
    assert answer.status_code == 302
    assert answer["Location"].endswith("/agenda/#recommended")
    assert Dismissal.objects.filter(registration=buyer, exhibitor=toyota, by="visitor").exists()
    page = panel(client.get(agenda_url(buyer)).content.decode())
    assert "Exhibitors you said no to" in page
    listed = holder(buyer).get(f"{A}/registrations/{buyer.pk}/recommendations").json()
    assert "toyota" not in [i["exhibitor"]["slug"] for i in listed["items"]]
    client.post(url, {"exhibitor": toyota.pk, "action": "undo"})
    assert not Dismissal.objects.exists()
    # Another edition's exhibitor, or nonsense, changes nothing.
    assert client.post(url, {"exhibitor": "999999", "action": "dismiss"}).status_code == 302
    assert client.post(url, {"exhibitor": "x"}).status_code == 302
    assert not Dismissal.objects.exists()
    assert client.get(url).status_code == 405
    assert client.post(url.replace(manage_token_of(buyer), "nope")).status_code == 404


def test_the_portal_suggests_visitors_with_only_what_they_share(world):
    toyota = world.test_exhibitors["toyota"]
    client = signed_in(member(toyota, "admin@toyota.example", "admin"))
    url = "/portal/test-2019/toyota/suggested-visitors/"
    assert 'data-empty="no-model"' in client.get(url).content.decode()
    build(world)
    page = client.get(url).content.decode()
    people = world.test_people
    assert f'data-registration="{people["buyer"].pk}"' in page
    assert "Shanghai Fleet Co., Ltd." in page and "Guest 1" in page
    assert "13800000001" not in page  # the buyer's phone: not shared
    assert "g2@example.cn" in page  # the partner shares only the email…
    assert "Telco Partners" not in page and "Guest 2" not in page  # …not company or name
    assert f'data-registration="{people["private"].pk}"' not in page
    assert "Quiet Motors" not in page
    answer = client.post(url, {"registration": people["buyer"].pk})
    assert answer.status_code == 302
    assert Dismissal.objects.filter(registration=people["buyer"], by="exhibitor").exists()
    assert f'data-registration="{people["buyer"].pk}"' not in client.get(url).content.decode()
    # A visitor who shares nothing cannot be named.
    client.post(url, {"registration": people["private"].pk})
    assert not Dismissal.objects.filter(registration=people["private"]).exists()
    assert "推荐观众" in client.get("/zh-hans" + url).content.decode()


def test_the_portal_page_is_only_for_the_exhibitor_members(world):
    build(world)
    outsider = signed_in(member(world.test_exhibitors["huawei"], "x@huawei.example"))
    assert outsider.get("/portal/test-2019/toyota/suggested-visitors/").status_code == 404
