"""The opt-in: a visitor takes part in business meetings only once open; an exhibitor always
is; a personal cap; a cancelled registration cannot opt in."""

from __future__ import annotations

import pytest

from smartexpo.meetings.models import Participant
from smartexpo.tickets.services.cancellation import registration_cancel
from tests.meetings.conftest import REQUESTS, M, ref

pytestmark = pytest.mark.django_db

PARTICIPATION = M + "/participation"


def test_a_visitor_opts_in_then_can_be_requested(expo, closed, huawei):
    before = closed.holder.get(PARTICIPATION).json()
    assert before == {
        "participant": ref(closed),
        "kind": "visitor",
        "open": False,
        "cap": None,
        "no_shows": 0,
        "since": None,
    }
    assert not Participant.objects.exists()  # reading makes nothing
    opened = closed.holder.put(PARTICIPATION, {"open": True, "cap": 12})
    assert opened.status_code == 200, opened.content
    assert (opened.json()["open"], opened.json()["cap"]) == (True, 12)
    assert opened.json()["since"]
    assert huawei.post(REQUESTS, {"to": ref(closed), "priority": "want"}).status_code == 201
    # Left out, the cap is kept; null clears it.
    assert closed.holder.put(PARTICIPATION, {"open": True}).json()["cap"] == 12
    assert closed.holder.put(PARTICIPATION, {"open": True, "cap": None}).json()["cap"] is None
    # Opting out stops new requests.
    closed.holder.put(PARTICIPATION, {"open": False})
    refused = huawei.post(REQUESTS, {"to": ref(closed), "priority": "want"})
    assert refused.status_code == 409


def test_an_exhibitor_is_always_open_and_sets_its_cap(expo, huawei):
    assert huawei.get(PARTICIPATION).json()["open"] is True
    capped = huawei.put(PARTICIPATION, {"open": True, "cap": 30})
    assert capped.status_code == 200 and capped.json()["kind"] == "exhibitor"
    closing = huawei.put(PARTICIPATION, {"open": False})
    assert closing.status_code == 422 and "open" in closing.json()["error"]["detail"]["fields"]


def test_the_organiser_names_the_participant(expo, organizer, closed, li):
    body = {"participant": ref(closed), "open": True}
    assert organizer.put(PARTICIPATION, body).json()["open"] is True
    named = organizer.get(PARTICIPATION, {"registration": closed.registration.pk})
    assert named.json()["open"] is True
    assert organizer.get(PARTICIPATION).status_code == 422
    assert li.holder.put(PARTICIPATION, body).status_code == 403


def test_a_cancelled_registration_cannot_opt_in(expo, closed):
    registration_cancel(registration=closed.registration)
    refused = closed.holder.put(PARTICIPATION, {"open": True})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "participant_inactive"
    assert not Participant.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"open": "yes"}, {"open": True, "cap": -1}, {"open": True, "cap": 201}]
)
def test_bad_participation_is_invalid(expo, closed, body):
    assert closed.holder.put(PARTICIPATION, body).status_code == 422


def test_participant_for_and_participant_get_make_the_row_on_first_use(expo, closed, types):
    from smartexpo.core.errors import SmartExpoError
    from smartexpo.core.models import ApiToken
    from smartexpo.core.tokens import token_create
    from smartexpo.meetings.auth import participant_for
    from smartexpo.meetings.services.participants import participant_get

    huawei = expo.test_exhibitors["huawei"]
    token, _raw = token_create(role="exhibitor", name="Huawei staff", exhibitor=huawei)
    made = participant_for(token, expo=expo)
    assert made.exhibitor_id == huawei.pk and made.open
    assert participant_for(token, expo=expo).pk == made.pk
    assert participant_get(expo=expo, ref={"exhibitor": huawei.pk}).pk == made.pk
    visitor = participant_for(closed.registration, expo=expo)
    assert visitor.registration_id == closed.registration.pk and not visitor.open
    organizer, _raw = token_create(role="organizer", name="Boss")
    with pytest.raises(SmartExpoError) as refused:
        participant_for(organizer, expo=expo)
    assert refused.value.code == "forbidden"
    with pytest.raises(SmartExpoError) as missing:
        participant_get(expo=expo, ref={"registration": 10**9})
    assert missing.value.code == "not_found"
    assert ApiToken.objects.count() == 2
