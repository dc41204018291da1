"""The networking profile as personal data: the export shows all of it, consent included, and
an erasure removes all of it (`docs/personal-data.md`)."""

import json

import pytest

from smartexpo.tickets.models import Registration
from tests.checkin.conftest import make_types
from tests.privacy.conftest import erase_url, export_url, register

PROFILE = {
    "phone": "+86 23 6000 1234",
    "company": "Chongqing Sensors Co.",
    "title": "Head of procurement",
    "sectors": ["smart-vehicles", "information-technology"],
    "intents": ["buy", "recruit"],
    "share": ["name", "phone", "company"],
}


@pytest.fixture
def profiled(expo):
    make_types(expo)
    return register(expo, interests=["ai"], **PROFILE)


def test_the_export_holds_the_whole_profile_and_what_is_shared(profiled):
    response = profiled.client.get(export_url(profiled.pk))
    assert response.status_code == 200, response.content
    registration = response.json()["registration"]
    assert {k: registration[k] for k in PROFILE} == PROFILE
    assert registration["interests"] == ["ai"]


def test_erasure_removes_the_profile_and_the_consent(profiled):
    assert profiled.client.post(erase_url(profiled.pk)).status_code == 200
    after = Registration.objects.get(pk=profiled.pk)
    assert (after.phone, after.company, after.title) == ("", "", "")
    assert (after.sectors, after.intents, after.share, after.interests) == ([], [], [], [])
    row = json.dumps(list(Registration.objects.filter(pk=profiled.pk).values()), default=str)
    for value in ("6000 1234", "Chongqing Sensors", "procurement", "smart-vehicles", "recruit"):
        assert value not in row
