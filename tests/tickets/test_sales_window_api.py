"""The organiser sets sales windows through the API (issue 13): an edition's with
`PATCH /expos/{expo}`, a ticket type's when it is created or with `PATCH …/ticket-types/{code}`;
each end an instant with its offset, the closing after the opening, refused otherwise with
422 `invalid` at the field; the answers show the window as set and as it applies."""

import datetime as dt

import pytest

from smartexpo.tickets.models import TicketType
from smartexpo.venue.models import Expo
from tests.conftest import ON_SALE_UNTIL, error_of, public_day_pass, registration_body

EDITION = "/api/v1/expos/test-2019"
TYPES = EDITION + "/ticket-types"
OPENS = "2030-09-01T10:00:00+08:00"
CLOSES = "2030-10-01T18:00:00+08:00"


def instant(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


# --- an edition ----------------------------------------------------------------------------------


def test_an_edition_shows_its_window_as_set_and_as_it_applies(expo, anonymous):
    body = anonymous.get(EDITION).json()
    assert body["sales_window"] == {"opens_at": None, "closes_at": body["sales_closes_at"]}
    assert instant(body["sales_closes_at"]) == ON_SALE_UNTIL
    assert body["sales_opens_at"] is None
    # Cleared, the closing is the end of the last day (18:00 in Shanghai).
    Expo.objects.filter(pk=expo.pk).update(sales_close_at=None)
    body = anonymous.get(EDITION).json()
    assert body["sales_window"]["closes_at"] is None
    assert instant(body["sales_closes_at"]) == instant("2019-08-29T18:00:00+08:00")


def test_the_organiser_sets_an_editions_window_and_registration_follows_it(
    expo, organizer, anonymous
):
    public_day_pass(expo, quota_per_day=5)
    answer = organizer.patch(EDITION, {"sales_opens_at": OPENS, "sales_closes_at": CLOSES})
    assert answer.status_code == 200, answer.content
    window = answer.json()["sales_window"]
    assert (instant(window["opens_at"]), instant(window["closes_at"])) == (
        instant(OPENS),
        instant(CLOSES),
    )
    expo.refresh_from_db()
    assert (expo.sales_open_at, expo.sales_close_at) == (instant(OPENS), instant(CLOSES))
    refused = anonymous.post(EDITION + "/registrations", registration_body())
    assert refused.status_code == 409
    assert error_of(refused)["code"] == "sales_not_open"
    # A field left out is kept; null clears that end.
    assert organizer.patch(EDITION, {"sales_opens_at": None}).status_code == 200
    expo.refresh_from_db()
    assert (expo.sales_open_at, expo.sales_close_at) == (None, instant(CLOSES))
    assert anonymous.post(EDITION + "/registrations", registration_body()).status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sales_opens_at": "2030-09-01T10:00:00"}, "sales_opens_at"),  # no offset
        ({"sales_closes_at": "next week"}, "sales_closes_at"),
        ({"sales_closes_at": 1893456000}, "sales_closes_at"),  # seconds are not an instant
        ({"sales_opens_at": CLOSES, "sales_closes_at": OPENS}, "sales_closes_at"),
        ({"sales_opens_at": OPENS, "sales_closes_at": OPENS}, "sales_closes_at"),
        # Against the end that is kept: the stored closing (2099) is before this opening.
        ({"sales_opens_at": "2100-01-01T00:00:00Z"}, "sales_closes_at"),
    ],
)
def test_a_wrong_editions_window_is_refused_at_its_field_and_nothing_changes(
    expo, organizer, body, field
):
    answer = organizer.patch(EDITION, body)
    assert answer.status_code == 422, answer.content
    error = error_of(answer)
    assert error["code"] == "invalid"
    assert field in error["detail"]["fields"]
    expo.refresh_from_db()
    assert (expo.sales_open_at, expo.sales_close_at) == (None, ON_SALE_UNTIL)


def test_only_an_organiser_sets_an_editions_window(expo, anonymous, exhibitor, device):
    body = {"sales_opens_at": OPENS}
    assert anonymous.patch(EDITION, body).status_code == 401
    assert exhibitor.patch(EDITION, body).status_code == 403
    assert device.patch(EDITION, body).status_code == 403
    expo.refresh_from_db()
    assert expo.sales_open_at is None


# --- a ticket type -------------------------------------------------------------------------------


def new_type(**extra) -> dict:
    return {
        "code": "vip",
        "name": {"en": "VIP pass", "zh": "贵宾票"},
        "days": ["2019-08-26"],
        "quota_per_day": 10,
        **extra,
    }


def test_a_type_is_created_with_its_window_shown_as_set_and_as_it_applies(expo, organizer):
    far = "2200-01-01T00:00:00+00:00"  # after the edition's closing: the edition's applies
    answer = organizer.post(TYPES, new_type(sales_opens_at=OPENS, sales_closes_at=far))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert instant(body["sales_window"]["opens_at"]) == instant(OPENS)
    assert instant(body["sales_window"]["closes_at"]) == instant(far)
    assert instant(body["sales_opens_at"]) == instant(OPENS)
    assert instant(body["sales_closes_at"]) == ON_SALE_UNTIL
    assert body["on_sale"] is False
    stored = TicketType.objects.get(expo=expo, code="vip")
    assert (stored.sales_open_at, stored.sales_close_at) == (instant(OPENS), instant(far))


@pytest.mark.parametrize(
    ("window", "field"),
    [
        ({"sales_closes_at": "2030-10-01 18:00"}, "sales_closes_at"),
        ({"sales_opens_at": CLOSES, "sales_closes_at": OPENS}, "sales_closes_at"),
    ],
)
def test_a_type_with_a_wrong_window_is_refused_and_not_created(expo, organizer, window, field):
    answer = organizer.post(TYPES, new_type(**window))
    assert answer.status_code == 422, answer.content
    assert field in error_of(answer)["detail"]["fields"]
    assert not TicketType.objects.filter(code="vip").exists()


def test_the_organiser_changes_a_types_window_and_registration_follows_it(
    expo, organizer, anonymous
):
    public_day_pass(expo, quota_per_day=5)
    url = TYPES + "/public-day"
    answer = organizer.patch(url, {"sales_opens_at": OPENS})
    assert answer.status_code == 200, answer.content
    assert answer.json()["on_sale"] is False
    assert instant(answer.json()["sales_window"]["opens_at"]) == instant(OPENS)
    assert answer.json()["sales_window"]["closes_at"] is None
    refused = anonymous.post(EDITION + "/registrations", registration_body())
    assert error_of(refused)["code"] == "sales_not_open"
    # A closing before the stored opening is refused; then the opening is cleared.
    wrong = organizer.patch(url, {"sales_closes_at": "2030-08-01T00:00:00+08:00"})
    assert wrong.status_code == 422
    assert "sales_closes_at" in error_of(wrong)["detail"]["fields"]
    assert organizer.patch(url, {"sales_opens_at": None}).json()["on_sale"] is True
    assert anonymous.post(EDITION + "/registrations", registration_body()).status_code == 201


def test_only_an_organiser_changes_a_types_window_and_only_of_a_type_that_exists(
    expo, organizer, anonymous, exhibitor
):
    public_day_pass(expo, quota_per_day=5)
    body = {"sales_opens_at": OPENS}
    assert anonymous.patch(TYPES + "/public-day", body).status_code == 401
    assert exhibitor.patch(TYPES + "/public-day", body).status_code == 403
    missing = organizer.patch(TYPES + "/no-such-type", body)
    assert (missing.status_code, error_of(missing)["code"]) == (404, "not_found")
    assert TicketType.objects.get(code="public-day").sales_open_at is None
