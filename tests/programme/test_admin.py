"""The programme in the admin: every page for each kind of account, sessions saved with their
warnings shown (never blocked), the week grid of a room, speakers' photos, reservations
cancelled by an organiser (the publish page is tested in `test_admin_publish.py`)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from PIL import Image

from smartexpo.programme.models import (
    Reservation,
    ReservationStatus,
    Session,
    SessionSeats,
    Speaker,
)
from smartexpo.programme.services.editing import session_update
from smartexpo.programme.services.reservations import reservation_make
from smartexpo.venue.models import Zone, ZoneKind
from tests.conftest import make_expo, public_day_pass, register
from tests.programme.conftest import CST, at

PASSWORD = "pw-for-tests-2"


def staff_with(*codenames: str, username: str = "clerk") -> Client:
    """A signed-in staff account holding only the named permissions (`app.codename`)."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, is_staff=True)
    for name in codenames:
        app, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )
    client = Client()
    client.force_login(user)
    return client


def page_data(response) -> dict:
    """What a change page would post back as it is (split date and time fields included)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for bound in form:
            if bound.field.disabled:
                continue
            value = bound.value()
            if isinstance(value, dt.datetime):
                local = value.astimezone(CST)
                data[bound.html_name + "_0"] = local.date().isoformat()
                data[bound.html_name + "_1"] = local.strftime("%H:%M:%S")
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(getattr(v, "pk", v)) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = str(getattr(value, "pk", value))
    return data


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def warnings_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"] if m.level_tag == "warning"]


# --- who may open what -------------------------------------------------------------------------


def _pages(expo, programme) -> list[str]:
    s, sp = programme["sessions"], programme["speakers"]
    pages = [reverse("admin:programme_session_grid") + f"?expo={expo.pk}"]
    for model, obj in (
        ("forum", programme["forums"]["main"]),
        ("speaker", sp["ada"]),
        ("session", s["silk"]),
        ("release", programme["release"]),
    ):
        pages += [
            reverse(f"admin:programme_{model}_changelist"),
            reverse(f"admin:programme_{model}_change", args=[obj.pk]),
        ]
        if model != "release":
            pages.append(reverse(f"admin:programme_{model}_add") + f"?expo={expo.pk}")
    pages.append(reverse("admin:programme_reservation_changelist"))
    return pages


def test_every_programme_page_opens_for_a_superuser(expo, programme, staff):
    for url in _pages(expo, programme):
        response = staff.get(url)
        assert response.status_code == 200, url


def test_a_staff_account_without_permissions_is_refused_everywhere(expo, programme):
    clerk = staff_with()
    publish = reverse("admin:programme_release_publish") + f"?expo={expo.pk}"
    for url in [*_pages(expo, programme), publish]:
        assert clerk.get(url).status_code == 403, url


def test_anyone_not_staff_is_sent_to_the_login_page(expo, programme):
    response = Client().get(reverse("admin:programme_session_grid"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_viewing_sessions_opens_the_grid_but_not_its_add_links(expo, programme):
    reader = staff_with("programme.view_session")
    response = reader.get(reverse("admin:programme_session_grid"), {"expo": expo.pk})
    assert response.status_code == 200
    assert "Opening keynote" in text(response)
    assert "add_slots" not in response.context
    assert reader.get(reverse("admin:programme_session_add")).status_code == 403


# --- sessions saved with their warnings --------------------------------------------------------


def test_a_save_that_raises_warnings_is_saved_and_shows_them(expo, programme, staff):
    keynote = programme["sessions"]["keynote"]
    url = reverse("admin:programme_session_change", args=[keynote.pk])
    data = page_data(staff.get(url))
    # At 11:45, when "AI in manufacturing" is in R1, and until 19:00, after closing.
    data.update({"starts_at_0": "2019-08-26", "starts_at_1": "11:45:00", "ends_at_1": "19:00:00"})
    response = staff.post(url, data, follow=True)
    assert response.status_code == 200
    keynote.refresh_from_db()
    assert keynote.starts_at == at(26, 11, 45)
    assert keynote.ends_at == at(26, 19)
    shown = " ".join(warnings_of(response))
    assert "AI in manufacturing and Opening keynote are in Forum Room 1 at the same time." in shown
    assert "Opening keynote is outside the expo's opening hours (09:00–18:00)." in shown
    # Ada is also on the Silk Road panel from 11:00.
    assert "Ada Chen speaks at Cooperation along the Silk Road and Opening keynote" in shown
    assert len(warnings_of(response)) == 3


def test_times_are_read_in_the_editions_time_zone(expo, programme, staff):
    keynote = programme["sessions"]["keynote"]
    url = reverse("admin:programme_session_change", args=[keynote.pk])
    response = staff.get(url)
    assert re.search(r'name="starts_at_1" value="09:30:00"', text(response))
    assert "Asia/Shanghai" in text(response)


def test_a_save_without_warnings_shows_none(expo, programme, staff):
    keynote = programme["sessions"]["keynote"]
    url = reverse("admin:programme_session_change", args=[keynote.pk])
    data = page_data(staff.get(url))
    data["title_en"] = "Opening keynote, renamed"
    response = staff.post(url, data, follow=True)
    assert warnings_of(response) == []
    assert Session.objects.get(pk=keynote.pk).title_en == "Opening keynote, renamed"


def test_a_speaker_in_two_rooms_at_once_is_a_warning_on_save(expo, programme, staff):
    ai = programme["sessions"]["ai"]
    url = reverse("admin:programme_session_change", args=[ai.pk])
    data = page_data(staff.get(url))
    # Ada, already on the Silk Road panel (R2, 11:00–12:00), added to AI (R1, 11:30–12:30).
    data["speaker_links-1-speaker"] = str(programme["speakers"]["ada"].pk)
    data["speaker_links-1-position"] = "1"
    response = staff.post(url, data, follow=True)
    assert ai.speakers.filter(pk=programme["speakers"]["ada"].pk).exists()
    assert any("Ada Chen speaks at" in w for w in warnings_of(response))


def test_a_seat_quota_above_the_rooms_capacity_is_a_warning(expo, programme, staff):
    silk = programme["sessions"]["silk"]
    url = reverse("admin:programme_session_change", args=[silk.pk])
    data = page_data(staff.get(url))
    data["seat_quota"] = "10"
    response = staff.post(url, data, follow=True)
    assert Session.objects.get(pk=silk.pk).seat_quota == 10
    assert any("has 10 seats; Meeting Room 2 holds 3" in w for w in warnings_of(response))


def test_a_session_that_ends_before_it_starts_is_a_form_error(expo, programme, staff):
    keynote = programme["sessions"]["keynote"]
    url = reverse("admin:programme_session_change", args=[keynote.pk])
    data = page_data(staff.get(url))
    data["ends_at_1"] = "08:00:00"
    response = staff.post(url, data)
    assert response.status_code == 200
    assert "A session must end after it starts." in text(response)
    assert Session.objects.get(pk=keynote.pk).ends_at == at(26, 10, 30)


def test_the_session_list_marks_sessions_with_warnings(expo, programme, staff):
    s = programme["sessions"]
    # Into R1 from 12:00, while "AI in manufacturing" is there (Ada's panel ends at 12:00).
    session_update(
        session=s["keynote"], changes={"starts_at": at(26, 12), "ends_at": at(26, 12, 30)}
    )
    response = staff.get(reverse("admin:programme_session_changelist"))
    page = text(response)
    rows = {row.split("</tr>")[0] for row in page.split("<tr")[1:]}
    marked = [r for r in rows if "programme-warning-marker" in r]
    assert len(marked) == 2
    assert any("Opening keynote" in r for r in marked)
    assert any("AI in manufacturing" in r for r in marked)
    assert not any("Cooperation along the Silk Road" in r for r in marked)


# --- edition first -----------------------------------------------------------------------------


def test_the_session_add_page_asks_for_the_edition_then_offers_its_own_only(expo, programme, staff):
    other = make_expo(slug="test-2018", name_en="Test Expo 2018")
    Zone.objects.create(
        expo=other, code="R1", kind=ZoneKind.ROOM, name_en="Room", area_m2=50, capacity=9
    )
    url = reverse("admin:programme_session_add")
    first = staff.get(url)
    assert first.templates[0].name == "admin/edition_choice.html"
    form = staff.get(url, {"expo": expo.pk}).context["adminform"].form
    assert set(form.fields["room"].queryset) == set(Zone.objects.filter(expo=expo, kind="room"))
    assert {f.expo_id for f in form.fields["forum"].queryset} == {expo.pk}
    inline = staff.get(url, {"expo": expo.pk}).context["inline_admin_formsets"][0]
    offered = inline.formset.forms[0].fields["speaker"].queryset
    assert set(offered) == set(Speaker.objects.filter(expo=expo))


def test_a_session_added_from_the_grid_link_is_prefilled(expo, programme, staff):
    r2 = Zone.objects.get(expo=expo, code="R2")
    response = staff.get(
        reverse("admin:programme_session_add"),
        {"expo": expo.pk, "room": r2.pk, "starts_at": "2019-08-27T14:00:00"},
    )
    assert response.context["adminform"].form.initial["room"] == str(r2.pk)
    page = text(response)
    assert f'<option value="{r2.pk}" selected>' in page
    assert re.search(r'name="starts_at_0" value="2019-08-27"', page)
    assert re.search(r'name="starts_at_1" value="14:00:00"', page)
    assert re.search(r'name="ends_at_1" value="15:00:00"', page)


def test_a_malformed_address_is_answered_without_an_error(expo, programme, staff):
    add = reverse("admin:programme_session_add")
    for query in (
        {"expo": expo.pk, "starts_at": "tomorrow", "ends_at": "later", "room": "R1"},
        {"expo": expo.pk, "ends_at": "2019-08-27T16:00"},
    ):
        assert staff.get(add, query).status_code == 200
    broken = reverse("admin:programme_session_changelist") + "abc/change/"
    assert staff.get(broken).status_code in (302, 404)


def test_adding_a_session_in_the_admin_saves_it_with_its_speakers(expo, programme, staff):
    url = reverse("admin:programme_session_add") + f"?expo={expo.pk}"
    response = staff.post(
        url,
        {
            "forum": programme["forums"]["silk"].pk,
            "title_en": "Late talk",
            "format": "talk",
            "starts_at_0": "2019-08-27",
            "starts_at_1": "17:30",
            "ends_at_0": "2019-08-27",
            "ends_at_1": "18:30",
            "room": Zone.objects.get(expo=expo, code="R2").pk,
            "speaker_links-TOTAL_FORMS": "1",
            "speaker_links-INITIAL_FORMS": "0",
            "speaker_links-0-speaker": programme["speakers"]["bo"].pk,
            "speaker_links-0-position": "0",
            "reservations-TOTAL_FORMS": "0",
            "reservations-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    session = Session.objects.get(title_en="Late talk")
    assert session.expo == expo
    assert session.starts_at == at(27, 17, 30)
    assert list(session.speakers.all()) == [programme["speakers"]["bo"]]
    assert any("outside the expo's opening hours" in w for w in warnings_of(response))


# --- the week grid -----------------------------------------------------------------------------


def _blocks(page: str) -> dict[str, dict]:
    found = {}
    for match in re.finditer(r'<a class="grid-session([^"]*)"(.*?)</a>', page, re.S):
        classes, body = match.group(1).split(), match.group(2)
        title = re.search(r"<(?:strong|del)>(.*?)</(?:strong|del)>", body).group(1)
        found[title] = {
            "classes": classes,
            "column": int(re.search(r'data-column="(\d+)"', body).group(1)),
            "rows": re.search(r'data-rows="([\d-]+)"', body).group(1),
            "day": re.search(r'data-day="([\d-]+)"', body).group(1),
            "body": body,
        }
    return found


def test_the_grid_places_sessions_by_day_and_time(expo, programme, staff):
    s = programme["sessions"]
    session_update(session=s["ai"], changes={"starts_at": at(28, 14), "ends_at": at(28, 15, 30)})
    response = staff.get(reverse("admin:programme_session_grid"), {"expo": expo.pk, "room": "R1"})
    blocks = _blocks(text(response))
    assert set(blocks) == {"Opening keynote", "AI in manufacturing"}
    # Rows of 5 minutes from 08:00 (an hour before the 09:00 opening): 09:30 is row 19.
    assert blocks["Opening keynote"]["column"] == 1
    assert blocks["Opening keynote"]["rows"] == "19-31"
    assert '<span class="when">09:30–10:30</span>' in blocks["Opening keynote"]["body"]
    assert blocks["AI in manufacturing"]["column"] == 3
    assert blocks["AI in manufacturing"]["day"] == "2019-08-28"
    assert blocks["AI in manufacturing"]["rows"] == "73-91"
    assert "grid-column: 4; grid-row: 74 / 92" in blocks["AI in manufacturing"]["body"]
    assert response.context["grid"].days[0] == dt.date(2019, 8, 26)
    assert [h.label for h in response.context["grid"].hours][:2] == ["08:00", "09:00"]


def test_the_grid_shows_one_room_and_offers_the_others(expo, programme, staff):
    response = staff.get(reverse("admin:programme_session_grid"), {"expo": expo.pk, "room": "R2"})
    assert set(_blocks(text(response))) == {"Cooperation along the Silk Road"}
    assert f"?expo={expo.pk}&amp;room=R1" in response.content.decode()


def test_the_grid_highlights_warnings_and_strikes_cancelled_sessions(expo, programme, staff):
    s = programme["sessions"]
    session_update(session=s["keynote"], changes={"starts_at": at(26, 11), "ends_at": at(26, 12)})
    session_update(session=s["silk"], changes={"cancelled": True})
    page = text(staff.get(reverse("admin:programme_session_grid"), {"expo": expo.pk}))
    blocks = _blocks(page)
    assert "warn" in blocks["Opening keynote"]["classes"]
    assert "are in Forum Room 1 at the same time" in blocks["Opening keynote"]["body"]
    # The second of two sessions at once sits in a lane of its own, beside the first.
    assert "--lane: 1" in blocks["AI in manufacturing"]["body"]
    r2 = _blocks(text(staff.get(reverse("admin:programme_session_grid"), {"room": "R2"})))
    silk = r2["Cooperation along the Silk Road"]
    assert "cancelled" in silk["classes"] and "warn" not in silk["classes"]
    assert "<del>Cooperation along the Silk Road</del>" in silk["body"]
    # Listed under the grid once, though it names two sessions of the room.
    listed = re.findall(r'<ul class="programme-warnings">(.*?)</ul>', page, re.S)[0]
    assert listed.count("are in Forum Room 1 at the same time") == 1


def test_the_grid_links_each_session_and_each_free_hour(expo, programme, staff):
    page = text(staff.get(reverse("admin:programme_session_grid"), {"expo": expo.pk}))
    keynote = programme["sessions"]["keynote"]
    assert reverse("admin:programme_session_change", args=[keynote.pk]) in page
    r1 = Zone.objects.get(expo=expo, code="R1")
    add = reverse("admin:programme_session_add")
    assert f"{add}?expo={expo.pk}&amp;room={r1.pk}&amp;starts_at=2019-08-29T16%3A00%3A00" in page


def test_the_grid_answers_a_wrong_edition_or_room_with_the_newest(expo, programme, staff):
    for query in ({"expo": "nope", "room": "R9"}, {"expo": "999999"}):
        response = staff.get(reverse("admin:programme_session_grid"), query)
        assert response.status_code == 200
        assert response.context["room"].code == "R1"


def test_the_grid_and_the_publish_page_are_linked_from_the_list_and_the_index(
    expo, programme, staff
):
    changelist = text(staff.get(reverse("admin:programme_session_changelist")))
    assert reverse("admin:programme_session_grid") in changelist
    assert reverse("admin:programme_release_publish") in changelist
    index = text(staff.get(reverse("admin:index")))
    assert reverse("admin:programme_session_grid") + f"?expo={expo.pk}" in index
    assert reverse("admin:programme_release_publish") + f"?expo={expo.pk}" in index
    clerk = staff_with("programme.view_session")
    assert reverse("admin:programme_release_publish") not in text(
        clerk.get(reverse("admin:programme_session_changelist"))
    )


# --- speakers' photos --------------------------------------------------------------------------


def picture(fmt: str = "PNG", size=(900, 600)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    out.seek(0)
    out.name = f"portrait.{fmt.lower()}"
    return out


def _speaker_post(staff, speaker, **extra):
    url = reverse("admin:programme_speaker_change", args=[speaker.pk])
    data = {
        "name_en": speaker.name_en,
        "name_zh": speaker.name_zh,
        "affiliation_en": speaker.affiliation_en,
        **extra,
    }
    return staff.post(url, data)


def test_a_photo_upload_is_resized_stripped_and_shown(expo, programme, staff):
    ada = programme["speakers"]["ada"]
    response = _speaker_post(staff, ada, photo_upload=picture("JPEG"))
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.photo_type == "image/jpeg"
    stored = Image.open(io.BytesIO(bytes(ada.photo)))
    assert max(stored.size) == 400
    assert len(ada.photo_digest) == 64
    page = text(staff.get(reverse("admin:programme_speaker_changelist")))
    photo_url = reverse("admin:programme_speaker_photo", args=[ada.pk])
    assert f'{photo_url}?v={ada.photo_digest[:12]}"' in page
    served = staff.get(photo_url)
    assert served["Content-Type"] == "image/jpeg"
    assert served.content == bytes(ada.photo)
    assert staff_with().get(photo_url).status_code == 403


def test_a_file_that_is_not_an_image_is_a_form_error(expo, programme, staff):
    ada = programme["speakers"]["ada"]
    upload = io.BytesIO(b"%PDF-1.4 not a picture")
    upload.name = "cv.pdf"
    response = _speaker_post(staff, ada, photo_upload=upload)
    assert response.status_code == 200
    assert "This file is not an image we can read." in text(response)
    ada.refresh_from_db()
    assert ada.photo is None and ada.photo_digest == ""


def test_a_photo_can_be_removed(expo, programme, staff):
    ada = programme["speakers"]["ada"]
    _speaker_post(staff, ada, photo_upload=picture())
    ada.refresh_from_db()
    assert ada.photo_type == "image/png"
    _speaker_post(staff, ada, photo_remove="on")
    ada.refresh_from_db()
    assert ada.photo is None and ada.photo_type == "" and ada.photo_digest == ""
    url = reverse("admin:programme_speaker_photo", args=[ada.pk])
    assert staff.get(url).status_code == 404


# --- reservations ------------------------------------------------------------------------------


@pytest.fixture
def full_session(expo, programme):
    """The Silk Road panel's 3 seats taken, a fourth person waiting."""
    public_day_pass(expo, quota_per_day=100)
    people = [register(expo, n).registration for n in range(1, 5)]
    silk = programme["sessions"]["silk"]
    for person in people:
        reservation_make(registration=person, session_id=silk.pk)
    return silk, people


def test_the_reservations_and_waiting_list_of_a_session_are_listed(full_session, staff):
    silk, people = full_session
    page = text(staff.get(reverse("admin:programme_session_change", args=[silk.pk])))
    assert "Confirmed reservations: 3; on the waiting list: 1." in page
    statuses = re.findall(r'<td class="field-status">\s*<p>([^<]*)</p>', page)
    assert statuses == ["confirmed"] * 3 + ["on the waiting list"]
    listing = text(
        staff.get(reverse("admin:programme_reservation_changelist"), {"status": "waitlisted"})
    )
    assert people[3].name in listing and people[0].name not in listing


def test_an_organiser_cancels_a_reservation_and_the_waiting_list_moves_up(full_session, staff):
    silk, people = full_session
    first = Reservation.objects.get(session=silk, registration=people[0])
    response = staff.post(
        reverse("admin:programme_reservation_changelist"),
        {"action": "cancel_reservations", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "1 reservation cancelled" in text(response)
    assert not Reservation.objects.filter(pk=first.pk).exists()
    promoted = Reservation.objects.get(session=silk, registration=people[3])
    assert promoted.status == ReservationStatus.CONFIRMED
    assert SessionSeats.objects.get(session=silk).confirmed == 3


def test_cancelling_needs_the_right_to_delete_reservations(full_session):
    silk, people = full_session
    reader = staff_with("programme.view_reservation")
    first = Reservation.objects.get(session=silk, registration=people[0])
    response = reader.post(
        reverse("admin:programme_reservation_changelist"),
        {"action": "cancel_reservations", "_selected_action": [first.pk]},
    )
    assert response.status_code in (200, 302)
    assert Reservation.objects.filter(pk=first.pk).exists()
    assert (
        reader.get(reverse("admin:programme_reservation_delete", args=[first.pk])).status_code
        == 403
    )


def test_the_delete_page_cancels_through_the_service(full_session, staff):
    silk, people = full_session
    first = Reservation.objects.get(session=silk, registration=people[1])
    staff.post(reverse("admin:programme_reservation_delete", args=[first.pk]), {"post": "yes"})
    assert not Reservation.objects.filter(pk=first.pk).exists()
    assert (
        Reservation.objects.get(session=silk, registration=people[3]).status
        == ReservationStatus.CONFIRMED
    )


def test_the_session_times_shown_in_the_list_are_local(expo, programme, staff):
    page = text(staff.get(reverse("admin:programme_session_changelist")))
    assert "2019-08-26 09:30–10:30" in page
    assert programme["sessions"]["keynote"].starts_at.astimezone(dt.UTC).hour == 1


def test_the_session_page_shows_attendance_and_no_shows_once_it_has_ended(expo, programme, staff):
    from smartexpo.programme.services.attendance import attendance_record
    from smartexpo.venue.models import Expo

    public_day_pass(expo, quota_per_day=10)
    came, stayed_away = (register(expo, n) for n in (1, 2))
    silk = programme["sessions"]["silk"]
    for issued in (came, stayed_away):
        reservation_make(registration=issued.registration, session_id=silk.pk)
    ticket = came.registration.tickets.get()
    attendance_record(
        session_id=silk.pk,
        ticket_id=ticket.pk,
        registration_id=ticket.registration_id,
        at=at(26, 11),
    )
    url = reverse("admin:programme_session_change", args=[silk.pk])
    # The edition's clock during the session, then after its end.
    Expo.objects.filter(pk=expo.pk).update(clock_offset=at(26, 11, 30) - dt.datetime.now(dt.UTC))
    page = staff.get(url).content.decode()
    assert "Reserved: 2. Checked in at the door: 1." in page
    assert "No-shows are counted once the session has ended." in page
    # The one who stayed away is a no-show once it has ended.
    Expo.objects.filter(pk=expo.pk).update(clock_offset=at(26, 13) - dt.datetime.now(dt.UTC))
    assert "No-shows: 1." in staff.get(url).content.decode()
