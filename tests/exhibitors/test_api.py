"""The exhibitor directory and the organiser / exhibitor endpoints, for every role."""

import threading

import pytest

from tests.conftest import error_of

DIRECTORY = "/api/v1/expos/test-2019/exhibitors"


def test_directory_lists_only_approved_exhibitors_in_creation_order(expo, anonymous):
    body = anonymous.get(DIRECTORY).json()
    assert [i["name"]["en"] for i in body["items"]] == ["Huawei", "Toyota"]
    assert body["items"][0] == {
        "id": expo.test_exhibitors["huawei"].pk,
        "name": {"en": "Huawei", "zh": "华为"},
        "sector": "information-technology",
        "tags": ["ai", "5g"],
        "booth": "N1-001",
    }


@pytest.mark.parametrize("q", ["huawei", "HUAWEI", "华为", "hua", "5G基站"])
def test_search_matches_english_and_chinese_names(expo, anonymous, q):
    items = anonymous.get(DIRECTORY, {"q": q}).json()["items"]
    assert [i["name"]["en"] for i in items] == ["Huawei"]


def test_every_search_term_must_match(expo, anonymous):
    assert anonymous.get(DIRECTORY, {"q": "huawei toyota"}).json()["count"] == 0
    assert anonymous.get(DIRECTORY, {"q": "toyota 丰田"}).json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "smart-vehicles"}, ["Toyota"]),
        ({"tag": "5g"}, ["Huawei"]),
        ({"tag": "ai"}, ["Huawei", "Toyota"]),
        ({"hall": "S1"}, ["Toyota"]),
        ({"hall": "N1", "tag": "ai"}, ["Huawei"]),
    ],
)
def test_filters(expo, anonymous, params, expected):
    items = anonymous.get(DIRECTORY, params).json()["items"]
    assert [i["name"]["en"] for i in items] == expected


@pytest.mark.parametrize("field", ["sector", "tag", "hall"])
def test_unknown_filter_value_is_422_at_that_field(expo, anonymous, field):
    response = anonymous.get(DIRECTORY, {field: "no-such-thing"})
    assert response.status_code == 422
    assert field in error_of(response)["detail"]["fields"]


def test_overlong_query_is_422(expo, anonymous):
    response = anonymous.get(DIRECTORY, {"q": "x" * 101})
    assert response.status_code == 422


def test_exhibitor_detail_has_showcase_and_booths(expo, anonymous):
    huawei = expo.test_exhibitors["huawei"]
    body = anonymous.get(f"{DIRECTORY}/{huawei.pk}").json()
    assert body["booths"] == ["N1-001"]
    assert body["halls"] == ["N1"]
    assert body["showcase"][0]["title"] == {"en": "5G base station", "zh": "5G基站"}
    assert body["fortune500"] is True


def test_unapproved_exhibitor_detail_is_404_for_the_public(expo, anonymous):
    pending = expo.test_exhibitors["pending"]
    assert anonymous.get(f"{DIRECTORY}/{pending.pk}").status_code == 404


def test_organizer_approves_an_exhibitor_and_it_appears(expo, organizer, anonymous):
    pending = expo.test_exhibitors["pending"]
    response = organizer.post(f"{DIRECTORY}/{pending.pk}/status", {"status": "approved"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    assert anonymous.get(DIRECTORY, {"q": "newcomer"}).json()["count"] == 1


def test_unknown_status_is_422(expo, organizer):
    pending = expo.test_exhibitors["pending"]
    response = organizer.post(f"{DIRECTORY}/{pending.pk}/status", {"status": "maybe"})
    assert response.status_code == 422
    assert "status" in error_of(response)["detail"]["fields"]


# --- booth assignment -----------------------------------------------------------------------

ASSIGN = "/api/v1/expos/test-2019/booths/{code}/assignment"


def test_organizer_assigns_a_free_booth(expo, organizer, anonymous):
    toyota = expo.test_exhibitors["toyota"]
    response = organizer.put(ASSIGN.format(code="N1-002"), {"exhibitor": toyota.pk})
    assert response.status_code == 200
    assert response.json() == {"booth": "N1-002", "exhibitor": toyota.pk}
    assert anonymous.get(DIRECTORY, {"hall": "N1"}).json()["count"] == 2


def test_assigning_a_taken_booth_is_409_booth_taken(expo, organizer):
    toyota = expo.test_exhibitors["toyota"]
    response = organizer.put(ASSIGN.format(code="N1-001"), {"exhibitor": toyota.pk})
    assert response.status_code == 409
    err = error_of(response)
    assert err["code"] == "booth_taken"
    assert err["detail"]["booth"] == "N1-001"


def test_unknown_booth_or_exhibitor_is_404(expo, organizer):
    toyota = expo.test_exhibitors["toyota"]
    assert organizer.put(ASSIGN.format(code="ZZ-1"), {"exhibitor": toyota.pk}).status_code == 404
    assert organizer.put(ASSIGN.format(code="N1-002"), {"exhibitor": 999999}).status_code == 404


def test_exhibitor_of_another_edition_is_not_found(expo, other_expo, organizer, taxonomy):
    from smartexpo.exhibitors.services import exhibitor_create

    sectors, _tags = taxonomy
    stranger = exhibitor_create(
        expo=other_expo, slug="x", name_en="X", sector=sectors["smart-vehicles"]
    )
    response = organizer.put(ASSIGN.format(code="N1-002"), {"exhibitor": stranger.pk})
    assert response.status_code == 404


def test_release_frees_the_booth_and_a_second_release_is_404(expo, organizer):
    assert organizer.delete(ASSIGN.format(code="N1-001")).status_code == 204
    assert organizer.delete(ASSIGN.format(code="N1-001")).status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "exhibitor", "other_exhibitor", "device"])
def test_only_organizers_assign_booths(expo, role, request):
    client = request.getfixturevalue(role)
    toyota = expo.test_exhibitors["toyota"]
    response = client.put(ASSIGN.format(code="N1-002"), {"exhibitor": toyota.pk})
    assert response.status_code == (401 if role == "anonymous" else 403)
    assert client.delete(ASSIGN.format(code="N1-001")).status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
def test_two_organizers_assigning_one_booth_at_once_get_one_assignment(live_server, taxonomy):
    """Real concurrent HTTP clients against a live server: exactly one wins the booth."""
    import json
    import urllib.request

    from smartexpo.core.models import Role
    from smartexpo.core.tokens import token_create
    from smartexpo.exhibitors.models import BoothAssignment
    from smartexpo.exhibitors.services import exhibitor_create
    from smartexpo.venue.models import Zone, ZoneKind
    from smartexpo.venue.services import booth_create
    from tests.conftest import make_expo

    sectors, _ = taxonomy
    expo = make_expo(slug="race")
    hall = Zone.objects.create(
        expo=expo, code="H", kind=ZoneKind.HALL, name_en="H", area_m2=100, capacity=50
    )
    booth_create(hall=hall, code="B1", x=0, y=0, width=3, depth=3)
    contenders = [
        exhibitor_create(expo=expo, slug=f"c{n}", name_en=f"C{n}", sector=sectors["smart-vehicles"])
        for n in range(8)
    ]
    _t, raw = token_create(role=Role.ORGANIZER, name="ops")
    barrier = threading.Barrier(len(contenders))
    statuses: list[int] = []
    codes: list[str] = []

    def claim(exhibitor_id: int) -> None:
        req = urllib.request.Request(
            f"{live_server.url}/api/v1/expos/race/booths/B1/assignment",
            data=json.dumps({"exhibitor": exhibitor_id}).encode(),
            method="PUT",
            headers={"Authorization": f"Bearer {raw}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                statuses.append(resp.status)
        except urllib.error.HTTPError as exc:
            codes.append(json.loads(exc.read())["error"]["code"])
            statuses.append(exc.code)

    threads = [threading.Thread(target=claim, args=(c.pk,)) for c in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * (len(contenders) - 1)
    assert set(codes) == {"booth_taken"}
    assert BoothAssignment.objects.filter(booth__code="B1").count() == 1


# --- exhibitor profile ----------------------------------------------------------------------

PROFILE = "/api/v1/expos/test-2019/exhibitor-profile"


def test_exhibitor_reads_and_updates_its_own_profile(expo, exhibitor, anonymous):
    assert exhibitor.get(PROFILE).json()["slug"] == "huawei"
    response = exhibitor.patch(
        PROFILE, {"description_zh": "全新介绍", "tags": ["5g"], "name_zh": "华为技术"}
    )
    assert response.status_code == 200
    assert response.json()["tags"] == ["5g"]
    assert anonymous.get(DIRECTORY, {"q": "华为技术"}).json()["count"] == 1
    assert anonymous.get(DIRECTORY, {"tag": "ai", "q": "huawei"}).json()["count"] == 0


def test_profile_update_with_unknown_tag_changes_nothing(expo, exhibitor):
    response = exhibitor.patch(PROFILE, {"description_en": "New", "tags": ["5g", "nope"]})
    assert response.status_code == 422
    assert "tags" in error_of(response)["detail"]["fields"]
    assert exhibitor.get(PROFILE).json()["description"]["en"] == "Telecoms and devices."


def test_profile_update_refuses_a_bad_website_and_an_empty_name(expo, exhibitor):
    response = exhibitor.patch(PROFILE, {"website": "javascript:alert(1)", "name_en": " "})
    assert response.status_code == 422
    assert set(error_of(response)["detail"]["fields"]) == {"website", "name_en"}


def test_other_exhibitor_sees_only_its_own_profile(expo, other_exhibitor):
    assert other_exhibitor.get(PROFILE).json()["slug"] == "toyota"


@pytest.mark.parametrize("role", ["organizer", "device"])
def test_profile_endpoint_is_for_exhibitor_tokens_only(expo, role, request):
    client = request.getfixturevalue(role)
    assert client.get(PROFILE).status_code == 403
    assert client.patch(PROFILE, {"name_zh": "x"}).status_code == 403


def test_profile_needs_a_token(expo, anonymous):
    assert anonymous.get(PROFILE).status_code == 401


def test_taxonomy_endpoints(taxonomy, anonymous):
    sectors = anonymous.get("/api/v1/sectors").json()
    assert sectors["items"][0] == {
        "code": "information-technology",
        "name": {"en": "Information technology", "zh": "信息技术"},
    }
    assert anonymous.get("/api/v1/tags").json()["count"] == 2
