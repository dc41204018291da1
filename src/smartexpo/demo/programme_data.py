"""The demo's forum programme as a plan: forums, speakers and sessions, built deterministically
from the compact bilingual building blocks of `programme.json` (beside this module).

The Smart China Expo, its main forum and its forum on digital cooperation along the Silk Road
are public facts; every session, time, host and speaker of the plan is invented. The texts the
public pages show say so: a forum's description and a speaker's biography begin with
"Illustrative" (示例), and so does every session's abstract. Speakers are fictional people with
generic affiliations (the fictional companies use the exhibitors' own name vocabulary).

The plan has no warnings by construction: each forum is one block of back-to-back sessions in
one room on one day within opening hours, forums sharing a room never share a half-day, and a
speaker speaks only in their own forum's block, save the main forum's keynote speakers, who
also open sub-forums on the later days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import zoneinfo
from pathlib import Path

from smartexpo.demo import catalogue_data as catalogue
from smartexpo.demo import editions as facts

DATA = json.loads(Path(__file__).with_name("programme.json").read_text(encoding="utf-8"))
ROOM_SEATS = {code: seats for code, _en, _zh, seats, _area in facts.FORUM_ROOMS + facts.HALL_ROOMS}
ILLUSTRATIVE_EN = "Illustrative"
ILLUSTRATIVE_ZH = "示例"


@dataclasses.dataclass(frozen=True)
class PlannedForum:
    code: str
    name_en: str
    name_zh: str
    host_en: str
    host_zh: str
    sector: str
    description_en: str
    description_zh: str


@dataclasses.dataclass(frozen=True)
class PlannedSpeaker:
    name_en: str
    name_zh: str
    affiliation_en: str
    affiliation_zh: str
    bio_en: str
    bio_zh: str


@dataclasses.dataclass(frozen=True)
class PlannedSession:
    forum: str
    room: str
    title_en: str
    title_zh: str
    abstract_en: str
    abstract_zh: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    format: str
    speakers: tuple[int, ...]  # indexes into `Plan.speakers`
    tags: tuple[str, ...]
    sectors: tuple[str, ...]
    seats: int | None  # a seat quota (reservation required)
    reservation_required: bool


@dataclasses.dataclass(frozen=True)
class Plan:
    forums: list[PlannedForum]
    speakers: list[PlannedSpeaker]
    sessions: list[PlannedSession]


class _People:
    """Fictional speakers, each name used once (in either language)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self.speakers: list[PlannedSpeaker] = []

    def _name(self, foreign: bool) -> tuple[str, str]:
        rng = self.rng
        while True:
            if foreign:
                given, family = (
                    rng.choice(DATA["foreign_given"]),
                    rng.choice(DATA["foreign_family"]),
                )
                en, zh = f"{given[0]} {family[0]}", f"{given[1]}·{family[1]}"
            else:
                surname = rng.choice(DATA["surnames"])
                chars = rng.sample(DATA["given"], k=rng.choice((1, 2, 2)))
                pinyin = "".join(c[1] for c in chars)
                en = f"{surname[1]} {pinyin[0].upper()}{pinyin[1:]}"
                zh = surname[0] + "".join(c[0] for c in chars)
            if en not in self.used and zh not in self.used:
                self.used.update((en, zh))
                return en, zh

    def _affiliation(self, forum: dict, foreign: bool) -> tuple[tuple[str, str], tuple[str, str]]:
        rng = self.rng
        if foreign:
            brand, org = rng.choice(DATA["foreign_brands"]), rng.choice(DATA["foreign_orgs"])
            city = rng.choice(DATA["foreign_cities"])
            role = rng.choice(DATA["roles"])
            return role, (f"{brand[0]} {org[0]}, {city[0]}", f"{city[1]}{brand[1]}{org[1]}")
        if rng.random() < DATA["academic_share"]:
            en, zh = rng.choice(DATA["institutes"])
            stem, place = rng.choice(catalogue.STEMS), rng.choice(catalogue.PLACES)
            values = {
                "stem_en": stem[0],
                "stem_zh": stem[1],
                "place_en": place[0],
                "place_zh": place[1],
                "field_en": forum["field_en"],
                "field_zh": forum["field_zh"],
            }
            return rng.choice(DATA["academic_roles"]), (en.format(**values), zh.format(**values))
        place, stem = rng.choice(catalogue.PLACES), rng.choice(catalogue.STEMS)
        suffix = rng.choice(catalogue.SECTOR_SUFFIXES[forum["sector"]])
        form = rng.choice(catalogue.COMPANY_FORMS)
        return rng.choice(DATA["roles"]), (
            f"{place[0]} {stem[0]} {suffix[0]} {form[0]}",
            f"{place[1]}{stem[1]}{suffix[1]}{form[1]}",
        )

    def new(self, forum: dict) -> int:
        """A new fictional speaker for `forum`; returns their index."""
        international = forum["code"] in DATA["international_forums"]
        share = DATA["foreign_share_international"] if international else DATA["foreign_share"]
        foreign = self.rng.random() < share
        name_en, name_zh = self._name(foreign)
        role, (aff_en, aff_zh) = self._affiliation(forum, foreign)
        values = {
            "role_en": role[0],
            "role_zh": role[1],
            "affiliation_en": aff_en,
            "affiliation_zh": aff_zh,
            "topic_en": forum["topic_en"],
            "topic_zh": forum["topic_zh"],
        }
        ill = DATA["illustrative"]
        self.speakers.append(
            PlannedSpeaker(
                name_en,
                name_zh,
                f"{role[0]}, {aff_en}",
                f"{aff_zh}{role[1]}",
                ill["bio_en"].format(**values),
                ill["bio_zh"].format(**values),
            )
        )
        return len(self.speakers) - 1


def _at(day: dt.date, hhmm: str, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=tz)


def programme_plan(*, days: list[dt.date], tz: zoneinfo.ZoneInfo, seed: int) -> Plan:
    """The demo programme for an edition of these days (the 2019 edition's four)."""
    rng = random.Random(f"{seed}:programme")
    people = _People(rng)
    ill = DATA["illustrative"]
    forums, sessions = [], []
    keynoters: list[int] = []  # the main forum's keynote speakers, in order
    opened = 0  # sub-forums on later days opened by one of them
    for forum in DATA["forums"]:
        values = {"topic_en": forum["topic_en"], "topic_zh": forum["topic_zh"]}
        forums.append(
            PlannedForum(
                forum["code"],
                forum["name_en"],
                forum["name_zh"],
                forum["host_en"],
                forum["host_zh"],
                forum["sector"],
                ill["forum_en"].format(**values),
                ill["forum_zh"].format(**values),
            )
        )
        titles = iter(forum["titles"])
        day = days[forum["day"]]
        own_keynoter = None
        for start, end, fmt in DATA["blocks"][forum["block"]]:
            if fmt == "break":
                title = DATA["break_title"]
            elif fmt == "signing" and forum["block"] != "main":
                title = [t.format(**values) for t in DATA["signing_title"]]
            else:
                title = next(titles)
            low, high = DATA["speakers_per_format"][fmt]
            count = low
            if fmt == "talk" and rng.random() < DATA["co_speaker_share"]:
                count = high
            elif high > low and fmt != "talk":
                count = rng.randint(low, high)
            chosen: list[int] = []
            if fmt == "keynote" and forum["block"] == "main" and start != "09:00":
                chosen = [people.new(forum)]
                keynoters.append(chosen[0])
            elif fmt == "keynote" and forum["day"] > 0 and opened < len(keynoters):
                # A main forum keynote speaker opens a sub-forum on a later day.
                chosen = [keynoters[opened]]
                opened += 1
            elif fmt == "keynote":
                chosen = [people.new(forum)]
            if fmt == "keynote" and own_keynoter is None:
                own_keynoter = chosen[0]
            if fmt == "panel" and own_keynoter is not None:
                # The forum's keynote speaker sits on its closing panel.
                chosen = [own_keynoter]
            while len(chosen) < count:
                chosen.append(people.new(forum))
            reserved = forum["reserved"] and fmt in DATA["reserved_formats"]
            if forum["block"] == "main" and fmt != "break":
                reserved = True
            seats = None
            if reserved and forum["block"] != "main":
                seats = round(ROOM_SEATS[forum["room"]] * DATA["seat_share"])
            abstract = DATA["abstracts"][fmt]
            sessions.append(
                PlannedSession(
                    forum=forum["code"],
                    room=forum["room"],
                    title_en=title[0],
                    title_zh=title[1],
                    abstract_en=abstract[0].format(**values),
                    abstract_zh=abstract[1].format(**values),
                    starts_at=_at(day, start, tz),
                    ends_at=_at(day, end, tz),
                    format=fmt,
                    speakers=tuple(chosen),
                    tags=() if fmt == "break" else tuple(forum["tags"]),
                    sectors=() if fmt == "break" else (forum["sector"],),
                    seats=seats,
                    reservation_required=reserved,
                )
            )
    return Plan(forums, people.speakers, sessions)
