"""Restricted ticket types on the public form, the manage page and in the back office."""

from __future__ import annotations

import pytest
from django.test import Client

from smartexpo.tickets.models import (
    DayQuota,
    Invitation,
    PassGrant,
    Registration,
    RegistrationStatus,
)
from smartexpo.tickets.services.restricted import invitations_create
from tests.tickets.test_pages import rid
from tests.tickets.test_restricted import make_type

FORM = "/expos/test-2019/register/"


def form_data(ticket_type: str, **extra) -> dict:
    return {
        "ticket_type": ticket_type,
        "days": ["2019-08-26"],
        "name": "李伟",
        "email": "li.wei@example.cn",
        "id_type": "resident",
        "id_number": rid(),
        **extra,
    }


@pytest.fixture
def types(expo):
    return {
        access: make_type(expo, code, access)
        for code, access in (("vip", "invitation"), ("media", "approval"), ("staff", "exhibitor"))
    }


def test_the_form_offers_no_staff_pass_and_says_which_types_are_restricted(types):
    page = Client().get(FORM).content.decode()
    assert 'value="vip"' in page and 'value="media"' in page
    assert 'value="staff"' not in page
    assert "by invitation" in page and "by approval" in page
    chinese = Client().get("/zh-hans" + FORM).content.decode()
    assert "邀请码" in chinese


def test_an_invitation_link_fills_in_the_type_and_the_code(types):
    page = Client().get(FORM, {"ticket_type": "vip", "invitation": "ABCD-EFGH-JKMN"})
    html = page.content.decode()
    assert 'value="ABCD-EFGH-JKMN"' in html


def test_a_missing_or_wrong_code_is_shown_at_the_code_field_and_nothing_is_lost(types):
    response = Client().post(FORM, form_data("vip"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_invitation_error"' in html
    assert "li.wei@example.cn" in html  # what was typed stays
    assert Registration.objects.count() == 0


def test_a_valid_code_registers_through_the_form(expo, types):
    (invitation,) = invitations_create(expo=expo, ticket_type="vip", count=1)
    response = Client().post(FORM, form_data("vip", invitation=invitation.code), follow=True)
    assert response.status_code == 200
    assert "You are registered" in response.content.decode()
    assert DayQuota.objects.get(ticket_type=types["invitation"]).sold == 1


def test_a_request_through_the_form_shows_it_awaits_approval_and_can_be_withdrawn(types):
    client = Client()
    response = client.post(FORM, form_data("media"), follow=True)
    html = response.content.decode()
    assert "Your request was received" in html
    assert "Awaiting approval" in html and "2019-08-26" in html
    manage = response.redirect_chain[-1][0]
    withdrawn = client.post(manage + "cancel/", follow=True)
    assert "Your request is withdrawn." in withdrawn.content.decode()
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED


def test_the_organizer_makes_codes_and_exports_them_from_the_admin(expo, types, staff):
    make = "/admin/tickets/invitation/make/"
    assert staff.get(make).status_code == 200
    data = {"ticket_type": types["invitation"].pk, "count": 3, "uses": 2, "label": "Sony"}
    shown = staff.post(make, data)
    assert shown.status_code == 200
    assert Invitation.objects.count() == 3
    for invitation in Invitation.objects.all():
        assert invitation.code in shown.content.decode()
    exported = staff.post(
        "/admin/tickets/invitation/",
        {
            "action": "export_csv",
            "_selected_action": list(Invitation.objects.values_list("pk", flat=True)),
        },
    )
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,ticket_type,uses_allowed")
    assert len(lines) == 4
    assert "invitation=" in lines[1] and "/expos/test-2019/register/" in lines[1]


def test_make_and_download_gives_the_csv_at_once(types, staff):
    data = {"ticket_type": types["invitation"].pk, "count": 2, "uses": 1, "download": "1"}
    response = staff.post("/admin/tickets/invitation/make/", data)
    assert response["Content-Type"].startswith("text/csv")
    assert len(response.content.decode("utf-8-sig").splitlines()) == 3


def test_the_organizer_approves_and_declines_requests_from_the_admin(expo, types, staff):
    from tests.conftest import ApiClient
    from tests.tickets.test_restricted import body

    ids = [
        ApiClient().post("/api/v1/expos/test-2019/registrations", body("media", n)).json()["id"]
        for n in range(3)
    ]
    listed = staff.get("/admin/tickets/registration/", {"status__exact": "pending"})
    assert listed.status_code == 200
    staff.post(
        "/admin/tickets/registration/",
        {"action": "approve_requests", "_selected_action": ids[:2]},
    )
    staff.post(
        "/admin/tickets/registration/", {"action": "decline_requests", "_selected_action": ids[2:]}
    )
    statuses = dict(Registration.objects.values_list("id", "status"))
    assert [statuses[i] for i in ids] == ["active", "active", "declined"]
    approved = Registration.objects.get(pk=ids[0])
    assert approved.decided_by == "admin boss" and approved.tickets.count() == 1


def test_the_organizer_grants_staff_passes_in_the_admin(expo, types, staff):
    huawei = expo.test_exhibitors["huawei"]
    response = staff.post(
        "/admin/tickets/passgrant/add/",
        {"exhibitor": huawei.pk, "ticket_type": types["exhibitor"].pk, "passes": 7},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = PassGrant.objects.get()
    assert (grant.exhibitor_id, grant.passes, grant.used) == (huawei.pk, 7, 0)
