"""The frab schedule exports, `schedule.json` and `schedule.xml`, checked against the published
schemas shipped in `programme/exports/frab-schema/` (the JSON schema with `jsonschema`, the XSD with
`xmlschema`), and what they say about the published release."""

from __future__ import annotations

import hashlib
import json
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from django.test import Client
from django.urls import reverse
from django.utils import translation

from smartexpo.programme.exports import frab
from smartexpo.programme.exports.common import NAMESPACE
from smartexpo.programme.services.editing import session_update
from smartexpo.programme.services.publishing import programme_publish
from tests.conftest import make_expo
from tests.programme.conftest import at

SCHEMAS = Path(frab.__file__).resolve().parent / "frab-schema"
JSON_SCHEMA = SCHEMAS / "schedule.schema.json"
XSD = SCHEMAS / "schedule.xml.xsd"


@pytest.fixture(scope="module")
def json_validator():
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft6Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def xsd():
    return xmlschema.XMLSchema(str(XSD))


def get_json(slug: str, query: str = "") -> dict:
    response = Client().get(f"/expos/{slug}/schedule.json{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def get_xml(slug: str, query: str = "") -> bytes:
    response = Client().get(f"/expos/{slug}/schedule.xml{query}")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return response.content


def events_of(document: dict) -> dict[int, dict]:
    return {
        event["id"]: event
        for day in document["schedule"]["conference"]["days"]
        for events in day["rooms"].values()
        for event in events
    }


def test_the_shipped_schemas_are_the_published_ones_and_parse():
    schema = json.loads(JSON_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft6Validator.check_schema(schema)
    assert schema["$id"] == "https://c3voc.de/schedule/schema.json"
    assert set(schema["definitions"]) >= {"Conference", "Day", "Event", "Person", "Room"}
    parsed = xmlschema.XMLSchema(str(XSD))
    assert "schedule" in parsed.elements
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    assert "voc/schedule" in readme and "EUPL" in readme
    # Unchanged since they were copied: the checksums the README records.
    for path in (JSON_SCHEMA, XSD):
        assert hashlib.sha256(path.read_bytes()).hexdigest() in readme, path.name


def test_schedule_json_is_valid_and_holds_the_release(expo, programme, json_validator):
    document = get_json(expo.slug)
    json_validator.validate(document)
    schedule = document["schedule"]
    assert schedule["version"] == "1"
    conference = schedule["conference"]
    assert conference["acronym"] == "test_2019"
    assert conference["title"] == "Test Expo 2019"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2019-08-26",
        "2019-08-29",
        4,
    )
    assert conference["time_zone_name"] == "Asia/Shanghai"
    assert conference["timeslot_duration"] == "00:30"
    assert conference["url"] == "http://127.0.0.1:8000/expos/test-2019/programme/"
    assert conference["tracks"] == [
        {"name": "Main Forum", "slug": "main"},
        {"name": "Digital Silk Road", "slug": "silk"},
    ]
    first = conference["days"][0]
    assert first["day_start"] == "2019-08-26T09:00:00+08:00"
    assert list(first["rooms"]) == ["Forum Room 1", "Meeting Room 2"]  # the plan's order
    s = programme["sessions"]
    events = events_of(document)
    assert set(events) == {s["keynote"].pk, s["silk"].pk, s["ai"].pk}
    silk = events[s["silk"].pk]
    assert silk["guid"] == str(uuid.uuid5(NAMESPACE, f"test-2019/session/{s['silk'].pk}"))
    assert (silk["date"], silk["start"], silk["duration"]) == (
        "2019-08-26T11:00:00+08:00",
        "11:00",
        "01:00",
    )
    assert silk["room"] == "Meeting Room 2"
    assert silk["title"] == "Cooperation along the Silk Road" and silk["subtitle"] == "丝路数字合作"
    assert (silk["track"], silk["type"]) == ("Digital Silk Road", "panel")
    assert [p["public_name"] for p in silk["persons"]] == ["Ada Chen", "Bo Li"]
    assert (
        silk["url"] == f"http://127.0.0.1:8000/expos/test-2019/programme/sessions/{s['silk'].pk}/"
    )
    assert silk["slug"] == f"test_2019-{s['silk'].pk}-cooperation-along-the-silk-road"


def test_chinese_is_asked_with_lang(expo, programme, json_validator):
    document = get_json(expo.slug, "?lang=zh-hans")
    json_validator.validate(document)
    silk = events_of(document)[programme["sessions"]["silk"].pk]
    assert (silk["title"], silk["subtitle"]) == ("丝路数字合作", "Cooperation along the Silk Road")
    assert silk["track"] == "数字丝绸之路" and silk["room"] == "第二会议室"
    assert silk["url"].startswith("http://127.0.0.1:8000/zh-hans/expos/")
    assert document["schedule"]["conference"]["title"] == "测试博览会2019"


def test_schedule_xml_is_valid_against_the_xsd(expo, programme, xsd):
    body = get_xml(expo.slug)
    xsd.validate(body.decode("utf-8"))
    root = ET.fromstring(body)  # noqa: S314 - the document this server just wrote
    assert root.findtext("version") == "1"
    assert root.findtext("conference/acronym") == "test_2019"
    assert root.findtext("conference/days") == "4"
    events = {int(e.get("id")): e for e in root.iter("event")}
    silk = events[programme["sessions"]["silk"].pk]
    assert silk.findtext("start") == "11:00" and silk.findtext("duration") == "01:00"
    assert [p.text for p in silk.iter("person")] == ["Ada Chen", "Bo Li"]
    assert silk.findtext("track") == "Digital Silk Road"
    assert len(events) == 3 and len(root.findall("day")) == 4


def test_the_guid_of_a_session_is_stable_across_releases(expo, programme, json_validator, xsd):
    silk = programme["sessions"]["silk"]
    before = events_of(get_json(expo.slug))[silk.pk]
    session_update(session=silk, changes={"starts_at": at(27, 14), "ends_at": at(27, 15, 30)})
    programme_publish(expo=expo, actor="test")
    document = get_json(expo.slug)
    json_validator.validate(document)
    xsd.validate(get_xml(expo.slug).decode("utf-8"))
    after = events_of(document)[silk.pk]
    assert document["schedule"]["version"] == "2"
    assert after["guid"] == before["guid"]
    assert (after["date"], after["duration"]) == ("2019-08-27T14:00:00+08:00", "01:30")


def test_documents_are_kept_per_release(expo, programme):
    first = frab.schedule_json(expo=expo)
    assert frab.schedule_json(expo=expo) is first
    assert frab.schedule_xml(expo=expo) is frab.schedule_xml(expo=expo)
    session_update(session=programme["sessions"]["ai"], changes={"title_en": "AI in factories"})
    assert frab.schedule_json(expo=expo) is first  # the working copy is not public
    programme_publish(expo=expo, actor="test")
    assert b"AI in factories" in frab.schedule_json(expo=expo).body
    response = Client().get(
        f"/expos/{expo.slug}/schedule.json", headers={"If-None-Match": first.etag}
    )
    assert response.status_code == 200


def test_an_empty_programme_is_still_a_valid_schedule(expo, json_validator, xsd):
    document = get_json(expo.slug)
    json_validator.validate(document)
    assert document["schedule"]["version"] == "0"
    assert [d["rooms"] for d in document["schedule"]["conference"]["days"]] == [{}] * 4
    xsd.validate(get_xml(expo.slug).decode("utf-8"))


def test_an_unknown_edition_is_404_and_a_slug_with_hyphens_makes_a_valid_acronym(
    db, expo, json_validator
):
    assert Client().get("/expos/no-such-expo/schedule.json").status_code == 404
    assert Client().get("/expos/no-such-expo/schedule.xml").status_code == 404
    short = make_expo(slug="a-b")
    document = get_json(short.slug)
    json_validator.validate(document)
    assert document["schedule"]["conference"]["acronym"] == "a_b_"


def test_the_links_are_the_pages_addresses(expo, programme):
    """The documents' links (built without a request) are where the programme's pages are,
    in both languages."""
    pk = programme["sessions"]["silk"].pk
    for lang, query in (("en", ""), ("zh-hans", "?lang=zh-hans")):
        document = get_json(expo.slug, query)
        with translation.override(lang):
            session = reverse("programme:session", kwargs={"expo": expo.slug, "pk": pk})
            page = reverse("programme:programme", kwargs={"expo": expo.slug})
        assert events_of(document)[pk]["url"] == "http://127.0.0.1:8000" + session
        assert document["schedule"]["conference"]["url"] == "http://127.0.0.1:8000" + page
        assert Client().get(session).status_code == 200
