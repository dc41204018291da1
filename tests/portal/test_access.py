"""Who may open an exhibitor's portal: `portal.access.portal_view` for every role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.portal.conftest import PASSWORD, make_user, signed_in


def home_url(exhibitor) -> str:
    return reverse("portal:home", args=[exhibitor.expo.slug, exhibitor.slug])


def test_anonymous_is_sent_to_the_login_page(huawei):
    response = Client().get(home_url(huawei))
    assert response.status_code == 302
    assert response["Location"] == f"/portal/login/?next={home_url(huawei)}"


def test_anonymous_in_chinese_is_sent_to_the_chinese_login_page(huawei):
    response = Client().get("/zh-hans" + home_url(huawei))
    assert response.status_code == 302
    assert response["Location"].startswith("/zh-hans/portal/login/?next=/zh-hans/portal/")


def test_member_sees_their_exhibitors_home(staff_client, huawei):
    response = staff_client.get(home_url(huawei))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Huawei" in body
    assert "Booth N1-001, Hall N1" in body
    # A staff member is not offered the team's page.
    assert reverse("portal:team", args=[huawei.expo.slug, huawei.slug]) not in body


def test_another_exhibitors_member_gets_404(other_client, huawei):
    assert other_client.get(home_url(huawei)).status_code == 404


def test_a_signed_in_stranger_gets_the_same_404_as_an_unknown_exhibitor(db, huawei):
    client = signed_in(make_user("nobody@example.org"))
    assert client.get(home_url(huawei)).status_code == 404
    unknown = reverse("portal:home", args=[huawei.expo.slug, "no-such-company"])
    assert client.get(unknown).status_code == 404


def test_a_member_of_one_edition_is_a_stranger_to_the_company_in_another(
    other_expo, staff_client, huawei
):
    from smartexpo.exhibitors.services import exhibitor_create

    other = exhibitor_create(expo=other_expo, slug="huawei", name_en="Huawei", sector=huawei.sector)
    assert staff_client.get(home_url(other)).status_code == 404


def test_admin_only_pages_forbid_staff_and_allow_admins(staff_client, admin_client, huawei):
    team = reverse("portal:team", args=[huawei.expo.slug, huawei.slug])
    response = staff_client.get(team)
    assert response.status_code == 403
    assert "Administrators only" in response.content.decode()
    assert admin_client.get(team).status_code == 200


def test_forbidden_page_is_translated(staff_client, huawei):
    team = reverse("portal:team", args=[huawei.expo.slug, huawei.slug])
    response = staff_client.get("/zh-hans" + team)
    assert response.status_code == 403
    assert "仅限管理员" in response.content.decode()


def test_organiser_may_open_any_exhibitor_including_admin_pages(organiser_client, huawei, toyota):
    assert organiser_client.get(home_url(huawei)).status_code == 200
    assert organiser_client.get(home_url(toyota)).status_code == 200
    team = reverse("portal:team", args=[huawei.expo.slug, huawei.slug])
    assert organiser_client.get(team).status_code == 200


def test_staff_without_the_exhibitor_permission_is_not_an_organiser(db, huawei):
    client = signed_in(make_user("clerk@expo.example", is_staff=True))
    assert client.get(home_url(huawei)).status_code == 404


def test_index_goes_straight_to_the_only_exhibitor(staff_client, huawei):
    response = staff_client.get(reverse("portal:index"))
    assert response.status_code == 302
    assert response["Location"] == home_url(huawei)


def test_index_lists_several_exhibitors(huawei_admin, toyota):
    from smartexpo.exhibitors.models import ExhibitorMember

    ExhibitorMember.objects.create(user=huawei_admin, exhibitor=toyota, role="staff")
    body = signed_in(huawei_admin).get(reverse("portal:index")).content.decode()
    assert "Huawei" in body and "Toyota" in body


def test_index_without_membership_says_so(db):
    client = signed_in(make_user("lonely@example.org"))
    body = client.get(reverse("portal:index")).content.decode()
    assert "does not belong to any exhibitor" in body


def test_login_with_email_then_logout(huawei_staff, huawei):
    client = Client()
    assert client.get(reverse("portal:login")).status_code == 200
    response = client.post(
        reverse("portal:login"),
        {"username": "Staff@Huawei.example", "password": PASSWORD, "next": home_url(huawei)},
    )
    assert response.status_code == 302
    assert response["Location"] == home_url(huawei)
    assert client.get(home_url(huawei)).status_code == 200
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert client.get(home_url(huawei)).status_code == 302


def test_login_refuses_a_wrong_password_with_a_message(huawei_staff):
    response = Client().post(
        reverse("portal:login"), {"username": "staff@huawei.example", "password": "nope"}
    )
    assert response.status_code == 200
    assert "correct" in response.content.decode()


@pytest.mark.parametrize("path", ["/portal/login/", "/zh-hans/portal/login/"])
def test_login_page_in_both_languages(db, path):
    body = Client().get(path).content.decode()
    assert ("Exhibitor portal" in body) if "zh" not in path else ("展商" in body)
