"""The bulk registration path: valid rows in, every other row explained, quotas respected."""

import pytest

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
