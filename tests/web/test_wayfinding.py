"""Wayfinding (issue 13, journey 11): booth codes are searchable, an exhibitor's page shows its
booth on a small plan of the hall, hall plans show their gates and neighbours, only organisers
are told which booths are free, and the way back to the directory keeps its filters."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from smartexpo.exhibitors.services import booth_assign, booth_release
from smartexpo.venue.floorplan import FREE_COLOUR
from smartexpo.venue.models import Booth

DIRECTORY = "/expos/test-2019/exhibitors/"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def names_found(client, q, prefix="") -> list[str]:
    page = text(client.get(prefix + DIRECTORY, {"q": q}))
    return re.findall(r'class="exhibitor-link" href="[^"]*">([^<]+)</a>', page)


# --- booth codes are searchable -----------------------------------------------------------


@pytest.mark.parametrize("q", ["N1-001", "n1-001", "n1001", "N1 001", " N1001 ", "N1-00"])
def test_directory_search_finds_the_exhibitor_at_a_booth(expo, client, q):
    assert names_found(client, q) == ["Huawei"]


def test_booth_search_in_chinese_and_for_the_other_hall(expo, client):
    assert names_found(client, "s1-001", prefix="/zh-hans") == ["丰田"]


@pytest.mark.parametrize("q", ["N1-001", "n1001", "N1 001"])
def test_api_directory_filter_finds_the_exhibitor_at_a_booth(expo, anonymous, q):
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors", {"q": q})
    assert response.status_code == 200
    assert [item["booth"] for item in response.json()["items"]] == ["N1-001"]


def test_a_booth_code_search_follows_the_booth_when_it_changes_hands(expo, client):
    toyota = expo.test_exhibitors["toyota"]
    assert names_found(client, "N1-003") == []
    booth_assign(booth=Booth.objects.get(code="N1-003"), exhibitor=toyota)
    assert names_found(client, "N1-003") == ["Toyota"]
    booth_release(booth=Booth.objects.get(code="N1-003"))
    assert names_found(client, "N1-003") == []


def test_a_booth_held_by_an_unapproved_exhibitor_finds_nobody(expo, client, anonymous):
    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=expo.test_exhibitors["pending"])
    assert names_found(client, "N1-002") == []
    response = anonymous.get("/api/v1/expos/test-2019/exhibitors", {"q": "N1-002"})
    assert response.json()["items"] == []


def test_word_searches_are_unchanged(expo, client):
    assert names_found(client, "huawei 5g") == ["Huawei"]
    assert names_found(client, "toyota n1") == []


# --- the exhibitor's page shows its booth on a small plan ----------------------------------


def test_exhibitor_page_shows_a_small_plan_of_its_hall_with_the_booth_marked(expo, client):
    huawei = expo.test_exhibitors["huawei"]
    page = text(client.get(f"/expos/test-2019/exhibitors/{huawei.pk}/"))
    plan = page[page.index('class="booth-plan"') :]
    plan = plan[: plan.index("</figure>")]
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="booth-plan-N1-title"', plan)
    assert '<title id="booth-plan-N1-title">Booth N1-001 on the plan of Hall N1</title>' in plan
    assert "Hall N1, booth N1-001" in plan
    assert 'class="mine" data-booth="N1-001"' in plan
    # Every other booth of the hall is drawn as an outline, with no exhibitor and no "free".
    assert plan.count("data-booth=") == 4
    assert "free" not in plan.lower() and "available" not in plan.lower()
    assert 'href="/expos/test-2019/halls/N1/?booth=N1-001"' in plan


def test_exhibitor_page_in_chinese_says_where_the_booth_is(expo, client):
    huawei = expo.test_exhibitors["huawei"]
    page = text(client.get(f"/zh-hans/expos/test-2019/exhibitors/{huawei.pk}/"))
    assert "N1馆，展位 N1-001" in page
    assert "展位 N1-001 在 N1馆平面图上的位置" in page
    assert 'href="/zh-hans/expos/test-2019/halls/N1/?booth=N1-001"' in page


def test_an_exhibitor_without_a_booth_has_no_plan(expo, client):
    booth_release(booth=Booth.objects.get(code="S1-001"))
    toyota = expo.test_exhibitors["toyota"]
    page = text(client.get(f"/expos/test-2019/exhibitors/{toyota.pk}/"))
    assert 'class="booth-plan"' not in page
    assert "No booth assigned yet." in page


# --- hall plans show gates, neighbours and a legend, and zoom --------------------------------


def test_hall_plan_shows_its_gate_and_neighbours_with_a_legend(expo, client):
    page = text(client.get("/expos/test-2019/halls/N1/"))
    # Hall S1 lies 10 m east of N1 on the site plan: a labelled link on that side.
    assert re.search(
        r'<a href="/expos/test-2019/halls/S1/" class="neighbour" data-side="east"[^>]*>', page
    )
    assert 'class="neighbours"' in page and ">Hall S1</a>" in page
    # The hall's own gate is drawn on its outline and labelled; the venue's is listed.
    assert re.search(r'<g class="gate" data-gate="G-N1"[^>]*>\s*<title>Hall N1 gate</title>', page)
    assert "G-N1" in page
    legend = page[page.index('class="legend"') :]
    assert "Gate into the hall" in legend and "Neighbouring hall" in legend
    # Zoom controls are real buttons, for keyboards too.
    for label in ("Zoom in", "Zoom out", "Reset the view"):
        assert f'aria-label="{label}"' in page


def test_hall_plan_in_chinese_labels_gates_and_neighbours(expo, client):
    page = text(client.get("/zh-hans/expos/test-2019/halls/S1/"))
    assert 'href="/zh-hans/expos/test-2019/halls/N1/" class="neighbour" data-side="west"' in page
    assert "相邻展馆" in page and "展馆入口" in page
    assert 'aria-label="放大"' in page


def test_site_plan_zooms_and_lists_the_venue_entrances(expo, client):
    page = text(client.get("/expos/test-2019/floor-plan/"))
    assert "data-zoom" in page
    assert "North gate" in page  # the venue's entrance, G1, listed
    # Hall N1's gate is marked on the plan, on the side its hall plan draws it.
    assert re.search(
        r'<g class="gate" data-gate="G-N1" data-side="north"><title>Hall N1 gate', page
    )
    assert 'data-gate="G1"' not in page  # the venue's has no place to be drawn at


# --- "free" is for organisers only -------------------------------------------------------


def organiser_client(*, superuser=False, permission=True) -> Client:
    user = get_user_model().objects.create_user(
        "ops", password="x", is_staff=True, is_superuser=superuser
    )
    if permission:
        user.user_permissions.add(Permission.objects.get(codename="change_boothassignment"))
    client = Client()
    client.force_login(user)
    return client


def booth_markup(page, code) -> str:
    start = page.index(f'data-booth="{code}"')
    return page[start : page.index("</g>", start)]


def test_the_public_hall_plan_does_not_say_which_booths_are_free(expo, client):
    page = text(client.get("/expos/test-2019/halls/N1/"))
    plan = page[page.index("<svg") : page.index("</svg>")]
    empty = booth_markup(page, "N1-004")
    assert "N1-004" in empty
    assert "free" not in plan.lower() and "available" not in plan.lower()
    assert FREE_COLOUR not in page  # the organisers' colour for a free booth
    legend = page[page.index('class="legend"') :]
    assert "Free" not in legend and "Available" not in legend
    # A booth held by an exhibitor not yet approved looks the same as an empty one.
    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=expo.test_exhibitors["pending"])
    page = text(client.get("/expos/test-2019/halls/N1/"))

    def drawn(code):  # the booth as drawn, but for its code and place
        return re.sub(r' x="[0-9.]+"', "", booth_markup(page, code).replace(code, "CODE"))

    assert drawn("N1-002") == drawn("N1-004")


@pytest.mark.parametrize("superuser", [False, True])
def test_an_organiser_sees_the_free_booths(expo, superuser):
    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=expo.test_exhibitors["pending"])
    client = organiser_client(superuser=superuser, permission=not superuser)
    page = text(client.get("/expos/test-2019/halls/N1/"))
    assert ">free</text>" in booth_markup(page, "N1-004")
    assert 'class="booth free"' in page
    # Held, if by an exhibitor the public cannot see yet: not free.
    assert "free" not in booth_markup(page, "N1-002")
    assert "Free (shown to organisers only)" in page
    zh = text(client.get("/zh-hans/expos/test-2019/halls/N1/"))
    assert ">空闲</text>" in booth_markup(zh, "N1-004")


def test_staff_without_the_booth_permission_see_the_public_plan(expo):
    client = organiser_client(permission=False)
    page = text(client.get("/expos/test-2019/halls/N1/"))
    assert 'class="booth free"' not in page
    assert ">free</text>" not in page


def test_the_public_booth_api_tells_a_free_booth_from_a_held_one_no_more_than_the_page(
    expo, anonymous
):
    booth_assign(booth=Booth.objects.get(code="N1-002"), exhibitor=expo.test_exhibitors["pending"])
    items = anonymous.get("/api/v1/expos/test-2019/halls/N1/booths").json()["items"]
    by_code = {item["code"]: item for item in items}
    assert set(by_code["N1-002"]) == set(by_code["N1-004"])
    assert by_code["N1-002"]["exhibitor"] is None and by_code["N1-004"]["exhibitor"] is None


# --- the way back to the directory keeps its filters -------------------------------------


def test_exhibitor_links_carry_the_directorys_filters_and_the_back_link_returns_them(expo, client):
    huawei = expo.test_exhibitors["huawei"]
    page = text(client.get(DIRECTORY, {"q": "5g", "sector": "information-technology"}))
    link = re.search(r'class="exhibitor-link" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link.startswith(f"/expos/test-2019/exhibitors/{huawei.pk}/?back=")
    detail = text(client.get(link))
    back = re.search(r'<a class="back" href="([^"]+)"', detail).group(1).replace("&amp;", "&")
    assert back == f"{DIRECTORY}?q=5g&sector=information-technology"
    # The results behind that link are the ones the visitor left.
    assert names_found(client, "5g") == ["Huawei"]


def test_the_back_link_keeps_the_page_number_and_the_language(expo, client):
    huawei = expo.test_exhibitors["huawei"]
    url = f"/zh-hans{DIRECTORY}{huawei.pk}/"
    detail = text(client.get(url, {"back": "hall=N1&page=2&q=华为"}))
    back = re.search(r'<a class="back" href="([^"]+)"', detail).group(1).replace("&amp;", "&")
    assert back == f"/zh-hans{DIRECTORY}?hall=N1&page=2&q=%E5%8D%8E%E4%B8%BA"


@pytest.mark.parametrize(
    "back",
    [
        "//evil.example/",
        "https://evil.example/?q=1",
        "next=https://evil.example",
        "q=" + "x" * 2000,
        "q=a\r\nLocation: x",
        "page=<script>",
    ],
)
def test_the_back_link_never_leaves_the_directory(expo, client, back):
    huawei = expo.test_exhibitors["huawei"]
    detail = text(client.get(f"{DIRECTORY}{huawei.pk}/", {"back": back}))
    href = re.search(r'<a class="back" href="([^"]+)"', detail).group(1)
    assert href.startswith(DIRECTORY)
    assert "evil" not in href and "<script" not in detail.split("<main", 1)[1].split("</main>")[0]
    assert len(href) < 400
