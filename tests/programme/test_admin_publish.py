"""Publishing the programme from the admin: the changes a release would make, the warnings open,
their explicit confirmation (enforced by the server), and the right to publish."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from smartexpo.programme.models import Release
from smartexpo.programme.selectors import programme_preview, published_programme
from smartexpo.programme.services.editing import session_create, session_update
from tests.programme.conftest import at
from tests.programme.test_admin import staff_with, text


def publish_url(expo) -> str:
    return reverse("admin:programme_release_publish") + f"?expo={expo.pk}"


def _clash(programme) -> None:
    """The keynote moved onto "AI in manufacturing" in R1: one open warning."""
    session_update(
        session=programme["sessions"]["keynote"],
        changes={"starts_at": at(26, 12), "ends_at": at(26, 12, 30)},
    )


def test_the_page_shows_the_changes_the_release_would_make(expo, programme, staff):
    s = programme["sessions"]
    session_update(session=s["keynote"], changes={"starts_at": at(26, 9), "ends_at": at(26, 10)})
    session_update(session=s["ai"], changes={"title_en": "AI in factories"})
    session_update(session=s["silk"], changes={"cancelled": True})
    session_create(
        expo=expo,
        forum="main",
        room="R1",
        title_en="Closing",
        starts_at=at(26, 16),
        ends_at=at(26, 17),
    )
    response = staff.get(publish_url(expo))
    assert response.status_code == 200
    page = text(response)
    rows = {line.kind: (line.title, line.detail) for line in response.context["changes"]}
    assert rows["added"][0] == "Closing"
    assert rows["changed"][0] == "AI in factories"
    assert rows["cancelled"][0] == "Cooperation along the Silk Road"
    assert rows["moved"] == (
        "Opening keynote",
        "from Mon 26 Aug 09:30–10:30, Forum Room 1 to Mon 26 Aug 09:00–10:00, Forum Room 1",
    )
    assert "The public sees version 1" in page
    assert "Version 2 would publish 3 sessions." in page
    assert "0 open warnings" in page
    assert 'name="confirm"' not in page


def test_the_preview_builds_the_records_publishing_would_publish(expo, programme):
    session_update(session=programme["sessions"]["ai"], changes={"title_en": "AI in factories"})
    preview = programme_preview(expo=expo)
    assert preview.version == 2 and preview.changes["changed"] == [programme["sessions"]["ai"].pk]
    from smartexpo.programme.services.publishing import programme_publish

    release = programme_publish(expo=expo, actor="test")
    assert release.sessions == preview.records
    assert release.changes == preview.changes
    assert programme_preview(expo=expo).unchanged


def test_publishing_without_warnings_needs_no_confirmation(expo, programme, staff):
    session_update(session=programme["sessions"]["ai"], changes={"title_en": "AI in factories"})
    page = staff.get(publish_url(expo))
    seen = page.context["digest"]
    response = staff.post(publish_url(expo), {"comment": "Titles", "seen": seen}, follow=True)
    release = Release.objects.get(expo=expo, version=2)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:programme_release_change", args=[release.pk]
    )
    assert "Version 2 of the programme of Test Expo 2019 is published." in text(response)
    assert release.comment == "Titles" and release.published_by == "boss"
    assert release.warnings == []
    assert published_programme(expo=expo).version == 2


def test_publishing_with_warnings_is_refused_without_the_checkbox(expo, programme, staff):
    _clash(programme)
    page = staff.get(publish_url(expo))
    assert "Publish despite 1 warning" in text(page)
    assert "1 open warning" in text(page)
    response = staff.post(publish_url(expo), {"seen": page.context["digest"]})
    assert response.status_code == 200
    assert "The programme has 1 open warnings; confirm to publish it anyway." in text(response)
    assert Release.objects.filter(expo=expo).count() == 1


def test_publishing_with_warnings_is_accepted_with_the_checkbox(expo, programme, staff):
    _clash(programme)
    page = staff.get(publish_url(expo))
    response = staff.post(
        publish_url(expo), {"seen": page.context["digest"], "confirm": "on"}, follow=True
    )
    assert response.status_code == 200
    release = Release.objects.get(expo=expo, version=2)
    assert [w["code"] for w in release.warnings] == ["room_double_booked"]
    # The release's page shows its changes and the warnings it was published with.
    shown = text(staff.get(reverse("admin:programme_release_change", args=[release.pk])))
    assert "Opening keynote and AI in manufacturing" in shown or "AI in manufacturing and" in shown
    assert "Moved" in shown and "Mon 26 Aug 12:00–12:30" in shown


def test_a_warning_raised_after_the_page_was_opened_must_be_seen_first(expo, programme, staff):
    _clash(programme)
    page = staff.get(publish_url(expo))
    # Meanwhile, the Silk Road panel is given more seats than its room holds.
    session_update(session=programme["sessions"]["silk"], changes={"seats": 10})
    response = staff.post(publish_url(expo), {"seen": page.context["digest"], "confirm": "on"})
    assert "The warnings changed since this page was opened" in text(response)
    assert "Publish despite 2 warnings" in text(response)
    assert Release.objects.filter(expo=expo).count() == 1
    again = staff.post(publish_url(expo), {"seen": response.context["digest"], "confirm": "on"})
    assert again.status_code == 302
    assert Release.objects.get(expo=expo, version=2).warnings[1]["code"] == ("seats_above_capacity")


def test_the_publish_page_asks_for_the_edition_first(expo, programme, staff):
    response = staff.get(reverse("admin:programme_release_publish"))
    assert response.templates[0].name == "admin/edition_choice.html"
    assert staff.get(reverse("admin:programme_release_publish"), {"expo": 99999}).status_code == 404


def test_editing_sessions_is_not_the_right_to_publish(expo, programme):
    editor = staff_with(
        "programme.view_session", "programme.change_session", "programme.view_release"
    )
    assert editor.get(publish_url(expo)).status_code == 403
    assert editor.post(publish_url(expo), {"confirm": "on"}).status_code == 403
    assert Release.objects.filter(expo=expo).count() == 1
    releases = text(editor.get(reverse("admin:programme_release_changelist")))
    assert reverse("admin:programme_release_publish") not in releases


def test_the_publish_permission_opens_the_page_and_publishes(expo, programme):
    publisher = staff_with("programme.publish_release", username="publisher")
    assert publisher.get(publish_url(expo)).status_code == 200
    digest = publisher.get(publish_url(expo)).context["digest"]
    assert publisher.post(publish_url(expo), {"seen": digest}).status_code == 302
    assert Release.objects.get(expo=expo, version=2).published_by == "publisher"


def test_the_permission_may_come_from_a_group(expo, programme):
    publisher = staff_with(username="lead")
    group = Group.objects.create(name="Programme leads")
    group.permissions.add(Permission.objects.get(codename="publish_release"))
    from django.contrib.auth import get_user_model

    get_user_model().objects.get(username="lead").groups.add(group)
    assert publisher.get(publish_url(expo)).status_code == 200


def test_the_publish_page_in_chinese(expo, programme, staff):
    _clash(programme)
    page = text(staff.get("/zh-hans" + publish_url(expo)))
    assert "发布" in page
    assert "尽管有 1 条警告仍然发布" in page
