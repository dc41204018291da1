"""The demo's facts (MISSION.md) and its floor plan, read from one seeded demo: each test only
reads it (tests/demo/worlds.py). Seeding itself, again, with other seeds, is `test_seed.py`."""

import pytest

from smartexpo.demo.seed import demo_seed
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor
from smartexpo.venue.models import Booth, Expo, Gate, Zone, ZoneKind
from tests.demo.worlds import demo_world

pytestmark = pytest.mark.django_db

SEED_SIX = {
    "alibaba": "阿里巴巴",
    "tencent": "腾讯",
    "toyota": "丰田",
    "huawei": "华为",
    "sony": "索尼",
    "intel": "英特尔",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with demo_world(django_db_blocker, demo_seed):
        yield


def test_2019_edition_has_the_public_facts(seeded):
    expo = Expo.objects.get(slug="sce-2019")
    assert (str(expo.starts_on), str(expo.ends_on)) == ("2019-08-26", "2019-08-29")
    assert expo.timezone == "Asia/Shanghai"
    assert expo.expected_visitors == 700_000
    assert expo.previous.slug == "sce-2018"
    assert Exhibitor.objects.filter(expo=expo).count() == 843
    assert Exhibitor.objects.filter(expo=expo, fortune500=True).count() >= 30
    halls = Zone.objects.filter(expo=expo, kind=ZoneKind.HALL)
    assert halls.count() == 17
    assert halls.filter(code__startswith="N").count() == 8
    assert halls.filter(code__startswith="S").count() == 8
    assert halls.get(code="M").area_m2 == 20000
    assert Zone.objects.filter(expo=expo, kind=ZoneKind.ROOM).count() >= 6
    assert Gate.objects.filter(expo=expo, zone__kind=ZoneKind.VENUE).count() >= 4


def test_2018_edition_has_its_own_facts(seeded):
    expo = Expo.objects.get(slug="sce-2018")
    assert (str(expo.starts_on), str(expo.ends_on)) == ("2018-08-23", "2018-08-25")
    assert expo.venue_area_m2 == 186_000
    assert expo.expected_visitors == 580_000


def test_the_six_named_companies_exhibit_with_their_chinese_names(seeded):
    for expo in Expo.objects.all():
        for slug, name_zh in SEED_SIX.items():
            exhibitor = Exhibitor.objects.get(expo=expo, slug=slug)
            assert exhibitor.name_zh == name_zh
            assert exhibitor.booth_assignments.exists()
            assert exhibitor.tags.exists()


def test_every_exhibitor_has_a_booth_and_booths_never_overlap_or_leave_their_hall(seeded):
    for expo in Expo.objects.all():
        assigned = set(
            BoothAssignment.objects.filter(expo=expo).values_list("exhibitor", flat=True)
        )
        assert assigned == set(Exhibitor.objects.filter(expo=expo).values_list("pk", flat=True))
        for hall in Zone.objects.filter(expo=expo, kind=ZoneKind.HALL):
            rects = list(Booth.objects.filter(hall=hall).values_list("x", "y", "width", "depth"))
            for x, y, w, d in rects:
                assert x >= 0 and y >= 0
                assert x + w <= hall.plan_width and y + d <= hall.plan_depth
            rects.sort()
            for i, (ax, ay, aw, ad) in enumerate(rects):
                for bx, by, _bw, bd in rects[i + 1 :]:
                    if bx >= ax + aw:
                        break
                    assert not (ay < by + bd and by < ay + ad), (hall.code, (ax, ay), (bx, by))


def test_every_assigned_booth_has_a_counting_zone_in_its_hall_and_free_booths_have_none(seeded):
    for expo in Expo.objects.all():
        owners = dict(
            BoothAssignment.objects.filter(expo=expo).values_list(
                "booth__code", "exhibitor__name_en"
            )
        )
        booths = Booth.objects.filter(expo=expo).select_related("zone", "hall")
        for booth in booths:
            if booth.code not in owners:
                assert booth.zone is None, booth.code
                continue
            zone = booth.zone
            assert (zone.kind, zone.code, zone.hall) == (ZoneKind.BOOTH, booth.code, booth.hall)
            assert zone.name_en == f"Booth {booth.code} ({owners[booth.code]})"
            assert zone.name_zh.startswith(f"{booth.code}展位（")
            assert zone.area_m2 == booth.width * booth.depth
            assert zone.capacity == max(4, int(zone.area_m2))
        booth_zones = Zone.objects.filter(expo=expo, kind=ZoneKind.BOOTH)
        assert booth_zones.count() == len(owners)
        last_big_space = (
            Zone.objects.filter(expo=expo).exclude(kind=ZoneKind.BOOTH).order_by("-position")[0]
        )
        assert min(booth_zones.values_list("position", flat=True)) > last_big_space.position


def test_huaweis_booth_zone_is_named_after_it_in_both_languages(seeded):
    booth = Booth.objects.get(expo__slug="sce-2019", assignment__exhibitor__slug="huawei")
    assert booth.zone.name_en == f"Booth {booth.code} (Huawei)"
    assert booth.zone.name_zh == f"{booth.code}展位（华为）"
