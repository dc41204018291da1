"""The programme API's public reads and organisers' writes (docs/api.md, "Programme"): the
published programme only, the error shape and codes, every role."""

from __future__ import annotations

import pytest

from smartexpo.programme.models import Release, Session
from smartexpo.programme.services.reservations import reservation_make
from tests.conftest import ApiClient, error_of, public_day_pass, register
from tests.programme.conftest import at

A = "/api/v1/expos/test-2019"
ITEM_KEYS = {
    "id",
    "forum",
    "title",
    "starts_at",
    "ends_at",
    "room",
    "format",
    "speakers",
    "seats",
    "available",
}


@pytest.fixture
def holder(expo, programme):
    public_day_pass(expo, quota_per_day=100)
    return ApiClient(register(expo, 1).manage_token)


def session_body(**extra) -> dict:
    return {
        "forum": "main",
        "title": {"en": "Closing panel", "zh": "闭幕座谈"},
        "starts_at": "2019-08-26T16:00:00+08:00",
        "ends_at": "2019-08-26T17:00:00+08:00",
        "room": "R1",
        **extra,
    }


# --- public reads -----------------------------------------------------------------------------


def test_sessions_list_the_published_release_with_the_contracts_item_shape(programme, anonymous):
    s = programme["sessions"]
    body = anonymous.get(A + "/sessions").json()
    assert body["count"] == 3
    assert [i["id"] for i in body["items"]] == [s["keynote"].pk, s["silk"].pk, s["ai"].pk]
    silk = body["items"][1]
    assert set(silk) >= ITEM_KEYS
    assert silk["forum"] == "silk" and silk["room"] == "R2" and silk["format"] == "panel"
    assert silk["title"] == {"en": "Cooperation along the Silk Road", "zh": "丝路数字合作"}
    assert silk["starts_at"] == "2019-08-26T11:00:00+08:00"
    assert [p["name"]["zh"] for p in silk["speakers"]] == ["陈艾达", "李博"]
    assert set(silk["speakers"][0]) >= {"id", "name"}
    assert (silk["seats"], silk["available"]) == (3, 3)
    keynote = body["items"][0]
    assert (keynote["seats"], keynote["available"]) == (None, None)


def test_available_is_seats_less_confirmed_and_never_below_zero(expo, programme, anonymous):
    from smartexpo.programme.models import SessionSeats

    public_day_pass(expo, quota_per_day=100)
    silk = programme["sessions"]["silk"].pk
    for n in range(2):
        reservation_make(registration=register(expo, n).registration, session_id=silk)
    assert anonymous.get(f"{A}/sessions/{silk}").json()["available"] == 1
    # A quota that shrank under its reservations (the organiser was warned): 0, not -2.
    SessionSeats.objects.filter(session_id=silk).update(seats=1, confirmed=3)
    assert anonymous.get(f"{A}/sessions/{silk}").json()["available"] == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"day": "2019-08-26"}, ["keynote", "silk", "ai"]),
        ({"day": "2019-08-27"}, []),
        ({"forum": "silk"}, ["silk"]),
        ({"room": "R1"}, ["keynote", "ai"]),
        ({"q": "silk road"}, ["silk"]),
        ({"q": "丝路"}, ["silk"]),
        ({"q": "ada"}, ["keynote", "silk"]),
        ({"tag": "ai"}, ["ai"]),
        ({"forum": "main", "tag": "5g"}, ["keynote"]),
        ({"sector": "information-technology"}, []),
    ],
)
def test_sessions_filter_by_day_forum_room_words_tag_and_sector(
    programme, anonymous, query, expected
):
    body = anonymous.get(A + "/sessions", query).json()
    ids = {pk: name for name, pk in ((k, v.pk) for k, v in programme["sessions"].items())}
    assert [ids[i["id"]] for i in body["items"]] == expected
    assert body["count"] == len(expected)


def test_sessions_filter_by_speaker_and_paginate(programme, anonymous):
    ada = programme["speakers"]["ada"].pk
    assert anonymous.get(A + "/sessions", {"speaker": ada}).json()["count"] == 2
    page = anonymous.get(A + "/sessions", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and [i["id"] for i in page["items"]] == [
        programme["sessions"]["silk"].pk
    ]


def test_a_bad_day_is_422_at_that_field(programme, anonymous):
    response = anonymous.get(A + "/sessions", {"day": "26 August"})
    assert response.status_code == 422
    assert "day" in error_of(response)["detail"]["fields"]


def test_a_session_shows_its_abstract_speakers_and_release(programme, anonymous):
    s = programme["sessions"]
    body = anonymous.get(f"{A}/sessions/{s['ai'].pk}").json()
    assert body["version"] == 1 and body["day"] == "2019-08-26" and body["tags"] == ["ai"]
    assert body["room_name"]["zh"] == "第一论坛厅"
    assert body["speakers"][0]["affiliation"]["en"] == "CQ AI Lab"
    assert {"abstract", "forum_name", "seats", "available"} <= set(body)


def test_unknown_unpublished_or_other_editions_sessions_are_404(
    expo, other_expo, programme, organizer, anonymous
):
    draft = organizer.post(A + "/sessions", session_body()).json()
    for pk in (draft["id"], 999_999, 2**63, 10**30):
        response = anonymous.get(f"{A}/sessions/{pk}")
        assert response.status_code in (404, 422), pk
        assert error_of(response)["code"] in ("not_found", "invalid")
    assert anonymous.get(f"{A}/sessions/{draft['id']}").status_code == 404
    silk = programme["sessions"]["silk"].pk
    assert anonymous.get(f"/api/v1/expos/test-2018/sessions/{silk}").status_code == 404
    assert anonymous.get(f"/api/v1/expos/nope/sessions/{silk}").status_code == 404


def test_public_reads_ignore_authorization_headers(programme):
    for token in ("nonsense", "sxm_forged", "sxo_forged"):
        client = ApiClient(token)
        for path in ("/sessions", "/speakers", "/forums", "/programme/releases"):
            assert client.get(A + path).status_code == 200, (token, path)


def test_speakers_are_those_of_published_sessions_with_their_sessions(
    expo, programme, organizer, anonymous
):
    sp = programme["speakers"]
    lonely = organizer.post(A + "/speakers", {"name": {"en": "Dee Wu", "zh": "吴迪"}}).json()
    body = anonymous.get(A + "/speakers").json()
    assert [i["id"] for i in body["items"]] == [sp["ada"].pk, sp["bo"].pk, sp["cai"].pk]
    ada = anonymous.get(f"{A}/speakers/{sp['ada'].pk}").json()
    s = programme["sessions"]
    assert ada["sessions"] == [s["keynote"].pk, s["silk"].pk]
    assert ada["affiliation"] == {"en": "Chongqing University", "zh": "Chongqing University"}
    assert set(ada) == {"id", "name", "affiliation", "bio", "sessions"}
    assert anonymous.get(f"{A}/speakers/{lonely['id']}").status_code == 404
    assert anonymous.get(f"{A}/speakers/{2**60}").status_code == 404


def test_forums_list_and_create(programme, organizer, anonymous):
    body = anonymous.get(A + "/forums").json()
    assert [(f["code"], f["name"]["zh"]) for f in body["items"]] == [
        ("main", "主论坛"),
        ("silk", "数字丝绸之路"),
    ]
    created = organizer.post(
        A + "/forums",
        {
            "code": "ai-forum",
            "name": {"en": "AI Forum", "zh": "人工智能论坛"},
            "sector": "information-technology",
        },
    )
    assert created.status_code == 201
    assert created.json()["sector"] == "information-technology"
    again = organizer.post(A + "/forums", {"code": "ai-forum", "name": {"en": "AI", "zh": ""}})
    assert again.status_code == 409 and error_of(again)["code"] == "forum_exists"
    bad = organizer.post(A + "/forums", {"code": "no spaces", "name": {"en": " ", "zh": ""}})
    assert bad.status_code == 422
    assert set(error_of(bad)["detail"]["fields"]) == {"code", "name.en"}


# --- organisers' writes -----------------------------------------------------------------------


def test_a_session_created_is_saved_with_its_warnings_and_public_only_after_publishing(
    expo, programme, organizer, anonymous
):
    ada = programme["speakers"]["ada"].pk
    body = session_body(
        starts_at="2019-08-26T10:00:00+08:00",
        ends_at="2019-08-26T11:00:00+08:00",
        speakers=[ada],
        seats=500,
        tags=["ai"],
        sectors=["smart-vehicles"],
        abstract={"en": "Who builds what.", "zh": ""},
    )
    response = organizer.post(A + "/sessions", body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert sorted(created["warnings"]) == [
        "room_double_booked",
        "seats_above_capacity",
        "speaker_double_booked",
    ]
    assert {w["code"] for w in created["warning_details"]} == set(created["warnings"])
    assert all(w["message"] for w in created["warning_details"])
    assert created["published"] is False and created["seats"] == 500
    assert created["reservation_required"] is True and created["sectors"] == ["smart-vehicles"]
    assert Session.objects.filter(pk=created["id"]).exists()
    assert anonymous.get(A + "/sessions").json()["count"] == 3


def test_creating_a_session_refuses_bad_fields_by_name(programme, organizer):
    cases = [
        ({"forum": "nope"}, "forum"),
        ({"room": "N1"}, "room"),
        ({"speakers": [987654]}, "speakers"),
        ({"tags": ["quantum"]}, "tags"),
        ({"ends_at": "2019-08-26T15:00:00+08:00"}, "ends_at"),
        ({"starts_at": "2019-08-26T16:00:00"}, "starts_at"),
        ({"format": "concert"}, "format"),
        ({"seats": 0}, "seats"),
        ({"title": {"en": "  ", "zh": ""}}, "title.en"),
    ]
    for change, field in cases:
        response = organizer.post(A + "/sessions", session_body(**change))
        assert response.status_code == 422, (change, response.content)
        assert field in error_of(response)["detail"]["fields"], (change, response.json())
    missing = organizer.post(A + "/sessions", {"forum": "main"})
    assert missing.status_code == 422
    assert {"title", "starts_at", "ends_at", "room"} <= set(error_of(missing)["detail"]["fields"])
    assert organizer.post(A + "/sessions", raw="{").status_code == 400


def test_patch_changes_any_field_partially_and_answers_the_working_copy(
    programme, organizer, anonymous
):
    s = programme["sessions"]
    url = f"{A}/sessions/{s['keynote'].pk}"
    response = organizer.patch(url, {"title": {"zh": "开幕演讲"}, "forum": "silk", "seats": 100})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == {"en": "Opening keynote", "zh": "开幕演讲"}
    assert body["forum"] == "silk" and body["seats"] == 100 and body["reservation_required"]
    assert body["published"] is True and body["warnings"] == []
    moved = organizer.patch(
        url,
        {
            "room": "R2",
            "starts_at": "2019-08-26T07:00:00+08:00",
            "ends_at": "2019-08-26T08:00:00+08:00",
            "speakers": [programme["speakers"]["bo"].pk],
            "tags": [],
            "format": "talk",
        },
    ).json()
    assert moved["room"] == "R2" and moved["tags"] == [] and moved["format"] == "talk"
    assert set(moved["warnings"]) == {"outside_opening_hours", "seats_above_capacity"}
    # Public only after the next publish.
    assert anonymous.get(url).json()["title"]["zh"] == "开幕主旨演讲"
    # `seats: null` drops the quota: reservation stays required, for the room's capacity (3).
    dropped = organizer.patch(url, {"seats": None}).json()
    assert (dropped["seat_quota"], dropped["seats"], dropped["reservation_required"]) == (
        None,
        3,
        True,
    )
    assert organizer.patch(url, {"cancelled": True}).json()["cancelled"] is True


def test_patch_refuses_bad_values_and_unknown_sessions(expo, programme, organizer):
    url = f"{A}/sessions/{programme['sessions']['ai'].pk}"
    for change, field in [
        ({"forum": None}, "forum"),
        ({"ends_at": "2019-08-26T11:00:00+08:00"}, "ends_at"),
        ({"room": "nowhere"}, "room"),
        ({"title": {"en": ""}}, "title.en"),
        ({"seats": 100_001}, "seats"),
        ({"speakers": ["x"]}, "speakers.0"),
    ]:
        response = organizer.patch(url, change)
        assert response.status_code == 422, (change, response.content)
        assert field in error_of(response)["detail"]["fields"], (change, response.json())
    for pk in (999_999, 2**62):
        assert organizer.patch(f"{A}/sessions/{pk}", {"format": "talk"}).status_code == 404


def test_publishing_answers_the_version_and_the_changes(expo, programme, organizer, anonymous):
    s = programme["sessions"]
    organizer.patch(f"{A}/sessions/{s['ai'].pk}", {"title": {"en": "AI in factories"}})
    organizer.patch(
        f"{A}/sessions/{s['keynote'].pk}",
        {"starts_at": "2019-08-26T09:00:00+08:00", "ends_at": "2019-08-26T10:00:00+08:00"},
    )
    organizer.patch(f"{A}/sessions/{s['silk'].pk}", {"cancelled": True})
    new = organizer.post(A + "/sessions", session_body()).json()
    response = organizer.post(A + "/programme/publish")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2 and body["sessions"] == 3
    assert body["changes"]["added"] == [new["id"]]
    assert body["changes"]["cancelled"] == [s["silk"].pk]
    assert body["changes"]["changed"] == [s["ai"].pk]
    (moved,) = body["changes"]["moved"]
    assert moved["id"] == s["keynote"].pk
    assert moved["from"]["starts_at"] == "2019-08-26T09:30:00+08:00"
    assert moved["to"]["starts_at"] == "2019-08-26T09:00:00+08:00"
    assert anonymous.get(f"{A}/sessions/{s['silk'].pk}").status_code == 404
    assert anonymous.get(f"{A}/sessions/{new['id']}").status_code == 200
    releases = anonymous.get(A + "/programme/releases").json()
    assert [r["version"] for r in releases["items"]] == [1, 2]
    assert releases["items"][1]["changes"]["moved"][0]["from"]["room"] == "R1"


def test_publishing_with_open_warnings_needs_confirm(expo, programme, organizer):
    organizer.patch(f"{A}/sessions/{programme['sessions']['silk'].pk}", {"seats": 99})
    warnings = organizer.get(A + "/programme/warnings").json()
    assert [w["code"] for w in warnings["items"]] == ["seats_above_capacity"]
    refused = organizer.post(A + "/programme/publish", {})
    assert refused.status_code == 409
    error = error_of(refused)
    assert error["code"] == "unconfirmed_warnings"
    assert error["detail"]["warnings"][0]["code"] == "seats_above_capacity"
    assert Release.objects.filter(expo=expo).count() == 1
    done = organizer.post(A + "/programme/publish", {"confirm": True, "comment": "Room 2 moved"})
    assert done.status_code == 200
    assert done.json()["warnings"][0]["code"] == "seats_above_capacity"
    assert done.json()["comment"] == "Room 2 moved"
    bad = organizer.post(A + "/programme/publish", {"confirm": "maybe"})
    assert bad.status_code == 422 and "confirm" in error_of(bad)["detail"]["fields"]
    assert organizer.post(A + "/programme/publish", raw="[").status_code == 400


def test_the_first_publish_of_an_empty_programme_is_version_one(expo, organizer, anonymous):
    body = organizer.post(A + "/programme/publish").json()
    assert body["version"] == 1 and body["changes"]["added"] == []
    assert anonymous.get(A + "/sessions").json() == {"count": 0, "items": []}


def test_speakers_are_created_by_organisers(programme, organizer):
    created = organizer.post(
        A + "/speakers",
        {"name": {"en": "Dee Wu", "zh": "吴迪"}, "affiliation": "Chongqing Univ."},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["affiliation"]["en"] == "Chongqing Univ." and body["published"] is False
    both = organizer.post(
        A + "/speakers",
        {"name": {"en": "Eve"}, "affiliation": {"en": "Lab", "zh": "实验室"}, "bio": {"en": "Hi"}},
    ).json()
    assert both["affiliation"] == {"en": "Lab", "zh": "实验室"} and both["name"]["zh"] == "Eve"
    bad = organizer.post(A + "/speakers", {"name": {"en": ""}})
    assert bad.status_code == 422 and "name.en" in error_of(bad)["detail"]["fields"]


# --- who may write ----------------------------------------------------------------------------

WRITES = [
    ("post", "/forums", {"code": "x", "name": {"en": "X", "zh": ""}}),
    ("post", "/speakers", {"name": {"en": "X", "zh": ""}}),
    ("post", "/sessions", session_body()),
    ("patch", "/sessions/{ai}", {"format": "panel"}),
    ("post", "/programme/publish", {}),
    ("get", "/programme/warnings", None),
]


def _send(client, method, path, body, programme):
    path = A + path.format(ai=programme["sessions"]["ai"].pk)
    if method == "get":
        return client.get(path)
    return getattr(client, method)(path, body)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_organiser_writes_refuse_every_other_role(
    expo, programme, holder, exhibitor, device, anonymous, method, path, body
):
    before = Release.objects.count(), Session.objects.count()
    for client, status in [
        (anonymous, 401),
        (ApiClient("sxo_unknown"), 401),
        (exhibitor, 403),
        (device, 403),
        (holder, 401),  # a manage token is no API token
    ]:
        response = _send(client, method, path, body, programme)
        assert response.status_code == status, (client.token, response.content)
        assert error_of(response)["code"] == {401: "unauthenticated", 403: "forbidden"}[status]
    assert (Release.objects.count(), Session.objects.count()) == before


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_organiser_writes_succeed_for_an_organiser(expo, programme, organizer, method, path, body):
    response = _send(organizer, method, path, body, programme)
    assert response.status_code in (200, 201), response.content


def test_another_editions_device_cannot_edit_this_programme(expo, other_expo, programme):
    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create

    _t, raw = token_create(role=Role.DEVICE, name="B", expo=other_expo)
    response = ApiClient(raw).post(A + "/programme/publish")
    assert response.status_code == 403


def test_reservations_count_in_the_warnings_when_a_quota_shrinks(expo, programme, organizer):
    public_day_pass(expo, quota_per_day=100)
    ai = programme["sessions"]["ai"].pk
    for n in range(3):
        reservation_make(registration=register(expo, n).registration, session_id=ai)
    body = organizer.patch(f"{A}/sessions/{ai}", {"seats": 2}).json()
    assert body["warnings"] == ["reservations_above_seats"]
    assert body["warning_details"][0]["detail"] == {"confirmed": 3, "seats": 2}


def test_a_start_with_no_offset_in_a_patch_is_refused(programme, organizer):
    url = f"{A}/sessions/{programme['sessions']['ai'].pk}"
    response = organizer.patch(url, {"starts_at": at(26, 11).replace(tzinfo=None).isoformat()})
    assert response.status_code == 422


def test_the_public_list_reads_the_cached_release_and_one_query_for_seats(
    programme, anonymous, django_assert_num_queries
):
    anonymous.get(A + "/sessions")  # the release parsed, the edition remembered
    # The latest release's id (the edition and the parsed release are remembered), the seats
    # of the page's sessions.
    with django_assert_num_queries(2):
        body = anonymous.get(A + "/sessions").json()
    assert body["count"] == 3


def test_every_programme_operation_is_described_in_the_openapi_document(db, anonymous):
    spec = anonymous.get("/api/v1/openapi.json").json()
    operations = [
        (method.upper(), path, op)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if op.get("tags") == ["Programme"]
    ]
    assert len(operations) == 18  # with the attendance of a session (attendance_api)
    for method, path, op in operations:
        assert op["summary"] and op["description"], (method, path)
        assert "404" in op["responses"], (method, path)
        if op.get("security"):
            assert {"401", "403"} <= set(op["responses"]), (method, path)
