"""The bulk registration path: valid rows in, every other row explained, quotas respected."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from smartexpo.tickets.models import DayQuota, Registration, Ticket, TicketDay
from smartexpo.tickets.services.registration_bulk import registrations_bulk_create
from smartexpo.tickets.services.ticket_types import ticket_type_create
from tests.conftest import rid


def row(n: int, **extra) -> dict:
    return {
        "ticket_type": "day",
        "days": ["2019-08-26"],
        "name": f"访客{n}",
        "email": f"v{n}@example.cn",
        "id_number": rid(n),
        **extra,
    }


@pytest.fixture
def day_type(expo):
    return ticket_type_create(
        expo=expo, code="day", name_en="Day", days=["2019-08-26", "2019-08-27"], quota_per_day=5
    )


def test_valid_rows_are_registered_and_bad_rows_explained(expo, day_type):
    rows = [row(1), row(2, email="nope"), row(3, days=["2019-09-30"]), row(4)]
    result = registrations_bulk_create(expo=expo, rows=rows)
    assert [i for i, _pk in result.created] == [0, 3]
    assert [(i, code) for i, code, _d in result.errors] == [(1, "invalid"), (2, "invalid")]
    assert result.errors[0][2]["fields"].keys() == {"email"}
    assert Registration.objects.count() == 2
    assert Ticket.objects.count() == 2
    assert DayQuota.objects.get(day="2019-08-26").sold == 2


def test_duplicates_inside_the_batch_and_against_the_database(expo, day_type):
    registrations_bulk_create(expo=expo, rows=[row(1)])
    result = registrations_bulk_create(expo=expo, rows=[row(1), row(2), row(2)])
    assert [(i, code) for i, code, _d in result.errors] == [(0, "duplicate"), (2, "duplicate")]
    assert result.errors[0][2] == {"days": ["2019-08-26"]}
    assert TicketDay.objects.filter(valid=True).count() == 2


def test_rows_past_the_quota_are_sold_out_and_earlier_rows_win(expo, day_type):
    result = registrations_bulk_create(expo=expo, rows=[row(n) for n in range(1, 9)])
    assert [i for i, _pk in result.created] == [0, 1, 2, 3, 4]
    assert {code for _i, code, _d in result.errors} == {"sold_out"}
    assert DayQuota.objects.get(day="2019-08-26").sold == 5


def test_a_multi_day_row_needs_room_on_every_day(expo, day_type):
    registrations_bulk_create(expo=expo, rows=[row(n, days=["2019-08-27"]) for n in range(10, 15)])
    result = registrations_bulk_create(expo=expo, rows=[row(1, days=["2019-08-26", "2019-08-27"])])
    assert result.errors == [(0, "sold_out", {"days": ["2019-08-27"]})]
    assert DayQuota.objects.get(day="2019-08-26").sold == 0


def test_unexpected_columns_are_an_error_of_that_row(expo, day_type):
    result = registrations_bulk_create(expo=expo, rows=[{**row(1), "shoe_size": 42}, row(2)])
    assert result.errors[0][:2] == (0, "invalid")
    assert [i for i, _pk in result.created] == [1]


def test_bulk_tickets_verify_like_single_ones(expo, day_type, device):
    from smartexpo.tickets import ticket_secrets as ts
    from smartexpo.tickets.issuing import ticket_secret

    result = registrations_bulk_create(expo=expo, rows=[row(1)])
    ticket = Ticket.objects.get(registration_id=result.created[0][1])
    keys = device.get("/api/v1/expos/test-2019/checkin/keys").json()["keys"]
    public = {k["kid"]: ts.load_public_key_b64(k["public_key"]) for k in keys}
    assert ts.verify_secret(ticket_secret(ticket), public).serial == ticket.serial


def test_booked_at_stamps_the_registrations_and_their_tickets(expo, day_type):
    shanghai = ZoneInfo("Asia/Shanghai")
    booked = [
        dt.datetime(2019, 6, 1, 9, 30, tzinfo=shanghai),
        dt.datetime(2019, 7, 2, 12, 0, tzinfo=dt.UTC),  # a refused row: its instant unused
        dt.datetime(2019, 8, 26, 8, 15, 30, 123456, tzinfo=shanghai),
    ]
    rows = [row(1), row(2, email="nope"), row(3)]
    result = registrations_bulk_create(expo=expo, rows=rows, booked_at=booked)
    by_row = dict(result.created)
    assert sorted(by_row) == [0, 2]
    for index in (0, 2):
        registration = Registration.objects.get(pk=by_row[index])
        ticket = Ticket.objects.get(registration=registration)
        assert registration.created_at == booked[index]
        assert ticket.created_at == booked[index]
        assert registration.confirmation_sent_at is None  # not the demo's: still to be sent


def test_demo_rows_count_as_confirmed_when_booked(expo, day_type):
    at = dt.datetime(2019, 5, 5, 10, 0, tzinfo=dt.UTC)
    result = registrations_bulk_create(expo=expo, rows=[row(1)], source="demo", booked_at=[at])
    registration = Registration.objects.get(pk=result.created[0][1])
    assert registration.created_at == registration.confirmation_sent_at == at


def test_without_booked_at_the_rows_are_stamped_now(expo, day_type):
    before = timezone.now()
    result = registrations_bulk_create(expo=expo, rows=[row(1)])
    registration = Registration.objects.get(pk=result.created[0][1])
    assert before <= registration.created_at <= timezone.now()
    assert Ticket.objects.get(registration=registration).created_at == registration.created_at


@pytest.mark.parametrize(
    ("booked", "message"),
    [
        ([dt.datetime(2019, 6, 1, 9, 30)], "not an aware datetime"),
        ([dt.datetime(2019, 6, 1, tzinfo=dt.UTC)] * 2, "2 instants for 1 rows"),
        ([], "0 instants for 1 rows"),
        (["2019-06-01T09:30:00+08:00"], "not an aware datetime"),
    ],
)
def test_booked_at_must_be_aware_and_one_per_row(expo, day_type, booked, message):
    with pytest.raises(ValueError, match=message):
        registrations_bulk_create(expo=expo, rows=[row(1)], booked_at=booked)
    assert not Registration.objects.exists()
