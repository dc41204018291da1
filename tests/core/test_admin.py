"""The back office works for an organiser: every list, search, filter and form answers."""

import pytest
from django.test import Client
from django.urls import reverse

from smartexpo.venue.models import Booth

ADMIN_MODELS = [
    ("core", "apitoken"),
    ("core", "auditentry"),
    ("venue", "expo"),
    ("venue", "hall"),
    ("venue", "forumroom"),
    ("venue", "zone"),
    ("venue", "gate"),
    ("venue", "booth"),
    ("exhibitors", "sector"),
    ("exhibitors", "tag"),
    ("exhibitors", "exhibitor"),
    ("exhibitors", "boothassignment"),
    ("tickets", "tickettype"),
    ("tickets", "registration"),
    ("tickets", "ticket"),
    ("tickets", "signingkey"),
    ("tickets", "waitlistentry"),
    ("tickets", "invitation"),
    ("tickets", "passgrant"),
    ("devices", "device"),
    ("checkin", "scan"),
    ("crowd", "sensorevent"),
    ("programme", "forum"),
    ("programme", "speaker"),
    ("programme", "session"),
    ("programme", "release"),
    ("programme", "reservation"),
]


@pytest.mark.parametrize(("app", "model"), ADMIN_MODELS)
def test_every_admin_list_search_and_add_page_answers(expo, staff, app, model):
    changelist = reverse(f"admin:{app}_{model}_changelist")
    assert staff.get(changelist).status_code == 200
    assert staff.get(changelist, {"q": "华为"}).status_code == 200
    # Records made only by services (registrations, tickets, the check-in log, the audit log)
    # have no add form.
    service_made = (app == "tickets" and model not in ("tickettype", "passgrant")) or (
        app,
        model,
    ) in {
        ("checkin", "scan"),
        ("crowd", "sensorevent"),
        ("core", "auditentry"),
        ("programme", "release"),
        ("programme", "reservation"),
    }
    expected = 403 if service_made else 200
    assert staff.get(reverse(f"admin:{app}_{model}_add")).status_code == expected


def test_admin_in_chinese(expo, staff):
    page = staff.get("/zh-hans/admin/exhibitors/exhibitor/").content.decode()
    assert "展商" in page


def test_exhibitor_change_page_and_filters(expo, staff):
    huawei = expo.test_exhibitors["huawei"]
    url = reverse("admin:exhibitors_exhibitor_change", args=[huawei.pk])
    assert staff.get(url).status_code == 200
    listing = staff.get(
        reverse("admin:exhibitors_exhibitor_changelist"), {"status__exact": "pending"}
    )
    assert b"Newcomer Robotics" in listing.content
    assert b"Huawei" not in listing.content.split(b"result_list")[-1]


def test_admin_refuses_an_overlapping_booth_with_a_message(expo, staff):
    hall = expo.test_halls["N1"]
    response = staff.post(
        reverse("admin:venue_booth_add"),
        {"expo": expo.pk, "hall": hall.pk, "code": "N1-X", "x": 3, "y": 0, "width": 6, "depth": 6},
    )
    assert response.status_code == 200
    assert "overlaps booth N1-001" in response.content.decode()
    assert not Booth.objects.filter(code="N1-X").exists()


def test_admin_approve_action(expo, staff):
    pending = expo.test_exhibitors["pending"]
    staff.post(
        reverse("admin:exhibitors_exhibitor_changelist"),
        {"action": "approve", "_selected_action": [pending.pk]},
    )
    pending.refresh_from_db()
    assert pending.status == "approved"


def test_admin_creates_a_token_and_shows_it_once(expo, staff):
    response = staff.post(
        reverse("admin:core_apitoken_add"),
        {"role": "organizer", "name": "from admin"},
        follow=True,
    )
    page = response.content.decode()
    assert "it will not be shown again" in page
    raw = page.split("shown again: ")[1].split("<")[0].strip()
    from smartexpo.core.tokens import token_resolve

    assert token_resolve(raw=raw).name == "from admin"


def test_admin_refuses_an_exhibitor_token_without_exhibitor(expo, staff):
    response = staff.post(
        reverse("admin:core_apitoken_add"), {"role": "exhibitor", "name": "x", "expo": expo.pk}
    )
    assert response.status_code == 200
    assert "bound to one exhibitor" in response.content.decode()


def test_admin_is_refused_to_anonymous_visitors(db):
    response = Client().get(reverse("admin:exhibitors_exhibitor_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
