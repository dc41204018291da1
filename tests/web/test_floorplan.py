from types import SimpleNamespace

import pytest

from smartexpo.venue.floorplan import (
    Plan,
    booth_locator,
    fit_label,
    gate_side,
    hall_neighbours,
    surround,
)


def test_short_labels_are_kept_whole():
    assert fit_label("Huawei", width_m=6, font_m=0.8) == "Huawei"


def test_long_latin_labels_are_cut_with_an_ellipsis():
    label = fit_label("Chongqing Yunzhi Intelligent Technology Co., Ltd.", width_m=6, font_m=0.8)
    assert label.endswith("…")
    assert len(label) < 15


def test_chinese_glyphs_count_a_full_em():
    assert fit_label("华为技术有限公司", width_m=6, font_m=1.0) == "华为技术有…"


def test_nothing_fits_gives_an_empty_label():
    assert fit_label("Huawei", width_m=0.5, font_m=1.0) == ""


# --- around a hall ----------------------------------------------------------------------


def hall(code, x, y, width=144, depth=75, pk=None):
    return SimpleNamespace(
        pk=pk or code,
        code=code,
        name=f"Hall {code}",
        plan_x=x,
        plan_y=y,
        plan_width=width,
        plan_depth=depth,
        has_plan=True,
    )


# The demo venue's shape: two rows of four halls 8 m apart in the north, a 60 m avenue, the
# same in the south, and a large hall east of the middle.
SITE = (
    [hall(f"N{i + 1}", (i % 4) * 152, (i // 4) * 83) for i in range(8)]
    + [hall(f"S{i + 1}", (i % 4) * 152, 226 + (i // 4) * 83) for i in range(8)]
    + [hall("M", 616, 133.5, 160, 125)]
)
BY_CODE = {h.code: h for h in SITE}


def sides(code):
    return {(side, other.code) for side, other, _lo, _hi in hall_neighbours(BY_CODE[code], SITE)}


def test_a_corner_hall_has_a_neighbour_east_and_south():
    assert sides("N1") == {("east", "N2"), ("south", "N5")}


def test_the_avenue_does_not_part_neighbours_but_a_far_hall_is_not_one():
    assert ("south", "S1") in sides("N5")
    assert not any(code == "S1" for _side, code in sides("N1"))


def test_a_hall_facing_two_halls_on_one_side_has_both():
    assert sides("M") == {("west", "N8"), ("west", "S4")}
    _side, _other, lo, hi = next(
        n for n in hall_neighbours(BY_CODE["M"], SITE) if n[1].code == "S4"
    )
    assert (lo, hi) == pytest.approx((226 - 133.5, 125))  # the stretch of M's wall S4 faces


@pytest.mark.parametrize(
    ("code", "side"),
    [
        ("N1", "north"),
        ("N2", "north"),
        ("N5", "south"),
        ("N6", "south"),
        ("S1", "north"),
        ("S5", "south"),
        ("M", "north"),
    ],
)
def test_gates_open_onto_space_facing_the_middle_of_the_site(code, side):
    assert gate_side(BY_CODE[code], SITE) == side


def test_a_hall_without_a_place_on_the_site_has_its_gate_north_and_no_neighbours():
    alone = hall("X", None, None)
    alone.has_plan = False
    assert gate_side(alone, SITE) == "north"
    assert hall_neighbours(alone, SITE) == []


def test_surround_draws_gates_on_the_wall_and_neighbours_outside_it():
    n6 = BY_CODE["N6"]
    plan = Plan(width=144, depth=75)
    gate = SimpleNamespace(code="G-N6", name="Hall N6 gate")
    surround(plan, n6, SITE, [gate], hall_url=lambda h: f"/halls/{h.code}/")
    assert plan.margin == pytest.approx(14.4)
    assert {n.side: n.url for n in plan.neighbours} == {
        "north": "/halls/N2/",
        "east": "/halls/N7/",
        "south": "/halls/S2/",
        "west": "/halls/N5/",
    }
    (door,) = plan.gates
    assert door.side == "south" and door.label == "Hall N6 gate"
    assert door.y == 75 and door.cx == pytest.approx(72)  # on the south wall, in its middle
    for n in plan.neighbours:  # in the margin, beyond the gates' band
        assert n.x >= -plan.margin and n.x + n.width <= 144 + plan.margin
        assert n.y >= -plan.margin and n.y + n.depth <= 75 + plan.margin
        assert not (0 <= n.x < 144 and 0 <= n.y < 75)


def test_the_small_plan_marks_the_booth_and_keeps_its_ring_in_view():
    booths = [
        SimpleNamespace(code=f"N1-00{i}", x=i * 6, y=0, width=6, depth=6) for i in range(1, 4)
    ]
    plan = booth_locator(BY_CODE["N1"], booths, mine={"N1-001"})
    assert [s.mine for s in plan.shapes] == [True, False, False]
    cx, cy, radius = plan.marker
    assert (cx, cy) == (9, 3)
    assert cy - radius >= -plan.margin
