"""An edition's lead capture, set by the organiser (`PATCH /expos/{expo}`, the admin) and shown
to everyone: visitors need to know what they may share. `lead_fields` holds names of
`SHAREABLE_FIELDS` only, and registration's `share` follows it at once."""

import pytest
from django.forms.models import model_to_dict

from smartexpo.venue.admin import ExpoForm
from smartexpo.venue.models import SHAREABLE_FIELDS, Expo
from tests.conftest import day_ticket, error_of, registration_body

EDITION = "/api/v1/expos/test-2019"


def test_everyone_sees_the_lead_settings(expo, anonymous):
    body = anonymous.get(EDITION).json()
    assert body["lead_capture"] is True
    assert body["lead_fields"] == list(SHAREABLE_FIELDS)


def test_the_organiser_sets_them_and_registration_follows(expo, organizer, anonymous):
    day_ticket(expo, quota_per_day=10)
    answer = organizer.patch(EDITION, {"lead_capture": False, "lead_fields": ["title", "name"]})
    assert answer.status_code == 200, answer.content
    # Kept in the order exports show them, whatever order they were sent in.
    assert (answer.json()["lead_capture"], answer.json()["lead_fields"]) == (
        False,
        ["name", "title"],
    )
    stored = Expo.objects.get(pk=expo.pk)
    assert (stored.lead_capture, stored.lead_fields) == (False, ["name", "title"])
    # The registration's cached catalogue sees the change at the next request.
    refused = anonymous.post(
        EDITION + "/registrations", registration_body(1, ticket_type="day", share=["email"])
    )
    assert refused.status_code == 422
    assert "share" in error_of(refused)["detail"]["fields"]
    accepted = anonymous.post(
        EDITION + "/registrations", registration_body(2, ticket_type="day", share=["title"])
    )
    assert accepted.status_code == 201, accepted.content
    # A change of the sales window alone keeps them.
    organizer.patch(EDITION, {"sales_closes_at": "2099-12-31T00:00:00+00:00"})
    assert anonymous.get(EDITION).json()["lead_fields"] == ["name", "title"]


@pytest.mark.parametrize(
    "body",
    [
        {"lead_fields": ["name", "id_number"]},
        {"lead_fields": ["name", "name"]},
        {"lead_fields": "name"},
        {"lead_fields": None},
        {"lead_capture": None},
        {"lead_capture": "sometimes"},
    ],
)
def test_wrong_settings_are_422_at_their_field_and_change_nothing(expo, organizer, body):
    answer = organizer.patch(EDITION, {"sales_closes_at": "2098-01-01T00:00:00+00:00", **body})
    assert answer.status_code == 422, answer.content
    # A list's item at fault is named dotted (`lead_fields.1`).
    assert set(body) <= {f.split(".")[0] for f in error_of(answer)["detail"]["fields"]}
    stored = Expo.objects.get(pk=expo.pk)
    assert (stored.lead_capture, stored.lead_fields) == (True, list(SHAREABLE_FIELDS))
    assert stored.sales_close_at.year == 2099, "nothing of the request was applied"


def test_only_an_organiser_sets_them(expo, anonymous, exhibitor, device):
    body = {"lead_capture": False}
    assert anonymous.patch(EDITION, body).status_code == 401
    assert exhibitor.patch(EDITION, body).status_code == 403
    assert device.patch(EDITION, body).status_code == 403
    assert Expo.objects.get(pk=expo.pk).lead_capture is True


def _form(expo, **changes) -> ExpoForm:
    data = {k: v for k, v in model_to_dict(expo).items() if v is not None}
    data.update(changes)
    return ExpoForm(data=data, instance=expo)


def test_the_admin_offers_only_the_shareable_fields(expo, staff):
    page = staff.get(f"/admin/venue/expo/{expo.pk}/change/").content.decode()
    assert 'name="lead_capture"' in page
    for field in SHAREABLE_FIELDS:
        assert f'name="lead_fields" value="{field}"' in page
    form = _form(expo, lead_fields=["email", "id_number"])
    assert not form.is_valid()
    assert "lead_fields" in form.errors


def test_the_admin_saves_the_settings_in_their_order(expo):
    form = _form(expo, lead_fields=["title", "email"], lead_capture=False)
    assert form.is_valid(), form.errors
    form.save()
    stored = Expo.objects.get(pk=expo.pk)
    assert (stored.lead_capture, stored.lead_fields) == (False, ["email", "title"])
    cleared = _form(stored, lead_fields=[])
    assert cleared.is_valid(), cleared.errors
    cleared.save()
    assert Expo.objects.get(pk=expo.pk).lead_fields == []
