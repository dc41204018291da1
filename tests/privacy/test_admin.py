"""The organiser in the back office: export the selected people's data, erase it after a
confirmation page, and read the audit log, which nobody can edit."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from smartexpo.core.models import AuditEntry
from smartexpo.tickets.models import Registration
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.privacy.conftest import register

CHANGELIST = "/admin/tickets/registration/"
AUDIT = "/admin/core/auditentry/"


def _staff(username, *permissions) -> Client:
    user = get_user_model().objects.create_user(username, password="pw-for-tests-2", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    client = Client()
    client.force_login(user)
    return client


def action(client, name, *people, **extra):
    form = {"action": name, "_selected_action": [p.pk for p in people], **extra}
    return client.post(CHANGELIST, form)


def test_the_registrations_list_offers_both_actions(staff, person):
    page = staff.get(CHANGELIST).content.decode()
    assert '<option value="export_personal_data">Export personal data</option>' in page
    assert '<option value="erase_personal_data">Erase personal data</option>' in page


def test_the_actions_read_in_chinese(staff, person):
    page = staff.get("/zh-hans" + CHANGELIST).content.decode()
    assert "导出个人信息" in page
    assert "删除个人信息" in page


def test_the_admin_exports_the_selected_peoples_data_as_one_json_file(staff, person, somebody_else):
    response = action(staff, "export_personal_data", person, somebody_else)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    exports = json.loads(response.content)
    assert [e["registration"]["name"] for e in exports] == ["Li Wei", "Zhang Min"]
    entries = AuditEntry.objects.order_by("id")
    assert [e.target for e in entries] == [
        f"registration {person.pk}",
        f"registration {somebody_else.pk}",
    ]
    assert {(e.actor, e.action, e.detail["via"]) for e in entries} == {
        ("admin boss", "personal_data.export", "admin")
    }


def test_erasing_shows_a_confirmation_page_first_and_erases_nothing(staff, person):
    response = action(staff, "erase_personal_data", person)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Erase the personal data of this registration?" in page
    assert "1 of them is active: it is cancelled first" in page
    assert f"#{person.pk} · day · Active · Li Wei" in page
    assert '<input type="hidden" name="post" value="yes">' in page
    assert '<input type="submit" value="Yes, erase">' in page
    assert Registration.objects.get(pk=person.pk).erased_at is None
    assert not AuditEntry.objects.exists()


def test_confirming_erases_the_selected_people_and_logs_each(staff, person, somebody_else):
    response = action(staff, "erase_personal_data", person, somebody_else, post="yes")
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    for pk in (person.pk, somebody_else.pk):
        erased = Registration.objects.get(pk=pk)
        assert (erased.name, erased.email, erased.status) == ("", "", "cancelled")
    entries = AuditEntry.objects.filter(action="personal_data.erase")
    assert {(e.actor, e.detail["via"]) for e in entries} == {("admin boss", "admin")}
    assert entries.count() == 2
    page = staff.get(CHANGELIST).content.decode()
    assert "The personal data of 2 registrations was erased." in page


def test_erasing_again_from_the_admin_changes_nothing(staff, person):
    action(staff, "erase_personal_data", person, post="yes")
    erased_at = Registration.objects.get(pk=person.pk).erased_at
    action(staff, "erase_personal_data", person, post="yes")
    assert Registration.objects.get(pk=person.pk).erased_at == erased_at
    assert AuditEntry.objects.count() == 1
    assert "Erased before, so left as they were: 1." in staff.get(CHANGELIST).content.decode()


def test_a_staff_account_without_permissions_may_not_use_the_actions(person):
    clerk = _staff("clerk")
    assert action(clerk, "export_personal_data", person).status_code == 403
    assert action(clerk, "erase_personal_data", person, post="yes").status_code == 403
    assert Registration.objects.get(pk=person.pk).erased_at is None


def test_who_may_only_view_registrations_may_export_but_not_erase(person):
    viewer = _staff("viewer", "view_registration")
    assert action(viewer, "export_personal_data", person).status_code == 200
    response = action(viewer, "erase_personal_data", person, post="yes")
    assert response.status_code == 302  # Django: "No action selected", nothing done
    assert Registration.objects.get(pk=person.pk).erased_at is None
    assert AuditEntry.objects.filter(action="personal_data.erase").count() == 0


@pytest.fixture
def logged(expo, person, somebody_else, staff, other_expo):
    """An export and an erasure in the test edition, and an export in another."""
    action(staff, "export_personal_data", person)
    action(staff, "erase_personal_data", somebody_else, post="yes")
    ticket_type_create(
        expo=other_expo, code="day", name_en="Day", days=["2018-08-23"], quota_per_day=5, zones=[]
    )
    elsewhere = register(other_expo, days=["2018-08-23"], email="elsewhere@example.cn")
    action(staff, "export_personal_data", elsewhere)
    return AuditEntry.objects.order_by("id")


def test_the_audit_log_lists_every_entry_and_filters_by_action_and_edition(staff, logged):
    page = staff.get(AUDIT).content.decode()
    assert page.count("Personal data exported") >= 2
    assert "Personal data erased" in page
    assert "admin boss" in page
    erased = staff.get(AUDIT, {"action__exact": "personal_data.erase"}).context["cl"]
    assert [e.action for e in erased.result_list] == ["personal_data.erase"]
    expo_id = logged[0].expo_id
    in_edition = staff.get(AUDIT, {"expo__id__exact": expo_id}).context["cl"]
    assert {e.expo_id for e in in_edition.result_list} == {expo_id}
    assert len(in_edition.result_list) == 2


def test_the_audit_log_is_read_only(staff, logged):
    entry = logged[0]
    assert staff.get(AUDIT + "add/").status_code == 403
    assert staff.get(f"{AUDIT}{entry.pk}/delete/").status_code == 403
    page = staff.get(f"{AUDIT}{entry.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert staff.post(f"{AUDIT}{entry.pk}/change/", {"actor": "someone else"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).actor == "admin boss"
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    staff.post(AUDIT, bulk)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_audit_log_reads_in_chinese(staff, logged):
    page = staff.get("/zh-hans" + AUDIT).content.decode()
    assert "审计日志" in page
    assert "已导出个人信息" in page
