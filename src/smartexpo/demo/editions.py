"""Facts of the demo editions (public figures, see MISSION.md) and the venue they use.

The Chongqing International Expo Center: 16 exhibition halls in two groups of 8 (north and
south), a 20,000 m² multi-function hall and a conference centre with forum rooms.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

VENUE_EN = "Chongqing International Expo Center"
VENUE_ZH = "重庆国际博览中心"
CITY_EN = "Yuelai, Liangjiang New Area, Chongqing"
CITY_ZH = "重庆两江新区悦来"


@dataclass(frozen=True)
class EditionFacts:
    slug: str
    name_en: str
    name_zh: str
    starts_on: dt.date
    ends_on: dt.date
    expected_visitors: int
    venue_area_m2: int
    countries: int
    exhibitors: int
    tagline_en: str
    tagline_zh: str
    description_en: str
    description_zh: str
    previous: str | None = None
    # Registration's closing (`tickets.sales`); None: the default, the end of the last day.
    # The demo replays 2019 in any year, so its 2019 edition names a closing far ahead and
    # stays on sale for whoever tries the demo; 2018 keeps the default and is closed.
    sales_close_at: dt.datetime | None = None


def _edition(record: dict) -> EditionFacts:
    dates = {key: dt.date.fromisoformat(record[key]) for key in ("starts_on", "ends_on")}
    if record.get("sales_close_at"):
        dates["sales_close_at"] = dt.datetime.fromisoformat(record["sales_close_at"])
    return EditionFacts(**{**record, **dates})


# The editions' figures are data, in editions.json beside this module (oldest first).
EDITIONS = [
    _edition(record)
    for record in json.loads(Path(__file__).with_name("editions.json").read_text("utf-8"))
]

# --- Venue ------------------------------------------------------------------------------
HALL_WIDTH = 144.0  # metres, west to east
HALL_DEPTH = 75.0  # metres, north to south
HALL_GAP = 8.0
AVENUE = 60.0  # the central avenue between the north and south groups

MULTI_HALL = {
    "code": "M",
    "name_en": "Multi-function Hall",
    "name_zh": "多功能厅",
    "width": 160.0,
    "depth": 125.0,
}

CONFERENCE_CENTRE = {"code": "CC", "name_en": "Conference Centre", "name_zh": "会议中心"}

FORUM_ROOMS = [
    ("R-MAIN", "Main Forum Hall", "主论坛会场", 2000, 2400.0),
    ("R-SILK", "Digital Silk Road Hall", "数字丝路厅", 800, 1000.0),
    ("R-AI", "AI Summit Room", "人工智能峰会厅", 600, 750.0),
    ("R-5G", "5G Forum Room", "5G论坛厅", 400, 520.0),
    ("R-BD", "Big Data Room", "大数据厅", 300, 400.0),
    ("R-BC", "Blockchain Room", "区块链厅", 300, 400.0),
    ("R-M1", "Meeting Room 1", "第一会议室", 120, 180.0),
    ("R-M2", "Meeting Room 2", "第二会议室", 120, 180.0),
]

# Forum stages built inside the multi-function hall (`Zone.hall` is hall M): (code, English,
# Chinese, seats, m²). They open onto the concourse, so a ticket may admit to them without
# admitting to the hall's trade floor.
HALL_ROOMS = [
    ("R-MA", "Multi-function Hall Forum Stage A", "多功能厅论坛A区", 500, 650.0),
    ("R-MB", "Multi-function Hall Forum Stage B", "多功能厅论坛B区", 500, 650.0),
    ("R-MC", "Multi-function Hall Forum Stage C", "多功能厅论坛C区", 300, 400.0),
    ("R-MD", "Multi-function Hall Forum Stage D", "多功能厅论坛D区", 300, 400.0),
]


def door_code(room: str) -> str:
    """The code of a forum room's door gate (a scanner there admits into the room)."""
    return f"D-{room}"


# Entrance halls admit into the whole venue; each exhibition hall also has its own gate.
ENTRANCE_GATES = [
    ("G-N", "North Entrance Hall", "北登录厅", 24),
    ("G-S", "South Entrance Hall", "南登录厅", 24),
    ("G-E", "East Gate", "东入口", 12),
    ("G-W", "West Gate", "西入口", 12),
]

# Each entrance gate's queue area, counted by people counters at its entry and at the lanes
# (the gate's waits): this many m² per lane, safe for QUEUE_PEOPLE_PER_M2 standing in line
# (about level of service C of a queue).
QUEUE_M2_PER_LANE = 40
QUEUE_PEOPLE_PER_M2 = 1.5


def queue_code(gate: str) -> str:
    """The code of an entrance gate's queue zone."""
    return f"Q-{gate}"


# Safe capacity of an exhibition hall: 0.5 people per m² of hall, which leaves the aisles of a
# fully built hall at about 1 p/m² — level of service C/D, well short of crowding.
HALL_PEOPLE_PER_M2 = 0.5


def hall_layout() -> list[dict]:
    """The 17 halls with their place on the site plan (metres from the north-west corner)."""
    halls = []
    for group, (code_prefix, name_en, name_zh, y0) in enumerate(
        [
            ("N", "North", "北", 0.0),
            ("S", "South", "南", 2 * (HALL_DEPTH + HALL_GAP) + AVENUE),
        ]
    ):
        for i in range(8):
            row, col = divmod(i, 4)
            halls.append(
                {
                    "code": f"{code_prefix}{i + 1}",
                    "name_en": f"Hall {code_prefix}{i + 1}",
                    "name_zh": f"{code_prefix}{i + 1}馆",
                    "group_en": f"{name_en} halls",
                    "group_zh": f"{name_zh}区展馆",
                    "x": col * (HALL_WIDTH + HALL_GAP),
                    "y": y0 + row * (HALL_DEPTH + HALL_GAP),
                    "width": HALL_WIDTH,
                    "depth": HALL_DEPTH,
                    "position": group * 8 + i + 1,
                }
            )
    site_width = 4 * (HALL_WIDTH + HALL_GAP)
    halls.append(
        {
            "code": MULTI_HALL["code"],
            "name_en": MULTI_HALL["name_en"],
            "name_zh": MULTI_HALL["name_zh"],
            "group_en": "Central axis",
            "group_zh": "中轴",
            "x": site_width + HALL_GAP,
            "y": 2 * (HALL_DEPTH + HALL_GAP) + AVENUE / 2 - MULTI_HALL["depth"] / 2,
            "width": MULTI_HALL["width"],
            "depth": MULTI_HALL["depth"],
            "position": 17,
        }
    )
    return halls
