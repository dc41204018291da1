"""The waiting list: freed places go to the first in line, held for a while, then onwards."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from smartexpo.core.errors import SmartExpoError
from smartexpo.tickets.models import DayQuota, WaitlistEntry
from smartexpo.tickets.services.cancellation import registration_cancel
from smartexpo.tickets.services.waitlist import (
    offer_accept,
    offer_token,
    offers_expire,
    offers_notify,
    waitlist_join,
)
from tests.conftest import ApiClient, day_ticket, register, rid


@pytest.fixture
def full_day(expo):
    day_ticket(expo, quota_per_day=1)
    return register(expo, ticket_type="day").registration


def join(expo, n: int):
    return waitlist_join(
        expo=expo, ticket_type="day", day="2019-08-26", name=f"W{n}", email=f"w{n}@example.cn"
    )


def sold() -> int:
    return DayQuota.objects.get(day="2019-08-26").sold


def test_joining_is_only_for_sold_out_days(expo):
    day_ticket(expo, quota_per_day=5)
    with pytest.raises(SmartExpoError) as exc:
        join(expo, 1)
    assert exc.value.code == "not_sold_out"


def test_joining_twice_is_one_entry(expo, full_day):
    assert join(expo, 1).pk == join(expo, 1).pk


def test_a_cancellation_offers_the_place_to_the_first_in_line_and_holds_it(expo, full_day):
    first, second = join(expo, 1), join(expo, 2)
    registration_cancel(registration=full_day)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("offered", "waiting")
    assert sold() == 1  # held for the offer, not back on sale
    with pytest.raises(SmartExpoError) as exc:
        register(expo, 2, ticket_type="day")
    assert exc.value.code == "sold_out"


def test_the_offer_email_links_to_a_page_that_registers(expo, full_day, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    join(expo, 1)
    registration_cancel(registration=full_day)
    assert offers_notify() == 1
    assert offers_notify() == 0
    body = mail.outbox[0].body
    path = body.split("http://127.0.0.1:8000")[1].split()[0]
    client = Client()
    assert "held for you" in client.get(path).content.decode()
    response = client.post(
        path,
        {"name": "W1", "email": "w1@example.cn", "id_type": "resident", "id_number": rid(2)},
    )
    assert response.status_code == 302
    assert "/my/sxm_" in response["Location"]
    assert WaitlistEntry.objects.get().status == "accepted"
    assert sold() == 1
    # The link is used up.
    assert "no longer valid" in client.get(path).content.decode()


def test_an_offer_that_fails_validation_stands(expo, full_day):
    entry = join(expo, 1)
    registration_cancel(registration=full_day)
    entry.refresh_from_db()
    with pytest.raises(SmartExpoError):
        offer_accept(token=offer_token(entry), name="", email="x", id_number="bad")
    entry.refresh_from_db()
    assert entry.status == "offered"
    assert sold() == 1


def test_an_expired_offer_passes_to_the_next_then_back_to_sale(expo, full_day):
    first, second = join(expo, 1), join(expo, 2)
    registration_cancel(registration=full_day)
    later = timezone.now() + dt.timedelta(hours=25)
    assert offers_expire(now=later) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "offered")
    with pytest.raises(SmartExpoError) as exc:
        offer_accept(token=offer_token(first), name="W1", email="w1@example.cn")
    assert exc.value.code == "offer_expired"
    assert offers_expire(now=later + dt.timedelta(hours=25)) == 1
    assert sold() == 0  # nobody left: the place is on sale again


def test_nobody_waiting_means_the_place_returns_to_sale(expo, full_day):
    registration_cancel(registration=full_day)
    assert sold() == 0


def test_join_by_api(expo, full_day):
    body = {"ticket_type": "day", "day": "2019-08-26", "name": "W", "email": "w@example.cn"}
    response = ApiClient().post("/api/v1/expos/test-2019/waitlist", body)
    assert response.status_code == 201
    assert response.json()["position"] == 1
    bad = ApiClient().post("/api/v1/expos/test-2019/waitlist", {**body, "day": "2019-09-09"})
    assert bad.status_code == 422


def test_join_page_after_a_sold_out_form(expo, full_day):
    client = Client()
    page = client.post(
        "/expos/test-2019/register/",
        {
            "ticket_type": "day",
            "days": ["2019-08-26"],
            "name": "B",
            "email": "b@example.cn",
            "id_type": "resident",
            "id_number": rid(3),
        },
    ).content.decode()
    assert "/expos/test-2019/waitlist/join/?ticket_type=day&amp;day=2019-08-26" in page
    joined = client.post(
        "/expos/test-2019/waitlist/join/?ticket_type=day&day=2019-08-26",
        {"name": "B", "email": "b@example.cn", "ticket_type": "day", "day": "2019-08-26"},
    ).content.decode()
    assert "number 1 on the waiting list" in joined
