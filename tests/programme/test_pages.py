"""The public programme pages: the day grid and its list, filters and search, seats, "now" and
"next", the latest release's changes, a session, the speakers and their photos, in English and
Chinese (the visitor's buttons and agenda: test_pages_agenda.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from smartexpo.programme.models import SessionSeats, Speaker
from smartexpo.programme.services.editing import session_create, session_update
from smartexpo.programme.services.publishing import programme_publish
from smartexpo.venue.models import Expo
from tests.programme.conftest import at

E = "/expos/test-2019"


def page(path: str, language: str = "en", **params) -> str:
    prefix = "/zh-hans" if language == "zh-hans" else ""
    response = Client().get(prefix + path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def session_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<article class="prog-session[^"]*" id="s-(\d+)"', html)]


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Programme", "Opening keynote", "Main Forum", "Forum Room 1", "Keynote"]),
        ("zh-hans", ["论坛日程", "开幕主旨演讲", "主论坛", "第一论坛厅", "主旨演讲"]),
    ],
)
def test_the_programme_shows_each_session_with_its_forum_room_time_and_speakers(
    programme, language, words
):
    html = page(f"{E}/programme/", language)
    for word in words:
        assert word in html
    assert "09:30–10:30" in html  # the edition's time, not UTC (01:30)
    s = programme["sessions"]
    assert session_ids(html) == [s["keynote"].pk, s["silk"].pk, s["ai"].pk]
    ada = programme["speakers"]["ada"].pk
    assert f'/programme/speakers/{ada}/">{"陈艾达" if language != "en" else "Ada Chen"}</a>' in html


def test_seats_left_a_full_badge_and_no_reservation_needed(programme):
    s = programme["sessions"]
    html = page(f"{E}/programme/")
    assert "3 seats left" in html and "50 seats left" in html
    assert "No reservation needed" in html
    SessionSeats.objects.filter(session=s["silk"]).update(confirmed=3)
    html = page(f"{E}/programme/")
    block = html.split(f'id="s-{s["silk"].pk}"')[1].split("</article>")[0]
    assert '<strong class="badge badge-full">Full</strong>' in block
    assert "seats left" not in block
    zh = page(f"{E}/programme/", "zh-hans")
    assert "已满" in zh and "剩余 50 个座位" in zh and "无需预约" in zh


def test_one_seat_left_is_singular(programme):
    SessionSeats.objects.filter(session=programme["sessions"]["silk"]).update(confirmed=2)
    assert "1 seat left" in page(f"{E}/programme/")


def test_filters_by_forum_tag_sector_room_and_day(expo, programme, taxonomy):
    s = programme["sessions"]
    assert session_ids(page(f"{E}/programme/", forum="silk")) == [s["silk"].pk]
    assert session_ids(page(f"{E}/programme/", tag="ai")) == [s["ai"].pk]
    assert session_ids(page(f"{E}/programme/", room="R2")) == [s["silk"].pk]
    later, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Smart vehicles on the road",
        title_zh="智能网联汽车上路",
        starts_at=at(27, 14),
        ends_at=at(27, 15),
        sectors=["smart-vehicles"],
    )
    programme_publish(expo=expo, actor="test")
    html = page(f"{E}/programme/", sector="smart-vehicles")
    # The day shown has none; the tabs count what matches on each day.
    assert session_ids(html) == []
    assert "No session matches on this day; 1 does on another day" in html
    assert re.search(r'day=2019-08-27[^"]*">Tuesday, August 27 <span class="count">1</span>', html)
    html = page(f"{E}/programme/", sector="smart-vehicles", day="2019-08-27")
    assert session_ids(html) == [later.pk]
    assert "Intelligent connected vehicles" in html  # the sector's name in its filter
    assert session_ids(page(f"{E}/programme/", day="2019-08-27")) == [later.pk]


def test_unknown_filters_are_dropped_and_said_so(programme):
    html = page(f"{E}/programme/", forum="nope", day="2030-01-01", tag="<script>")
    assert len(session_ids(html)) == 3
    assert "Unknown forum; showing all forums." in html
    assert "The programme has no such day; showing another." in html
    assert "<script>" not in html.split("<main")[1]
    zh = page(f"{E}/programme/", "zh-hans", forum="nope")
    assert "未知论坛，已显示全部论坛。" in zh


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("silk road", ["silk"]),
        ("丝路", ["silk"]),
        ("人工智能", ["ai"]),
        ("Ada", ["keynote", "silk"]),  # a speaker's name
        ("cq ai lab", ["ai"]),  # an affiliation
        ("nothing like this", []),
    ],
)
def test_the_text_search(programme, query, expected):
    s = programme["sessions"]
    html = page(f"{E}/programme/", q=query)
    assert session_ids(html) == [s[name].pk for name in expected]
    if not expected:
        assert "No session matches. Try fewer words or another filter." in html


def test_the_list_view_and_the_grid(programme):
    grid = page(f"{E}/programme/")
    assert 'class="prog prog-grid"' in grid
    assert re.search(r'class="prog-room" style="grid-area: 1 / 2 / 2 / 3">Forum Room 1<', grid)
    # 09:30–10:30 in the first room: rows of five minutes from 09:00 (row 2), 12 rows tall.
    keynote = programme["sessions"]["keynote"].pk
    assert f'id="s-{keynote}" style="grid-area: 8 / 2 / 20 / 3"' in grid
    listed = page(f"{E}/programme/", view="list")
    assert 'class="prog prog-list"' in listed
    assert 'name="view" value="list"' in listed  # the filters keep the view


def test_now_and_next_during_the_expo_by_the_editions_demo_clock(expo, programme):
    s = programme["sessions"]
    html = page(f"{E}/programme/")
    assert "badge-now" not in html and "badge-next" not in html  # 2019 is long over
    Expo.objects.filter(pk=expo.pk).update(clock_offset=at(26, 11, 15) - timezone.now())
    html = page(f"{E}/programme/")
    assert "At the expo it is 11:15." in html

    def mark(pk):
        block = html.split(f'id="s-{pk}"')[0].rsplit("<article", 1)[1]
        found = re.search(r"is-(now|next)", block)
        return found and found.group(1)

    assert mark(s["silk"].pk) == "now"  # 11:00–12:00 in room 2
    assert mark(s["ai"].pk) == "next"  # 11:30 in room 1, whose keynote is over
    assert mark(s["keynote"].pk) is None
    zh = page(f"{E}/programme/", "zh-hans")
    assert "进行中" in zh and "即将开始" in zh
    # On the session's own page too.
    assert "badge-now" in page(f"{E}/programme/sessions/{s['silk'].pk}/")


def test_before_the_first_release_a_clear_empty_state(expo, rooms):
    html = page(f"{E}/programme/")
    assert "The programme is not published yet." in html
    assert "prog-session" not in html
    assert "论坛日程尚未发布。" in page(f"{E}/programme/", "zh-hans")
    assert "The programme is not published yet." in page(f"{E}/programme/speakers/")


def test_the_latest_releases_changes(expo, programme):
    s = programme["sessions"]
    html = page(f"{E}/programme/")
    assert "Version 1, published" in html
    assert 'href="#changes"' not in html  # the first release changes nothing
    session_update(session=s["keynote"], changes={"starts_at": at(26, 9), "ends_at": at(26, 10)})
    session_update(session=s["silk"], changes={"cancelled": True})
    session_update(session=s["ai"], changes={"title_en": "AI in factories"})
    session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Closing remarks",
        starts_at=at(26, 16),
        ends_at=at(26, 17),
    )
    programme_publish(expo=expo, actor="test", confirm=True)
    html = page(f"{E}/programme/")
    assert "Version 2, published" in html
    assert "1 added, 1 moved, 1 cancelled" in html
    changes = html.split('id="changes"')[1].split("</details>")[0]
    assert "Closing remarks" in changes
    assert "was Monday, August 26 09:30–10:30, Forum Room 1, now 09:00–10:00" in changes
    assert "<s>Cancelled along the Silk Road</s>" not in changes
    assert "<s>Cooperation along the Silk Road</s>" in changes
    assert "AI in factories" in changes
    zh = page(f"{E}/programme/", "zh-hans")
    assert "新增 1 场，调整 1 场，取消 1 场" in zh
    assert "<s>丝路数字合作</s>" in zh


def test_the_session_page_in_both_languages(programme):
    s = programme["sessions"]
    html = page(f"{E}/programme/sessions/{s['silk'].pk}/")
    assert "<h1>Cooperation along the Silk Road</h1>" in html
    assert "Digital Silk Road" in html and "Panel discussion" in html
    assert "Monday, August 26" in html and "11:00–12:00" in html
    assert "Meeting Room 2" in html and "?day=2019-08-26&amp;room=R2" in html
    assert "3 seats left" in html
    assert "Ada Chen" in html and "Chongqing University" in html and "Bo Li" in html
    zh = page(f"{E}/programme/sessions/{s['silk'].pk}/", "zh-hans")
    assert "<h1>丝路数字合作</h1>" in zh and "8月26日 星期一" in zh and "圆桌讨论" in zh
    keynote = page(f"{E}/programme/sessions/{s['keynote'].pk}/")
    assert "5G" in keynote  # its technology tag
    assert "No reservation needed" in keynote


def test_a_full_session_says_so_with_its_waiting_list(expo, programme):
    from smartexpo.programme.services.reservations import reservation_make
    from tests.conftest import public_day_pass, register

    public_day_pass(expo, quota_per_day=100)
    silk = programme["sessions"]["silk"].pk
    for n in range(1, 6):
        reservation_make(registration=register(expo, n).registration, session_id=silk)
    html = page(f"{E}/programme/sessions/{silk}/")
    assert "badge-full" in html and "2 people on the waiting list" in html
    assert "候补名单上有 2 人" in page(f"{E}/programme/sessions/{silk}/", "zh-hans")


def test_404s_for_what_the_published_programme_does_not_have(expo, programme, other_expo):
    draft, _ = session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Not yet published",
        starts_at=at(26, 15),
        ends_at=at(26, 16),
    )
    loner = Speaker.objects.create(expo=expo, name_en="Nobody Yet")
    client = Client()
    for path in (
        f"{E}/programme/sessions/{draft.pk}/",
        f"{E}/programme/sessions/999999/",
        f"{E}/programme/speakers/{loner.pk}/",
        f"/expos/test-2018/programme/sessions/{programme['sessions']['ai'].pk}/",
        "/expos/no-such-expo/programme/",
        f"/zh-hans{E}/programme/sessions/{draft.pk}/",
    ):
        assert client.get(path).status_code == 404, path
    assert "Not yet published" not in page(f"{E}/programme/")


def test_speakers_list_and_page_with_photo(expo, programme):
    ada = programme["speakers"]["ada"]
    Speaker.objects.filter(pk=ada.pk).update(
        photo=b"\x89PNG fake", photo_type="image/png", photo_digest="abc123", bio_en="Ada works."
    )
    html = page(f"{E}/programme/speakers/")
    assert "3 speakers" in html
    assert f"/programme/speakers/{ada.pk}/photo/abc123/" in html
    assert "2 sessions" in html  # Ada's
    one = page(f"{E}/programme/speakers/{ada.pk}/")
    assert "<h1>Ada Chen</h1>" in one and "Ada works." in one
    assert "Opening keynote" in one and "Cooperation along the Silk Road" in one
    assert "<h1>陈艾达</h1>" in page(f"{E}/programme/speakers/{ada.pk}/", "zh-hans")
    assert "3 位演讲嘉宾" in page(f"{E}/programme/speakers/", "zh-hans")
    photo = Client().get(f"{E}/programme/speakers/{ada.pk}/photo/abc123/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png" and photo.content == b"\x89PNG fake"
    assert "max-age=31536000" in photo["Cache-Control"]
    stale = Client().get(f"{E}/programme/speakers/{ada.pk}/photo/old/")
    assert stale.status_code == 404
    # A photo of someone who speaks in no published session is not served.
    loner = Speaker.objects.create(
        expo=expo, name_en="Nobody Yet", photo=b"x", photo_type="image/png", photo_digest="d1"
    )
    assert Client().get(f"{E}/programme/speakers/{loner.pk}/photo/d1/").status_code == 404


def test_the_site_links_the_programme(expo, programme):
    home = page(f"{E}/")
    assert home.count(f'href="{E}/programme/"') == 2  # the menu and the edition's page
    assert 'aria-current="page">Programme<' in page(f"{E}/programme/speakers/")
    assert "论坛日程" in page(f"{E}/", "zh-hans")


def test_the_programme_page_asks_the_database_the_same_few_times_for_any_size(
    expo, programme, django_assert_max_num_queries
):
    for n in range(60):
        session_create(
            expo=expo,
            forum="silk",
            room="R2" if n % 2 else "R1",
            title_en=f"Session {n}",
            starts_at=at(26, 13) + n * dt.timedelta(minutes=5),
            ends_at=at(26, 13, 30) + n * dt.timedelta(minutes=5),
            seats=20,
            speakers=[programme["speakers"]["bo"].pk],
        )
    programme_publish(expo=expo, actor="test", confirm=True)
    page(f"{E}/programme/")  # the release parsed once per process
    with django_assert_max_num_queries(6):
        html = page(f"{E}/programme/")
    assert len(session_ids(html)) == 63
