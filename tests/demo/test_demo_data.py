"""The demo's data hangs together: a hall themed for a sector holds that sector's exhibitors,
and an exhibitor's technology tags are ones its sector's firms would carry."""

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from smartexpo.demo import catalogue_data as data
from smartexpo.demo.hall_plan import sector_halls
from smartexpo.demo.seed import demo_seed
from smartexpo.exhibitors.models import BoothAssignment, Exhibitor
from smartexpo.venue.models import Booth, Expo, Zone, ZoneKind

pytestmark = pytest.mark.django_db

SECTOR_BY_NAME = {en: code for code, en, _zh in data.SECTORS}


def test_the_sector_tag_sets_are_made_of_known_tags_and_cover_the_catalogues_own_tags():
    tags = {code for code, _en, _zh in data.TAGS}
    assert set(data.SECTOR_TAGS) == set(SECTOR_BY_NAME.values())
    for sector, plausible in data.SECTOR_TAGS.items():
        assert set(plausible) <= tags, sector
        for _en, _zh, described in data.SECTOR_DESCRIPTIONS[sector]:
            assert described and set(described) <= set(plausible), (sector, described)
    for notable in data.NOTABLE_EXHIBITORS:
        assert set(notable["tags"]) <= set(data.SECTOR_TAGS[notable["sector"]]), notable["slug"]


@pytest.mark.parametrize("seed", [2019, 5])
def test_each_themed_hall_holds_mostly_its_sectors_exhibitors(seed):
    demo_seed(seed=seed)
    for expo in Expo.objects.all():
        halls = dict(
            Zone.objects.filter(expo=expo, kind=ZoneKind.HALL).values_list("code", "theme_en")
        )
        sectors: dict[str, Counter] = defaultdict(Counter)
        for hall, sector in BoothAssignment.objects.filter(expo=expo).values_list(
            "booth__hall__code", "exhibitor__sector__code"
        ):
            sectors[hall][sector] += 1
        assert set(sectors) == set(halls), "every hall has exhibitors"
        own_hall = 0
        for hall, theme in halls.items():
            sector = SECTOR_BY_NAME[theme]
            share = sectors[hall][sector] / sectors[hall].total()
            assert share >= 0.7, (expo.slug, hall, theme, dict(sectors[hall]))
            own_hall += sectors[hall][sector]
        # And the other way round: nearly every exhibitor stands in a hall of its sector.
        assert own_hall >= 0.95 * Exhibitor.objects.filter(expo=expo).count(), expo.slug
        # The AI and cloud firms of information technology fill whole halls of their own.
        it_halls = [h for h, t in halls.items() if SECTOR_BY_NAME[t] == "information-technology"]
        assert len(it_halls) >= 3, halls


@pytest.mark.parametrize("seed", [2019, 5])
def test_every_exhibitors_tags_fit_its_sector(seed):
    demo_seed(seed=seed)
    through = Exhibitor.tags.through.objects.values_list(
        "exhibitor__slug", "exhibitor__sector__code", "tag__code"
    )
    seen = Counter()
    for slug, sector, tag in through:
        assert tag in data.SECTOR_TAGS[sector], (slug, sector, tag)
        seen[sector, tag] += 1
    # Intelligent manufacturing is tagged for robots and the industrial internet, not coins.
    assert seen["intelligent-manufacturing", "robotics"] > 0
    assert seen["intelligent-manufacturing", "blockchain"] == 0
    assert not Exhibitor.objects.filter(tags__isnull=True).exists()


def test_halls_go_to_sectors_in_proportion_to_the_floor_they_need():
    halls = [f"H{n}" for n in range(1, 9)]
    given = sector_halls(
        {"information-technology": 500, "aerospace": 40, "biomedicine": 90, "new-material": 1},
        halls,
    )
    assert given == {
        "information-technology": ["H1", "H2", "H3", "H4", "H5"],
        "new-material": ["H6"],
        "aerospace": ["H7"],
        "biomedicine": ["H8"],
    }
    # More sectors than halls: the biggest get one each, in the sectors' order.
    assert sector_halls({"aerospace": 5, "biomedicine": 9, "new-material": 7}, ["A", "B"]) == {
        "new-material": ["A"],
        "biomedicine": ["B"],
    }


def test_the_readmes_booth_assignment_example_names_a_free_booth_of_the_demo():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    codes = re.findall(r"/expos/sce-2019/booths/([A-Z0-9]+-\d+)/assignment", readme)
    assert codes
    demo_seed()
    for code in codes:
        booth = Booth.objects.get(expo__slug="sce-2019", code=code)
        assert not BoothAssignment.objects.filter(booth=booth).exists(), code
