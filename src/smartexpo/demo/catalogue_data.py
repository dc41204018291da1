"""Static catalogue data for the SmartExpo demo (Smart China Expo 2019, Chongqing).

The data is `catalogue.json`, beside this module; this module reads it once and gives each table
its Python shape:

- `SECTORS`, `TAGS`: (code, name_en, name_zh);
- `NOTABLE_EXHIBITORS`: well-known exhibitors, each a dict of slug, names, country, sector,
  fortune500, tags (codes), website, descriptions and `showcase` items (title_en, title_zh,
  description_en, description_zh);
- the vocabulary for fictional exhibitors, PLACE + STEM + SECTOR_SUFFIX + COMPANY_FORM (e.g.
  "Chongqing Yunzhi Software Co., Ltd." / "重庆云智软件有限公司"): `PLACES`, `STEMS` (pinyin,
  zh), `SECTOR_SUFFIXES` and `COMPANY_FORMS` ((en, zh), the suffixes by sector);
- `SECTOR_TAGS`: the technology tags that fit each sector (a robotics maker is never tagged
  "blockchain"): every exhibitor's tags, notable or generated, are among its sector's;
- `SECTOR_DESCRIPTIONS`: one-sentence descriptions by sector, (en, zh, tags) with `{name}` /
  `{name_zh}` placeholders and the tags (of the sector's) that fit what the sentence says;
  `SHOWCASE_TEMPLATES`: showcase items by sector;
- `COUNTRIES_FOREIGN`: ISO 3166-1 alpha-2 codes of countries sending foreign exhibitors and
  guests (China excluded).
"""

from __future__ import annotations

import json
from pathlib import Path

_DATA = json.loads(Path(__file__).with_name("catalogue.json").read_text(encoding="utf-8"))


def _rows(table: list) -> list[tuple]:
    return [tuple(row) for row in table]


def _rows_by_sector(tables: dict) -> dict[str, list[tuple]]:
    return {sector: _rows(rows) for sector, rows in tables.items()}


SECTORS: list[tuple[str, str, str]] = _rows(_DATA["SECTORS"])
TAGS: list[tuple[str, str, str]] = _rows(_DATA["TAGS"])
SECTOR_TAGS: dict[str, list[str]] = _DATA["SECTOR_TAGS"]
COUNTRIES_FOREIGN: list[str] = _DATA["COUNTRIES_FOREIGN"]
PLACES: list[tuple[str, str]] = _rows(_DATA["PLACES"])
STEMS: list[tuple[str, str]] = _rows(_DATA["STEMS"])
COMPANY_FORMS: list[tuple[str, str]] = _rows(_DATA["COMPANY_FORMS"])
SECTOR_SUFFIXES: dict[str, list[tuple[str, str]]] = _rows_by_sector(_DATA["SECTOR_SUFFIXES"])
SECTOR_DESCRIPTIONS: dict[str, list[tuple[str, str, list[str]]]] = _rows_by_sector(
    _DATA["SECTOR_DESCRIPTIONS"]
)
SHOWCASE_TEMPLATES: dict[str, list[tuple[str, str, str, str]]] = _rows_by_sector(
    _DATA["SHOWCASE_TEMPLATES"]
)
NOTABLE_EXHIBITORS: list[dict] = [
    {**exhibitor, "showcase": _rows(exhibitor["showcase"])}
    for exhibitor in _DATA["NOTABLE_EXHIBITORS"]
]
