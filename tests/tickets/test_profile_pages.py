"""The networking profile on the pages: a section of the registration form, and a form of its
own on the manage page (CSRF-protected, errors shown at their fields, nothing valid lost),
with nothing shared unless ticked and only what the edition allows offered."""

import re

import pytest
from django.test import Client

from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.conftest import day_ticket, register, rid

FORM = "/expos/test-2019/register/"


@pytest.fixture
def day(expo):
    return day_ticket(expo, quota_per_day=20)


def _ticked(page: str, name: str) -> list[str]:
    """The values of the ticked boxes named `name`."""
    boxes = re.findall(rf'<input type="checkbox" name="{name}"[^>]*>', page)
    return [re.search(r'value="([^"]*)"', b).group(1) for b in boxes if " checked" in b]


def _offered(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]*)"', page)


def registration_form(**extra):
    return {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": "Li Wei",
        "email": "li.wei@example.cn",
        "id_type": "resident",
        "id_number": rid(7),
        **extra,
    }


def test_the_registration_form_has_the_profile_with_nothing_shared(day):
    page = Client().get(FORM).content.decode()
    assert "Networking profile" in page
    for field in ("company", "title", "phone"):
        assert f'name="{field}"' in page
    assert _offered(page, "sectors") == ["information-technology", "smart-vehicles"]
    assert _offered(page, "intents") == ["buy", "partner", "invest", "learn", "recruit"]
    assert _offered(page, "share") == ["name", "email", "phone", "company", "title"]
    assert _ticked(page, "share") == []
    assert "Share with exhibitors who scan my ticket" in page


def test_registering_with_a_profile_stores_it(day):
    data = registration_form(
        company="Acme",
        title="CTO",
        phone="+86 23 1234 5678",
        sectors=["smart-vehicles"],
        interests=["ai"],
        intents=["buy"],
        share=["name", "company"],
    )
    response = Client().post(FORM, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = Registration.objects.get()
    assert (stored.company, stored.title, stored.phone) == ("Acme", "CTO", "+86 23 1234 5678")
    assert (stored.sectors, stored.interests, stored.intents, stored.share) == (
        ["smart-vehicles"],
        ["ai"],
        ["buy"],
        ["name", "company"],
    )


def test_registering_without_ticking_shares_nothing(day):
    assert Client().post(FORM, registration_form(company="Acme")).status_code == 302
    assert Registration.objects.get().share == []


def test_a_bad_phone_is_shown_at_its_field_with_the_rest_kept(day):
    data = registration_form(company="Acme", phone="call me", share=["company"])
    response = Client().post(FORM, data)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_phone_error"' in page
    assert 'value="Acme"' in page
    assert _ticked(page, "share") == ["company"]
    assert not Registration.objects.exists()


def test_only_the_fields_the_edition_allows_are_offered(expo, day):
    expo.lead_fields = ["company", "title"]
    expo.save()
    assert _offered(Client().get(FORM).content.decode(), "share") == ["company", "title"]
    # A box the page did not offer is refused, not stored.
    response = Client().post(FORM, registration_form(share=["email"]))
    assert response.status_code == 422
    assert not Registration.objects.exists()
    expo.lead_fields = []
    expo.save()
    page = Client().get(FORM).content.decode()
    assert 'name="share"' not in page


def test_redrawing_the_days_without_the_script_keeps_the_profile_ticked(day):
    data = registration_form(show_days="1", share=["company", "title"], intents=["learn"])
    page = Client().post(FORM, data).content.decode()
    assert (_ticked(page, "share"), _ticked(page, "intents")) == (["company", "title"], ["learn"])
    assert not Registration.objects.exists()


# --- the manage page -----------------------------------------------------------------------------


@pytest.fixture
def mine(day):
    issued = register(day.expo, 1, ticket_type="day", company="Acme", share=["company"])
    return issued.registration, f"/expos/test-2019/my/{issued.manage_token}/"


def test_the_manage_page_shows_the_profile_as_stored(mine):
    _registration, url = mine
    page = Client().get(url).content.decode()
    assert "Networking profile" in page
    assert 'value="Acme"' in page
    assert _ticked(page, "share") == ["company"]
    assert 'action="' + url + 'profile/"' in page


def test_the_profile_is_saved_from_the_manage_page(mine):
    registration, url = mine
    client = Client(enforce_csrf_checks=True)
    page = client.get(url).content.decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {
        "csrfmiddlewaretoken": csrf,
        "company": "Acme Robotics",
        "title": "Buyer",
        "phone": "023 6000 0000",
        "sectors": ["information-technology"],
        "interests": ["5g"],
        "intents": ["buy", "invest"],
        "share": ["name", "title"],
    }
    response = client.post(url + "profile/", data)
    assert response.status_code == 302
    assert response["Location"] == url
    registration.refresh_from_db()
    assert (registration.company, registration.title, registration.phone) == (
        "Acme Robotics",
        "Buyer",
        "023 6000 0000",
    )
    assert registration.share == ["name", "title"]
    assert registration.intents == ["buy", "invest"]
    assert "Your networking profile is saved." in client.get(url).content.decode()
    # Unticking everything shares nothing again.
    client.post(url + "profile/", {"csrfmiddlewaretoken": csrf, "company": "Acme Robotics"})
    registration.refresh_from_db()
    assert (registration.share, registration.intents, registration.title) == ([], [], "")


def test_a_post_without_the_csrf_token_is_refused(mine):
    registration, url = mine
    response = Client(enforce_csrf_checks=True).post(url + "profile/", {"company": "Evil"})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.company == "Acme"


def test_a_refused_profile_shows_its_errors_and_keeps_what_was_typed(mine):
    registration, url = mine
    response = Client().post(
        url + "profile/",
        {"company": "New name", "phone": "not a phone", "share": ["company", "title"]},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="id_phone_error"' in page
    assert 'value="New name"' in page and 'value="not a phone"' in page
    assert _ticked(page, "share") == ["company", "title"]
    registration.refresh_from_db()
    assert (registration.company, registration.share) == ("Acme", ["company"])


def test_a_cancelled_registration_has_no_profile_form(mine):
    registration, url = mine
    registration_cancel(registration=registration)
    assert 'name="share"' not in Client().get(url).content.decode()
    response = Client().post(url + "profile/", {"company": "Later"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.company == "Acme"


def test_a_wrong_token_finds_no_profile(day):
    assert Client().post("/expos/test-2019/my/nope/profile/", {}).status_code == 404
    assert Client().get(f"/expos/test-2019/my/{'x' * 40}/profile/").status_code == 405


def test_the_manage_page_in_chinese(mine):
    _registration, url = mine
    page = Client().get("/zh-hans" + url).content.decode()
    assert "交流资料" in page
    assert "与扫描我门票的展商分享" in page


# --- the back office -----------------------------------------------------------------------------


def test_the_admin_shows_the_profile_but_cannot_change_the_consent(mine, staff):
    registration, _url = mine
    page = staff.get(f"/admin/tickets/registration/{registration.pk}/change/").content.decode()
    assert "Acme" in page
    for field in ("share", "company", "phone", "sectors", "intents"):
        assert f'name="{field}"' not in page
    hits = staff.get("/admin/tickets/registration/", {"q": "Acme"}).content.decode()
    assert f"/admin/tickets/registration/{registration.pk}/change/" in hits
