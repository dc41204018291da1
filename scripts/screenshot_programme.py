"""Screenshots of the forum programme's public pages and a visitor's agenda, at a phone's width
and a desktop's, for docs/screenshots/, taken with Debian's Chromium.

Usage, against a running demo (`make demo`), with the same SMARTEXPO_DATA_DIR as the server:

    python scripts/screenshot_programme.py [BASE_URL] [OUT_DIR]

If the 2019 edition has no published programme yet, it publishes a small illustrative one
(five forums in five of the demo's forum rooms on the first day; the names, titles and speakers
are made up). It registers a visitor once, who stars a session and reserves a seat at another,
and fills one session's seats so that its "Full" badge shows. The edition's demo clock is set to
10:40 on its first day for the shots ("now" and "next") and put back as it was afterwards.
Files: programme-, session-, agenda- -desktop.png (1280 wide) and -360.png (360 × 740), and the
Chinese programme-zh-*.png; OUT_DIR defaults to docs/screenshots.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import django
from screenshot import CHROMIUM_ARGS

EDITION = "sce-2019"
SIZES = {"desktop": {"width": 1280, "height": 900}, "360": {"width": 360, "height": 740}}
VISITOR = ("Chen Xiaoyu", "chen.xiaoyu@example.cn", "50010219880612")
FILLERS = [("Liu Yang", "liu.yang@example.cn", "50010219900305")]

# (forum code, English, Chinese, room)
FORUMS = [
    ("main", "Main Forum", "主论坛", "R-MAIN"),
    ("silk-road", "Digital Cooperation along the Silk Road", "“一带一路”数字合作论坛", "R-SILK"),
    ("ai", "AI Summit", "人工智能高峰论坛", "R-AI"),
    ("5g", "5G and the Industrial Internet", "5G与工业互联网论坛", "R-5G"),
    ("big-data", "Big Data and Smart Cities", "大数据与智慧城市论坛", "R-BD"),
]
# (forum, start, minutes, format, English, Chinese, seats, speakers)
SESSIONS = [
    ("main", "09:00", 30, "keynote", "Opening ceremony", "开幕式", None, [0]),
    ("main", "09:30", 60, "keynote", "The intelligent economy", "智能经济新图景", None, [1, 2]),
    ("main", "10:45", 75, "panel", "Industry leaders' dialogue", "产业领袖对话", None, [3, 4, 5]),
    ("main", "12:00", 60, "break", "Lunch break", "午餐休息", None, []),
    ("silk-road", "09:30", 45, "talk", "Data corridors to Europe", "通往欧洲的数据走廊", 2, [6]),
    ("silk-road", "10:30", 60, "panel", "Cross-border e-commerce", "跨境电商合作", 120, [7, 8]),
    ("silk-road", "11:45", 30, "signing", "Cooperation agreements", "合作协议签约", None, [9]),
    ("ai", "09:30", 45, "talk", "Large models in factories", "大模型走进工厂", 80, [10]),
    ("ai", "10:30", 45, "talk", "Machine vision on the line", "产线上的机器视觉", 80, [11]),
    ("ai", "11:30", 60, "panel", "AI and trust", "人工智能与信任", 80, [10, 11]),
    ("5g", "10:00", 60, "talk", "5G private networks", "5G专网实践", 60, [12]),
    ("5g", "11:15", 45, "talk", "Connected vehicles", "智能网联汽车", 60, [13]),
    ("big-data", "09:45", 45, "talk", "City brains", "城市大脑", 60, [14]),
    ("big-data", "11:00", 60, "panel", "Open government data", "政务数据开放", 60, [14, 2]),
]
SPEAKERS = [
    ("Wang Jun", "王军", "Chongqing Municipal Government"),
    ("Zhang Lin", "张琳", "Chinese Academy of Engineering"),
    ("Li Hua", "李华", "Chongqing University"),
    ("Zhao Ming", "赵明", "Changan Automobile"),
    ("Sun Li", "孙丽", "Inspur"),
    ("Anna Schmidt", "安娜·施密特", "Duisburg Port"),
    ("Zhou Qiang", "周强", "Chongqing Liangjiang New Area"),
    ("Marek Nowak", "马雷克·诺瓦克", "Polish Chamber of Commerce"),
    ("Huang Wei", "黄伟", "Alibaba"),
    ("Ma Jing", "马静", "Chongqing Foreign Affairs Office"),
    ("Wu Di", "吴迪", "iFlytek"),
    ("Chen Yu", "陈宇", "Tencent"),
    ("Guo Ping", "郭平", "China Mobile"),
    ("Xu Rui", "徐锐", "Seres"),
    ("He Na", "何娜", "Chongqing Big Data Bureau"),
]


def _id_number(first14: str, n: int) -> str:
    from smartexpo.tickets.identity import resident_check_digit

    first17 = f"{first14}{n:03d}"
    return first17 + resident_check_digit(first17)


def _register(expo, name: str, email: str, first14: str, seq: int = 1):
    from smartexpo.tickets.models import Registration
    from smartexpo.tickets.selectors import manage_token_of
    from smartexpo.tickets.services.registration import registration_create

    found = Registration.objects.filter(expo=expo, email=email).first()
    if found is None:
        found = registration_create(
            expo=expo,
            ticket_type="professional",
            days=[d.isoformat() for d in expo.days],
            name=name,
            email=email,
            id_type="resident",
            id_number=_id_number(first14, seq),
        ).registration
    return found, manage_token_of(found)


def _illustrative_programme(expo) -> None:
    from smartexpo.programme.services.editing import forum_create, session_create, speaker_create
    from smartexpo.programme.services.publishing import programme_publish

    for code, en, zh, _room in FORUMS:
        forum_create(expo=expo, code=code, name_en=en, name_zh=zh)
    people = [
        speaker_create(expo=expo, name_en=en, name_zh=zh, affiliation_en=where).pk
        for en, zh, where in SPEAKERS
    ]
    rooms = {code: room for code, _en, _zh, room in FORUMS}
    for forum, start, minutes, fmt, en, zh, seats, speakers in SESSIONS:
        at = dt.datetime.combine(expo.starts_on, dt.time.fromisoformat(start), tzinfo=expo.tz)
        session_create(
            expo=expo,
            forum=forum,
            room=rooms[forum],
            format=fmt,
            title_en=en,
            title_zh=zh,
            abstract_en=f"{en}: an illustrative session of the demo programme.",
            abstract_zh=f"{zh}：演示日程中的示例场次。",
            starts_at=at,
            ends_at=at + dt.timedelta(minutes=minutes),
            seats=seats,
            speakers=[people[i] for i in speakers],
        )
    programme_publish(expo=expo, actor="screenshots", confirm=True)


def prepare() -> dict:
    """The visitor's manage token and the sessions to show, after making what is missing."""
    from smartexpo.programme.models import Release
    from smartexpo.programme.selectors import published_programme
    from smartexpo.programme.services.reservations import favourite_add, reservation_make
    from smartexpo.venue.models import Expo

    expo = Expo.objects.get(slug=EDITION)
    if not Release.objects.filter(expo=expo).exists():
        _illustrative_programme(expo)
    published = published_programme(expo=expo)
    first = [s for s in published.sessions if s["day"] == published.days[0]]
    seated = [s for s in first if s["seats"]]
    registration, token = _register(expo, *VISITOR)
    favourite_add(registration=registration, session_id=first[0]["id"])
    reservation_make(registration=registration, session_id=seated[-1]["id"], force=True)
    smallest = min(seated, key=lambda s: s["seats"])
    for n, (name, email, first14) in enumerate(FILLERS * smallest["seats"]):
        other, _token = _register(
            expo, f"{name} {n + 1}", email.replace("@", f"{n}@"), first14, n + 1
        )
        reservation_make(registration=other, session_id=smallest["id"], force=True)
    return {
        "expo": expo,
        "token": token,
        "session": seated[-1]["id"],
        "day": published.days[0],
    }


def shoot(base: str, out: Path, found: dict) -> None:
    from playwright.sync_api import sync_playwright

    e = f"/expos/{EDITION}"
    shots = {
        "programme": f"{e}/programme/?day={found['day']}",
        "programme-zh": f"/zh-hans{e}/programme/?day={found['day']}",
        "session": f"{e}/programme/sessions/{found['session']}/",
        "agenda": f"{e}/my/{found['token']}/agenda/",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            # The agenda first: the browser then remembers the visitor, and the programme
            # and session pages show their buttons.
            page.goto(base + shots["agenda"])
            for name, path in shots.items():
                page.goto(base + path)
                page.wait_for_load_state("load")
                page.screenshot(path=out / f"{name}-{size}.png", full_page=True)
            context.close()
        browser.close()


def main() -> None:
    base = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/")
    out = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartexpo.settings")
    django.setup()
    from django.utils import timezone

    from smartexpo.venue.models import Expo

    found = prepare()
    expo = found["expo"]
    before = expo.clock_offset
    at = dt.datetime.combine(dt.date.fromisoformat(found["day"]), dt.time(10, 40), tzinfo=expo.tz)
    Expo.objects.filter(pk=expo.pk).update(clock_offset=at - timezone.now())
    try:
        shoot(base, out, found)
    finally:
        Expo.objects.filter(pk=expo.pk).update(clock_offset=before)


if __name__ == "__main__":
    main()
