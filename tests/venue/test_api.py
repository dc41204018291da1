"""Editions and venue endpoints, exactly as docs/api.md describes them."""


def test_expos_list_has_the_contract_fields(expo, anonymous):
    body = anonymous.get("/api/v1/expos").json()
    assert body["count"] == 1
    assert body["items"][0] == {
        "slug": "test-2019",
        "name": {"en": "Test Expo 2019", "zh": "测试博览会2019"},
        "starts_on": "2019-08-26",
        "ends_on": "2019-08-29",
    }


def test_expo_detail_has_days_hours_and_timezone(expo, anonymous):
    body = anonymous.get("/api/v1/expos/test-2019").json()
    assert body["timezone"] == "Asia/Shanghai"
    assert body["days"] == ["2019-08-26", "2019-08-27", "2019-08-28", "2019-08-29"]
    assert body["opens_at"] == "09:00"
    assert body["closes_at"] == "18:00"
    assert body["name"] == {"en": "Test Expo 2019", "zh": "测试博览会2019"}


def test_unpublished_edition_is_not_found(expo, anonymous):
    expo.is_published = False
    expo.save()
    assert anonymous.get("/api/v1/expos/test-2019").status_code == 404
    assert anonymous.get("/api/v1/expos").json()["count"] == 0


def test_halls_list_only_halls(expo, anonymous):
    body = anonymous.get("/api/v1/expos/test-2019/halls").json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "code": "N1",
        "name": {"en": "Hall N1", "zh": "N1馆"},
        "area_m2": 1000.0,
        "capacity": 500,
    }


def test_zones_list_every_kind_and_name_the_hall_of_a_booth_zone(expo, anonymous):
    items = anonymous.get("/api/v1/expos/test-2019/zones").json()["items"]
    by_code = {z["code"]: z for z in items}
    assert {z["kind"] for z in items} == {"venue", "hall", "room", "booth"}
    assert by_code["N1-B"]["hall"] == "N1"
    assert "hall" not in by_code["V"]
    assert by_code["R1"]["capacity"] == 200


def test_gates_name_the_zone_they_admit_into(expo, anonymous):
    items = anonymous.get("/api/v1/expos/test-2019/gates").json()["items"]
    assert [(g["code"], g["zone"]) for g in items] == [("G1", "V"), ("G-N1", "N1")]
    assert items[0]["name"] == {"en": "North gate", "zh": "北门"}


def test_hall_booths_carry_geometry_and_exhibitor(expo, anonymous):
    items = anonymous.get("/api/v1/expos/test-2019/halls/N1/booths").json()["items"]
    first = items[0]
    assert first == {
        "code": "N1-001",
        "hall": "N1",
        "x": 0.0,
        "y": 0.0,
        "width": 6.0,
        "depth": 6.0,
        "exhibitor": expo.test_exhibitors["huawei"].pk,
    }
    assert items[1]["exhibitor"] is None


def test_a_booth_of_an_exhibitor_not_approved_names_no_exhibitor(expo, anonymous):
    from smartexpo.exhibitors.services import booth_assign
    from smartexpo.venue.models import Booth

    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=expo.test_exhibitors["pending"])
    items = anonymous.get("/api/v1/expos/test-2019/halls/N1/booths").json()["items"]
    assert {i["code"]: i["exhibitor"] for i in items}["N1-002"] is None


def test_unknown_hall_booths_is_404(expo, anonymous):
    assert anonymous.get("/api/v1/expos/test-2019/halls/ZZ/booths").status_code == 404


def test_one_editions_venue_is_not_shown_under_another(expo, other_expo, anonymous):
    assert anonymous.get(f"/api/v1/expos/{other_expo.slug}/halls").json()["count"] == 0
