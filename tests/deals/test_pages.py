"""The public deals pages (docs/deals-pages.md): every page in both languages, the list's
filters, year over year at the same day of the expo, the follow-up's buckets, and no
confidential amount on any page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from smartexpo.deals import breakdowns
from smartexpo.deals.services.deals import deal_create, deal_status_set
from tests.deals.test_services import deal_data

SECRET = "777777777.77"
SECRET_FORMS = ("777777777.77", "777,777,777.77", "777777777", "777,777,777")


def party(name, country, region=""):
    return {"name": {"en": name}, "country": country, "region": region}


@pytest.fixture
def deals(expo, other_expo):
    """Test-2019 (26–29 Aug) after test-2018 (23–25 Aug): four deals here, two there, one of
    them here confidential and one cancelled."""
    expo.previous = other_expo
    expo.save(update_fields=["previous"])
    made = {
        "factory": deal_create(
            expo=expo,
            data=deal_data(
                title={"en": "Smart factory", "zh": "智能工厂"},
                amount="1000.00",
                signed_on="2019-08-26",
                parties=[party("Acme", "DE", "Bavaria"), {"exhibitor": "huawei"}],
            ),
        ),
        "cars": deal_create(
            expo=expo,
            data=deal_data(
                title={"en": "Car plant", "zh": "汽车厂"},
                sector="smart-vehicles",
                kind="procurement",
                investment_form="",
                amount="2500.50",
                signed_on="2019-08-27",
                at_expo=False,
                parties=[party("Chongqing Auto", "CN", "Chongqing"), {"exhibitor": "toyota"}],
            ),
        ),
        "secret": deal_create(
            expo=expo,
            data=deal_data(
                title={"en": "Hidden venture", "zh": "保密项目"},
                amount=SECRET,
                amount_confidential=True,
                signed_on="2019-08-28",
                parties=[party("Quiet Capital", "SG"), {"exhibitor": "huawei"}],
            ),
        ),
        "dropped": deal_create(
            expo=expo,
            data=deal_data(
                title={"en": "Dropped park", "zh": "取消园区"},
                amount="9000.00",
                signed_on="2019-08-25",
                at_expo=False,
                parties=[party("Sichuan Invest", "CN", "Sichuan")],
            ),
        ),
        "old1": deal_create(
            expo=other_expo,
            data=deal_data(
                amount="100.00",
                signed_on="2018-08-23",
                parties=[party("Old One", "FR")],
            ),
        ),
        "old2": deal_create(
            expo=other_expo,
            data=deal_data(
                amount="300.00",
                signed_on="2018-08-25",
                parties=[party("Old Two", "FR")],
            ),
        ),
    }
    deal_status_set(
        expo=expo,
        deal_id=made["dropped"].pk,
        status="cancelled",
        on="2019-09-01",
        evidence="Withdrawn",
    )
    return made


PAGES = ("", "list/", "follow-up/", "ceremony/")


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_answers_in_both_languages(deals, expo, prefix, page):
    html = get(Client(), f"{prefix}/expos/{expo.slug}/deals/{page}")
    if page != "ceremony/":  # the big screen shows both languages whatever the address
        assert ('lang="zh-Hans"' in html) == (prefix == "/zh-hans")
    words = {
        "": ("Signed projects: the tally", "签约项目：总览"),
        "list/": ("Car plant", "汽车厂"),
        "follow-up/": ("Follow-up of the signed projects", "签约项目跟踪"),
        "ceremony/": ("Projects signed", "签约项目数"),
    }[page]
    assert words[1 if prefix else 0] in html
    if page == "ceremony/":
        assert words[0] in html and words[1] in html


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_a_deal_page_shows_its_public_fields(deals, expo, prefix):
    html = get(Client(), f"{prefix}/expos/{expo.slug}/deals/{deals['cars'].pk}/")
    assert ("汽车厂" if prefix else "Car plant") in html
    assert "2,500.50" in html and "Chongqing Auto" in html
    # Not listed, not shown: a confidential amount's deal, another edition's, one that is not.
    for pk in (deals["secret"].pk, deals["old1"].pk, 10**9):
        get(Client(), f"{prefix}/expos/{expo.slug}/deals/{pk}/", status=404)


def test_the_tally_page_adds_up_exactly(deals, expo):
    html = get(Client(), f"/expos/{expo.slug}/deals/?day=all")
    total = Decimal("1000.00") + Decimal("2500.50") + Decimal(SECRET)
    assert f"¥{total:,}" in html  # 777,781,278.27: the confidential amount counts
    assert ">3</strong>" in html  # three projects: the cancelled one is left out
    tally = breakdowns.breakdown(expo=expo)
    assert tally["amount"] == f"{total}"
    assert tally["elsewhere"] == {"projects": 1, "amount": "2500.50"}
    assert [g["code"] for g in tally["by_country"]] == ["SG", "CN", "DE"]
    assert tally["by_province"] == [{"code": "Chongqing", "projects": 1, "amount": "2500.50"}]
    # The log's head, as the signed tally gives it, and where to check it.
    from smartexpo.deals.selectors import head

    assert head(expo=expo)[1] in html
    assert f"/api/v1/expos/{expo.slug}/deals/log" in html


def test_a_group_holding_one_confidential_amount_withholds_its_amount(deals, expo):
    tally = breakdowns.breakdown(expo=expo)
    singapore = next(g for g in tally["by_country"] if g["code"] == "SG")
    assert singapore == {"code": "SG", "projects": 1, "amount": None}
    # At the expo: Acme's 1,000.00 and the secret; shown, it would give the secret away.
    assert tally["at_expo"] == {"projects": 2, "amount": None}


@pytest.mark.parametrize("prefix", ["", "/zh-hans"])
def test_no_page_shows_a_confidential_amount(deals, expo, prefix):
    client = Client()
    urls = [f"{prefix}/expos/{expo.slug}/deals/{page}" for page in PAGES]
    urls += [f"{prefix}/expos/{expo.slug}/deals/?day={d}" for d in ("0", "1", "3", "4", "all")]
    urls += [f"{prefix}/expos/{expo.slug}/deals/list/?country=SG"]
    urls += [f"{prefix}/expos/{expo.slug}/deals/list/?q=Hidden"]
    for url in urls:
        html = get(client, url)
        for form in SECRET_FORMS:
            assert form not in html, url
        assert "Hidden venture" not in html and "保密项目" not in html


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Car plant", "Smart factory", "Dropped park"]),  # cancelled ones too
        ("?sector=smart-vehicles", ["Car plant"]),
        ("?kind=investment", ["Smart factory", "Dropped park"]),
        ("?status=signed", ["Car plant", "Smart factory"]),
        ("?status=cancelled", ["Dropped park"]),
        ("?at_expo=yes", ["Smart factory"]),
        ("?at_expo=no", ["Car plant", "Dropped park"]),
        ("?country=de", ["Smart factory"]),
        ("?region=Chongqing", ["Car plant"]),
        ("?q=工厂", ["Smart factory"]),
        ("?q=plant&sector=smart-vehicles", ["Car plant"]),
        (
            "?kind=nonsense",
            ["Car plant", "Smart factory", "Dropped park"],
        ),  # an unknown value is no filter
    ],
)
def test_the_list_filters(deals, expo, query, titles):
    html = get(Client(), f"/expos/{expo.slug}/deals/list/{query}")
    everything = ["Smart factory", "Car plant", "Dropped park"]
    # Newest signing first.
    assert sorted((t for t in everything if t in html), key=html.index) == titles


def test_the_list_is_paginated(expo):
    for n in range(30):
        deal_create(expo=expo, data=deal_data(title={"en": f"Project {n:02d}"}))
    first = get(Client(), f"/expos/{expo.slug}/deals/list/?sector=information-technology")
    assert "30 projects" in first and "Page 1 of 2" in first
    assert 'href="?sector=information-technology&amp;page=2"' in first
    second = get(Client(), f"/expos/{expo.slug}/deals/list/?sector=information-technology&page=2")
    assert second.count('class="card deal-card"') == 5


def test_the_pages_read_little_from_the_database(deals, expo, django_assert_max_num_queries):
    client = Client()
    client.get(f"/expos/{expo.slug}/deals/")  # the breakdowns are read once per head
    # Drawn: the page's own reads, and the stamp, the edition and the head of the memo.
    with django_assert_max_num_queries(9):
        get(client, f"/expos/{expo.slug}/deals/?day=2")
    with django_assert_max_num_queries(12):
        get(client, f"/expos/{expo.slug}/deals/list/?country=CN")
    # Asked again at the same head: kept (docs/caches.md), the stamp and the head only.
    for path in ("/deals/?day=2", "/deals/list/?country=CN"):
        with django_assert_max_num_queries(2):
            get(client, f"/expos/{expo.slug}{path}")


# --- year over year ------------------------------------------------------------------------


def test_the_cut_off_is_the_same_day_of_each_edition(expo, other_expo):
    assert breakdowns.cut_off(expo, 1) == dt.date(2019, 8, 26)
    assert breakdowns.cut_off(expo, 4) == dt.date(2019, 8, 29)
    assert breakdowns.cut_off(expo, 0) == dt.date(2019, 8, 25)  # before the opening
    assert breakdowns.cut_off(other_expo, 2) == dt.date(2018, 8, 24)
    assert breakdowns.cut_off(expo, None) is None
    # Today's day while the edition runs, else its last day.
    assert breakdowns.default_day(expo, dt.date(2019, 8, 27)) == 2
    assert breakdowns.default_day(expo, dt.date(2019, 8, 1)) == 4
    assert breakdowns.default_day(expo, dt.date(2024, 1, 1)) == 4


@pytest.mark.parametrize(
    ("day", "now", "then"),
    [
        (0, (0, "0.00"), (0, "0.00")),
        (1, (1, "1000.00"), (1, "100.00")),
        (2, (2, "3500.50"), (1, "100.00")),
        (3, (3, f"{Decimal('3500.50') + Decimal(SECRET)}"), (2, "400.00")),
        (None, (3, f"{Decimal('3500.50') + Decimal(SECRET)}"), (2, "400.00")),
    ],
)
def test_year_over_year_counts_each_edition_to_the_same_day(deals, expo, day, now, then):
    yoy = breakdowns.year_over_year(expo=expo, day=day)
    assert (yoy["this"]["projects"], yoy["this"]["amount"]) == now
    assert (yoy["previous"]["projects"], yoy["previous"]["amount"]) == then
    assert yoy["change"]["projects"] == now[0] - then[0]
    assert Decimal(yoy["change"]["amount"]) == Decimal(now[1]) - Decimal(then[1])


def test_the_change_in_percent(deals, expo):
    yoy = breakdowns.year_over_year(expo=expo, day=2)
    assert yoy["change"]["projects_pct"] == "100.0"
    assert yoy["change"]["amount_pct"] == "3400.5"  # (3500.50 − 100) / 100
    assert breakdowns.year_over_year(expo=expo, day=0)["change"]["amount_pct"] is None
    html = get(Client(), f"/expos/{expo.slug}/deals/?day=2")
    assert "+3,400.50 (+3400.5%)" in html and "2019-08-27" in html and "2018-08-24" in html


def test_without_a_previous_edition_there_is_nothing_to_compare(expo):
    assert breakdowns.year_over_year(expo=expo, day=1)["previous"] is None
    html = get(Client(), f"/expos/{expo.slug}/deals/")
    assert "no previous edition" in html
    # No confidential amount: the note about them is not there.
    assert "Cancelled projects are left out." in html and "confidential:" not in html


@pytest.mark.parametrize(("value", "day"), [("0", 0), ("4", 4), ("all", None), ("5", 4)])
def test_the_day_in_the_address(deals, expo, value, day):
    html = get(Client(), f"/expos/{expo.slug}/deals/?day={value}")
    chosen = "all" if day is None else str(day)
    assert f'<option value="{chosen}" selected>' in html


# --- follow-up -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signed", "today", "bucket"),
    [
        ("2019-08-26", "2019-08-26", "lt6m"),
        ("2019-08-26", "2020-02-25", "lt6m"),
        ("2019-08-26", "2020-02-26", "6to12m"),
        ("2019-08-26", "2020-08-25", "6to12m"),
        ("2019-08-26", "2020-08-26", "1to2y"),
        ("2019-08-26", "2021-08-25", "1to2y"),
        ("2019-08-26", "2021-08-26", "gt2y"),
        ("2019-08-31", "2020-02-29", "lt6m"),  # 31 Aug + 6 months is not yet on 29 Feb
        ("2019-08-31", "2020-03-01", "6to12m"),
    ],
)
def test_the_age_buckets(signed, today, bucket):
    on, now = dt.date.fromisoformat(signed), dt.date.fromisoformat(today)
    assert breakdowns.age_bucket(on, now) == bucket


def test_the_follow_up_counts_every_status_reached(deals, expo, settings):
    deal_status_set(
        expo=expo, deal_id=deals["cars"].pk, status="started", on="2020-05-01", evidence="Permit"
    )
    data = breakdowns.follow_up(expo=expo, today=dt.date(2020, 4, 1))
    rows = {row["age"]: row["counts"] for row in data["rows"]}
    # Signed 25–28 Aug 2019, seven months before: all four in "6 to 12 months".
    assert rows["6to12m"] == {
        "signed": 4,
        "registered": 1,  # the car plant started, so it was registered
        "started": 1,
        "operating": 0,
        "cancelled": 1,
    }
    assert rows["lt6m"] == dict.fromkeys(rows["lt6m"], 0)
    html = get(Client(), f"/zh-hans/expos/{expo.slug}/deals/follow-up/")
    assert "6 至 12 个月" in html and "已取消" in html
