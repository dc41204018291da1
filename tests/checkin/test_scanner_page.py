"""The gate scanner page renders in both languages, self-contained (no external requests)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from smartexpo.checkin.rules import RULES

pytestmark = pytest.mark.django_db

PAGE = "/expos/test-2019/scanner/"
# The page's scripts, in the order they must run: each part of the scanner adds to the
# namespace the earlier ones made, and scanner.js, last, starts the page.
SCRIPTS = (
    "checkin/rules.js",
    "checkin/scanner-state.js",
    "checkin/scanner-clock.js",
    "checkin/scanner-secrets.js",
    "checkin/scanner-sync.js",
    "checkin/scanner-view.js",
    "checkin/scanner.js",
)
ASSETS = (*SCRIPTS, "checkin/scanner.css", "checkin/scanner-sw.js")
URL = re.compile(r"\bhttps?://[\w.-]+", re.IGNORECASE)


def config_of(html: str) -> dict:
    match = re.search(
        r'<script id="scanner-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "the page passes its configuration and strings in a json_script block"
    return json.loads(match.group(1))


def external_urls(text: str) -> list[str]:
    # Absolute addresses (the HTML's src/href are checked separately); SVG's namespace name
    # is not a request.
    return [u for u in URL.findall(text) if u.lower() not in ("http://www.w3.org",)]


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("src", "href", "action"):
            if values.get(name):
                self.sources.append(values[name])


def test_the_page_renders_in_english(expo):
    response = Client().get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for label in ("Gate scanner", "Device token", "Sign in", "Gate", "Direction"):
        assert label in html
    assert "Scan a ticket, or type its code and press Enter" in html
    # The language switcher, as on every page.
    assert 'class="langswitch"' in html
    assert 'value="zh-hans"' in html and "中文" in html
    parser = Ids()
    parser.feed(html)
    assert {"signin-form", "token", "console", "gates", "code", "verdict", "queue", "net"} <= (
        parser.ids
    )
    config = config_of(html)
    assert config["expo"] == "test-2019"
    assert config["lang"] == "en"
    assert config["api"] == {
        "setup": "/api/v1/expos/test-2019/checkin/setup",
        "keys": "/api/v1/expos/test-2019/checkin/keys",
        "scans": "/api/v1/expos/test-2019/checkin/scans",
        "sync": "/api/v1/expos/test-2019/checkin/sync",
    }
    assert config["syncBatch"] == 5000
    # The rule table the script decides by offline, in the order of checkin/rules.py.
    assert [r["reason"] for r in config["rules"]] == [r.reason for r in RULES]
    assert config["rules"][3] == {
        "reason": "revoked",
        "fact": "revoked",
        "broken_when": True,
        "direction": "in",
        "identifies": False,
        "gates": None,
    }
    assert config["rules"][-1]["gates"] == "venue"  # `not_inside`: not at a room's door
    strings = config["strings"]
    assert strings["admit"] == "ADMIT"
    assert strings["reject"] == "REJECT"
    assert strings["reasons"]["already_inside"] == "Already inside"
    assert set(strings["reasons"]) >= {
        "invalid",
        "unknown",
        "revoked",
        "wrong_day",
        "already_inside",
        "not_inside",
        "zone_not_allowed",
        "gate_not_allowed",
        "not_reserved",
        "conflict",
    }
    assert strings["queue_offline"] == {
        "one": "Offline — {n} scan waiting",
        "other": "Offline — {n} scans waiting",
    }


def test_the_page_renders_in_chinese(expo):
    response = Client().get("/zh-hans" + PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    for label in ("闸机扫码", "设备令牌", "登录", "入口", "方向", "入场", "出场"):
        assert label in html
    assert 'class="langswitch"' in html and "English" in html
    config = config_of(html)
    assert config["lang"] == "zh"
    strings = config["strings"]
    assert strings["admit"] == "放行"
    assert strings["reject"] == "拒绝"
    assert strings["reasons"]["already_inside"] == "已在场内"
    assert strings["reasons"]["not_reserved"] == "本场次没有预约"
    assert strings["queue_offline"]["one"] == "离线 — {n} 条待同步"
    assert strings["online"] == "在线" and strings["offline"] == "离线"
    # Every string the script shows is translated.
    flat = json.dumps(strings, ensure_ascii=False)
    assert not re.search(r"\b(?:the|scan|scans|ticket|device)\b", flat, re.I), flat


def test_an_unknown_edition_is_404(expo):
    assert Client().get("/expos/nope/scanner/").status_code == 404
    assert Client().get("/expos/nope/scanner/sw.js").status_code == 404


def test_nothing_is_loaded_from_another_host(expo):
    html = Client().get(PAGE).content.decode()
    assert external_urls(html) == []
    parser = Ids()
    parser.feed(html)
    assert all(s.startswith(("/", "#")) for s in parser.sources), parser.sources
    for asset in ASSETS:
        path = finders.find(asset)
        assert path, asset
        with open(path, encoding="utf-8") as handle:
            source = handle.read()
        assert external_urls(source) == [], asset
        # No CDN, no library: WebCrypto does the signature check.
        assert "import " not in source and "importScripts" not in source


def test_the_page_loads_every_part_of_the_scanner_in_order(expo):
    html = Client().get(PAGE).content.decode()
    loaded = re.findall(r'<script src="/static/(checkin/[^"]+)"( defer)?></script>', html)
    assert loaded == [(script, " defer") for script in SCRIPTS]
    # Offline, a reload is served from the cache the page fills with its own <script src>s
    # (scanner-sw.js): a part of the scanner the page did not load would be missing there.
    folder = Path(finders.find("checkin/scanner.js")).parent
    parts = {f"checkin/{p.name}" for p in folder.glob("*.js")} - {"checkin/scanner-sw.js"}
    assert parts == set(SCRIPTS)


def test_the_service_worker_is_served_under_the_page(expo):
    response = Client().get(PAGE + "sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert b"/api/" in response.content  # the API is never served from the cache
